"""Ensemble selection (Caruana et al., 2004) and weighted ensembles of scikit-learn models."""

from pseudoboost.ensemble._estimator import WeightedEnsembleClassifier, WeightedEnsembleRegressor
from pseudoboost.ensemble._selection import ensemble_selection, nested_ensemble_scores

__all__ = [
    "WeightedEnsembleClassifier",
    "WeightedEnsembleRegressor",
    "ensemble_selection",
    "nested_ensemble_scores",
]
