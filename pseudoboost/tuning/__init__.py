"""Optuna tuning of pseudo-labelling knobs together with each model's hyperparameters."""

from __future__ import annotations

from pseudoboost._extrapolation import ExtrapolationWarning
from pseudoboost.tuning._pruning import FirstTrialPerModelPruner
from pseudoboost.tuning._result import TuneResult
from pseudoboost.tuning._space import pseudo_label_search_space
from pseudoboost.tuning._storage import open_storage
from pseudoboost.tuning._tune import infer_task, tune

__all__ = [
    "ExtrapolationWarning",
    "FirstTrialPerModelPruner",
    "TuneResult",
    "infer_task",
    "open_storage",
    "pseudo_label_search_space",
    "tune",
]
