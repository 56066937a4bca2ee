"""Chorus's library: synthetic data, readers and validation, privacy, statistics, disclosure
control and publication. No Dagster imports here: every part can be tested alone."""
