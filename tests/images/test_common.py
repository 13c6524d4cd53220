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
    KerasImageClassifier(tiny_network, epochs=8, batch_size=256, learning_rate=0.2, random_state=0)
]

EXPECTED_FAILED_CHECKS: dict[str, str] = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch training: a weight of 2 and a repeated row are not the same SGD path, so "
        "the predicted probabilities agree only to about 1e-5, not to the check's 1e-7."
    ),
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
