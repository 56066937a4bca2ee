RUN_CHILDREN = 1500
"""Children a year in the synthetic landings of tests about runs (operations, reliability,
scaffolds, monthly sources, placement), not about small counts: enough that most counts
clear disclosure control, which then costs little (300 a year took 38 s of a 108 s run in
it, 1,500 took 5 s of 78 s; docs/scaling.md)."""
