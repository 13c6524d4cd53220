"""Class labels of any type become 0..k-1 codes once, and predictions come back as labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from pseudoboost import PseudoLabelClassifier, compare
from pseudoboost._class_labels import LabelEncodedClassifier, decode_labels, encode_labels


@pytest.mark.parametrize(
    ("y", "codes", "classes"),
    [
        (["b", "a", None, "b", np.nan], [1, 0, -1, 1, -1], ["a", "b"]),
        (np.array(["y", "n", "y"]), [1, 0, 1], ["n", "y"]),
        ([3.0, 5.0, -1.0, np.nan, 3.0], [0, 1, -1, -1, 0], [3.0, 5.0]),
        ([2, 7, -1, 7], [0, 1, -1, 1], [2, 7]),
        ([True, False, True], [1, 0, 1], [False, True]),
        (pd.Series(["hi", pd.NA, "lo"], dtype="string"), [0, -1, 1], ["hi", "lo"]),
        ([1, "a", "b", None], [0, 1, 2, -1], [1, "a", "b"]),
    ],
)
def test_encode_labels(y, codes, classes):
    got_codes, got_classes = encode_labels(y)
    assert got_codes.dtype == np.int64
    assert got_codes.tolist() == codes
    assert got_classes.tolist() == classes
    labelled = got_codes >= 0
    assert decode_labels(got_codes[labelled], got_classes).tolist() == [
        v for v, keep in zip(list(y), labelled, strict=True) if keep
    ]


@pytest.fixture(scope="module")
def strings():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 4))
    labels = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "spam", "ham").astype(object)
    return X[:120], labels[:120], X[120:]


def test_wrapper_predicts_the_original_labels(strings):
    X, y, pool = strings
    y = y.copy()
    y[:20] = None  # unlabelled rows
    model = LabelEncodedClassifier(
        PseudoLabelClassifier(
            LogisticRegression(), unlabeled=pool, selection="random", sample_rate=1.0
        )
    ).fit(X, y)
    assert model.classes_.tolist() == ["ham", "spam"]
    assert model.estimator_.n_pseudo_ == 20 + 40
    predicted = model.predict(X[20:])
    assert set(predicted) == {"ham", "spam"}
    assert (predicted == y[20:]).mean() > 0.9
    assert model.predict_proba(X[:3]).shape == (3, 2)


def test_compare_takes_string_labels_with_xgboost(strings):
    X, y, pool = strings
    summary = compare(
        X, y, unlabeled=pool, models="xgboost", sample_rates=(0, 0.5), cv=2, n_repeats=1
    )
    assert summary.attrs["task"] == "classification"
    assert (summary["score_mean"] > 0.75).all()


def test_compare_string_labels_with_missing_values_join_the_pool(strings):
    X, y, pool = strings
    y = y.copy()
    y[:10] = None
    summary = compare(
        X, y, unlabeled=pool, models="logistic_regression", sample_rates=(1.0,), cv=2, n_repeats=1
    )
    assert summary["n_pseudo_mean"].tolist() == [0.0, 10 + 40]
