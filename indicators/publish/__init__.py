"""Publication: the indicator register, open data, claims, the quality report, board packs
and the one-step switch of the output to a run's finished folder."""
