"""The command line's defaults, read by the parser (its help) and by the commands."""

from __future__ import annotations

PROG = "pseudoboost"
DEFAULT_OUT = "pseudoboost-out"
PREPROCESS_CHOICES = ("auto", "bigmart-article", "bigmart-improved", "none")

# tune: trials and folds, and the smaller values of the quick --demo run.
N_TRIALS = 100
CV = 5
DEMO_N_TRIALS = 20
DEMO_CV = 3

# compare: repetitions of the K-fold split.
N_REPEATS = 3
DEMO_N_REPEATS = 1
