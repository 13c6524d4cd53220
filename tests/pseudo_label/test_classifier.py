"""Behaviour of PseudoLabelClassifier: acceptance rules, per-class records, delegation, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC

from pseudoboost import PseudoLabelClassifier
from pseudoboost.pseudo_label._classifier import balance_by_class


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=600, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    y_partial = y.copy()
    y_partial[100:] = -1
    return X, y, y_partial


def test_accepts_exactly_the_rows_above_the_threshold(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(LogisticRegression(), threshold=0.9).fit(X, y_partial)
    teacher = LogisticRegression().fit(X[:100], y_partial[:100])
    proba = teacher.predict_proba(X[100:])
    expected = np.flatnonzero(proba.max(axis=1) >= 0.9)
    np.testing.assert_array_equal(model.pseudo_indices_, expected)
    np.testing.assert_array_equal(model.pseudo_labels_, teacher.predict(X[100:][expected]))
    assert 0 < model.n_pseudo_ < 500


def test_history_records_per_class_acceptance(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(LogisticRegression(), threshold=0.8, max_iter=3).fit(X, y_partial)
    first = model.history_[0]
    assert set(first["class_counts"]) == {0, 1, 2}
    assert sum(first["class_counts"].values()) == first["n_selected"]
    counts = np.bincount(model.pseudo_labels_, minlength=3)
    totals = {c: sum(row["class_counts"][c] for row in model.history_) for c in range(3)}
    assert [totals[c] for c in range(3)] == counts.tolist()
    assert first["mean_confidence"] >= 0.8


def test_threshold_one_accepts_nothing_and_equals_plain_fit(data):
    X, y, y_partial = data
    model = PseudoLabelClassifier(LogisticRegression(), threshold=1.0).fit(X, y_partial)
    plain = LogisticRegression().fit(X[:100], y[:100])
    assert model.n_pseudo_ == 0 and model.termination_condition_ == "no_change"
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_k_best_takes_the_most_confident(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(LogisticRegression(), selection="k_best", k_best=40).fit(
        X, y_partial
    )
    proba = LogisticRegression().fit(X[:100], y_partial[:100]).predict_proba(X[100:]).max(axis=1)
    assert model.n_pseudo_ == 40
    assert proba[model.pseudo_indices_].min() >= np.sort(proba)[-40]


def test_random_selection_and_zero_rate(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(
        LinearSVC(), selection="random", sample_rate=0.1, random_state=0
    ).fit(X, y_partial)
    assert model.n_pseudo_ == 50
    assert not hasattr(model, "predict_proba")
    assert hasattr(model, "decision_function")
    zero = PseudoLabelClassifier(LinearSVC(), selection="random", sample_rate=0.0).fit(X, y_partial)
    plain = LinearSVC().fit(X[:100], y_partial[:100])
    np.testing.assert_array_equal(zero.decision_function(X), plain.decision_function(X))


def test_balance_classes_follows_the_labelled_prior():
    labels = np.array([0] * 10 + [1] * 4)
    confidence = np.linspace(0.9, 1.0, 14)
    keep = balance_by_class(labels, confidence, np.array([0, 1]), np.array([0.5, 0.5]))
    kept = labels[keep]
    assert (kept == 0).sum() == (kept == 1).sum() == 4
    # The four class-0 rows kept are its most confident ones.
    np.testing.assert_array_equal(keep[kept == 0], [6, 7, 8, 9])


def test_balanced_run_is_balanced(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(LogisticRegression(), threshold=0.6, balance_classes=True)
    model.fit(X, y_partial)
    counts = list(model.history_[0]["class_counts"].values())
    prior = np.bincount(y_partial[:100]) / 100
    scale = min(c / p for c, p in zip(counts, prior, strict=True))
    assert all(abs(c - scale * p) < 1 for c, p in zip(counts, prior, strict=True))


class CountingWarmClassifier(ClassifierMixin, BaseEstimator):
    """A warm-startable classifier that counts how often the same object is fitted."""

    def __init__(self, warm_start=True):
        self.warm_start = warm_start

    def fit(self, X, y):
        self.n_fits_ = getattr(self, "n_fits_", 0) + 1
        self._inner = LogisticRegression().fit(X, y)
        self.classes_ = self._inner.classes_
        return self

    def predict(self, X):
        return self._inner.predict(X)

    def predict_proba(self, X):
        return self._inner.predict_proba(X)


def test_warm_start_keeps_training_the_same_model(data):
    X, _, y_partial = data
    model = PseudoLabelClassifier(CountingWarmClassifier(), threshold=0.7, max_iter=2)
    model.fit(X, y_partial)
    assert model.estimator_.n_fits_ == 1 + model.n_iter_ >= 2
    cold = PseudoLabelClassifier(CountingWarmClassifier(warm_start=False), threshold=0.7).fit(
        X, y_partial
    )
    assert cold.estimator_.n_fits_ == 1
    assert not hasattr(model.estimator, "n_fits_")  # the user's estimator is untouched


def test_unlabeled_parameter_and_string_labels(data):
    X, y, _ = data
    names = np.array(["ant", "bee", "cat"])[y]
    model = PseudoLabelClassifier(LogisticRegression(), unlabeled=X[100:], threshold=0.9)
    model.fit(X[:100], names[:100])
    assert set(model.classes_) == {"ant", "bee", "cat"}
    assert set(model.pseudo_labels_) <= {"ant", "bee", "cat"}
    assert clone(model).unlabeled is model.unlabeled


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"threshold": 1.2},
            "The 'threshold' parameter of PseudoLabelClassifier must be a float in the range [0.0, 1.0]. Got 1.2 instead.",
        ),
        ({"selection": "k_best"}, "selection='k_best' needs k_best"),
        ({"selection": "random"}, "selection='random' needs sample_rate"),
        (
            {"selection": "random", "sample_rate": 2},
            "The 'sample_rate' parameter of PseudoLabelClassifier must be",
        ),
    ],
)
def test_parameter_errors(data, params, message):
    X, _, y_partial = data
    with pytest.raises(ValueError, match=re.escape(message)):
        PseudoLabelClassifier(LogisticRegression(), **params).fit(X, y_partial)


def test_threshold_needs_predict_proba(data):
    X, _, y_partial = data
    with pytest.raises(
        ValueError, match="^selection='threshold' needs predict_proba, which SGDClassifier"
    ):
        PseudoLabelClassifier(SGDClassifier()).fit(X, y_partial)


def test_all_unlabelled_is_an_error(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="^y has no labelled rows"):
        PseudoLabelClassifier(LogisticRegression()).fit(X, np.full(len(X), -1))
