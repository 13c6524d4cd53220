"""make_cv: integer folds of any integer type, one n_repeats rule for tune and compare."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedKFold

from pseudoboost import compare, tune
from pseudoboost._cv import make_cv


def _splits(splitter, n=30):
    X = np.zeros((n, 1))
    y = np.arange(n) % 2
    return [test.tolist() for _, test in splitter.split(X, y)]


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_numpy_integer_folds_are_shuffled_and_seeded(task):
    splitter = make_cv(np.int64(5), task=task, random_state=3)
    assert isinstance(splitter, StratifiedKFold if task == "classification" else KFold)
    assert splitter.shuffle and splitter.random_state == 3
    assert _splits(splitter) == _splits(make_cv(5, task=task, random_state=3))


def test_repeats_of_numpy_integer_folds():
    splitter = make_cv(np.int32(3), n_repeats=np.int64(2), task="regression", random_state=0)
    assert splitter.get_n_splits() == 6


@pytest.mark.parametrize("n_repeats", [0, -1, 1.5, True, "2", None])
def test_bad_n_repeats(n_repeats):
    with pytest.raises(ValueError, match="n_repeats must be a positive integer"):
        make_cv(5, n_repeats=n_repeats, task="regression", random_state=0)


def test_bool_cv_is_not_a_number_of_folds():
    with pytest.raises(ValueError, match="cv must be a number of folds"):
        make_cv(True, task="regression", random_state=0)


def test_repeats_with_a_splitter_raise_instead_of_being_ignored():
    with pytest.raises(ValueError, match="n_repeats=3 repeats an integer cv"):
        make_cv(KFold(4), n_repeats=3, task="regression", random_state=0)
    assert isinstance(make_cv(KFold(4), n_repeats=1, task="regression", random_state=0), KFold)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, X @ [1.0, 2.0, 3.0] + rng.normal(size=40)


@pytest.mark.parametrize("n_repeats", [0, -2, 2.0])
def test_tune_and_compare_reject_the_same_n_repeats(data, n_repeats):
    X, y = data
    # One message shape (scikit-learn's validate_params) in both functions.
    for name, call in (
        ("tune", lambda: tune(X, y, model="ridge", n_trials=1, cv=2, n_repeats=n_repeats)),
        (
            "compare",
            lambda: compare(X, y, models=[Ridge()], sample_rates=(0,), cv=2, n_repeats=n_repeats),
        ),
    ):
        with pytest.raises(ValueError) as info:
            call()
        text = str(info.value)
        assert text.startswith(f"The 'n_repeats' parameter of {name} must be an int in the range")
        assert text.endswith(f"Got {n_repeats!r} instead.")


def test_tune_and_compare_reject_repeats_with_a_splitter(data):
    X, y = data
    with pytest.raises(ValueError, match="repeats an integer cv"):
        tune(X, y, model="ridge", n_trials=1, cv=KFold(2), n_repeats=2)
    with pytest.raises(ValueError, match="repeats an integer cv"):
        compare(X, y, models=[Ridge()], sample_rates=(0,), cv=KFold(2), n_repeats=2)


def test_fit_fold_scores_a_clone_and_reads_the_pseudo_rows_through_a_wrapper():
    from sklearn.base import clone
    from sklearn.datasets import make_regression
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import Ridge
    from sklearn.utils.validation import check_is_fitted

    from pseudoboost._cv import fit_fold
    from pseudoboost._scoring import resolve_metric
    from pseudoboost.pseudo_label import PseudoLabelRegressor

    X, y = make_regression(n_samples=60, n_features=3, noise=1.0, random_state=0)
    train, test = np.arange(40), np.arange(40, 50)
    model = PseudoLabelRegressor(Ridge(), unlabeled=X[50:], sample_rate=1.0, random_state=0)
    metric = resolve_metric(None, "regression")
    fold = fit_fold(model, X, y, train, test, metric)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)  # the caller's estimator is left unfitted
    assert fold.n_pseudo == 10
    expected = np.sqrt(np.mean((fold.estimator.predict(X[test]) - y[test]) ** 2))
    assert fold.score == pytest.approx(expected)
    assert fold.seconds >= 0

    class Wrapper(Ridge):  # a wrapper exposing the pseudo-labelling model as estimator_
        def fit(self, X, y):
            self.estimator_ = clone(model).fit(X, y)
            return super().fit(X, y)

    assert fit_fold(Wrapper(), X, y, train, test, metric).n_pseudo == 10
