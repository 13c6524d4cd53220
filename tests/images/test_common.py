"""scikit-learn's estimator checks on KerasImageClassifier, with a tiny network.

The checks feed 2-D tabular arrays, so they run the adapter with a dense build function
(``tiny_network``); the image path is tested in test_classifier.py.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from pseudoboost.images import KerasImageClassifier

from .conftest import keras_or_skip, tiny_network

keras = keras_or_skip()

# Fast constructor arguments, kept in one place.
ESTIMATORS = [
    KerasImageClassifier(tiny_network, epochs=30, batch_size=64, learning_rate=0.02, random_state=0)
]

EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
