"""scikit-learn's estimator checks on both meta-estimators, with fast inner estimators."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from pseudoboost import PseudoLabelClassifier, PseudoLabelRegressor

pytestmark = pytest.mark.filterwarnings("ignore::pseudoboost.pseudo_label.EmptyPoolWarning")

# Fast constructor arguments, kept in one place (imbalanced-learn's habit).
ESTIMATORS = [
    PseudoLabelRegressor(LinearRegression(), sample_rate=0.5, random_state=0),
    PseudoLabelRegressor(
        LinearRegression(), teacher=Ridge(), sample_rate=0.5, selection="coreg", random_state=0
    ),
    PseudoLabelClassifier(LogisticRegression(), threshold=0.8, random_state=0),
]

# Checks that cannot hold for a pseudo-labelling estimator, with the reason.
_N_ITER = (
    "n_iter_ counts pseudo-labelling rounds that added rows; it is 0 when there is nothing "
    "to pseudo-label (as scikit-learn's own SelfTrainingClassifier)."
)
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "PseudoLabelRegressor": {"check_non_transformer_estimators_n_iter": _N_ITER},
    "PseudoLabelClassifier": {
        "check_non_transformer_estimators_n_iter": _N_ITER,
        "check_classifiers_classes": (
            "the check uses -1 as a class label, which marks unlabelled rows in scikit-learn's "
            "semi-supervised convention followed here."
        ),
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
