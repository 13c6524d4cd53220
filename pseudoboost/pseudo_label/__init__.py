"""Pseudo-labelling meta-estimators for scikit-learn regressors and classifiers."""

from pseudoboost.pseudo_label._base import EmptyPoolWarning
from pseudoboost.pseudo_label._classifier import PseudoLabelClassifier
from pseudoboost.pseudo_label._regressor import PseudoLabelRegressor

__all__ = ["EmptyPoolWarning", "PseudoLabelClassifier", "PseudoLabelRegressor"]
