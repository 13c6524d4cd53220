"""Behaviour of PseudoLabelRegressor: invariants, leak-freedom, pools, weights and errors."""

from __future__ import annotations

import pickle
import re
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMRegressor
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import (
    BaggingRegressor,
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from pseudoboost import PseudoLabelRegressor
from pseudoboost.pseudo_label import EmptyPoolWarning
from pseudoboost.pseudo_label._base import continues_training


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    pool = rng.normal(size=(300, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=120)
    return X, y, pool


class RecordingRegressor(RegressorMixin, BaseEstimator):
    """Fits a mean and remembers every row it was fitted on (first column as an id)."""

    seen: list[np.ndarray] = []

    def fit(self, X, y):
        RecordingRegressor.seen.append(np.asarray(X)[:, 0].copy())
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(np.asarray(X).shape[0], self.mean_)


def test_sample_rate_zero_equals_plain_fit(data):
    X, y, pool = data
    tree = DecisionTreeRegressor(random_state=0)
    model = PseudoLabelRegressor(tree, unlabeled=pool, sample_rate=0.0).fit(X, y)
    plain = clone(tree).fit(X, y)
    np.testing.assert_array_equal(model.predict(pool), plain.predict(pool))
    assert model.n_pseudo_ == 0
    assert model.termination_condition_ == "supervised"


def test_selects_round_of_rate_times_pool_and_labels_are_teacher_predictions(data):
    X, y, pool = data
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool, sample_rate=0.2, random_state=1)
    model.fit(X, y)
    assert model.n_pseudo_ == round(0.2 * len(pool)) == 60
    assert len(set(model.pseudo_indices_)) == 60
    teacher = Ridge().fit(X, y)
    np.testing.assert_allclose(model.pseudo_labels_, teacher.predict(pool[model.pseudo_indices_]))
    # The student is fitted on labelled + pseudo rows exactly.
    student = Ridge().fit(
        np.vstack([X, pool[model.pseudo_indices_]]), np.concatenate([y, model.pseudo_labels_])
    )
    np.testing.assert_allclose(model.estimator_.coef_, student.coef_)


def test_same_random_state_same_result_and_other_seed_differs(data):
    X, y, pool = data
    params = dict(unlabeled=pool, sample_rate=0.3, max_iter=2)
    a = PseudoLabelRegressor(Ridge(), random_state=7, **params).fit(X, y)
    b = PseudoLabelRegressor(Ridge(), random_state=7, **params).fit(X, y)
    c = PseudoLabelRegressor(Ridge(), random_state=8, **params).fit(X, y)
    np.testing.assert_array_equal(a.pseudo_indices_, b.pseudo_indices_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert not np.array_equal(np.sort(a.pseudo_indices_), np.sort(c.pseudo_indices_))


def test_rounds_remove_used_rows_until_pool_is_exhausted(data):
    X, y, pool = data
    model = PseudoLabelRegressor(
        Ridge(), unlabeled=pool, sample_rate=0.4, max_iter=5, random_state=0
    ).fit(X, y)
    assert [row["n_selected"] for row in model.history_] == [120, 120, 60]
    assert [row["n_candidates"] for row in model.history_] == [300, 180, 60]
    assert model.n_pseudo_ == 300 and len(set(model.pseudo_indices_)) == 300
    assert model.termination_condition_ == "all_labeled"
    assert model.n_iter_ == 3


def test_nan_targets_join_the_pool_before_unlabeled(data):
    X, y, pool = data
    y_missing = y.copy()
    y_missing[:20] = np.nan
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool, sample_rate=1.0, random_state=0)
    model.fit(X, y_missing)
    assert model.n_pool_ == 20 + len(pool)
    teacher = Ridge().fit(X[20:], y[20:])
    full_pool = np.vstack([X[:20], pool])
    np.testing.assert_allclose(
        model.pseudo_labels_, teacher.predict(full_pool[model.pseudo_indices_])
    )
    # NaN rows only, no `unlabeled`: the same thing without the extra pool.
    only_nan = PseudoLabelRegressor(Ridge(), sample_rate=0.5, random_state=0).fit(X, y_missing)
    assert only_nan.n_pool_ == 20 and only_nan.n_pseudo_ == 10


def test_leak_free_inside_cross_validation(data):
    X, y, pool = data
    X = X.copy()
    X[:, 0] = np.arange(len(X))  # row ids
    pool = pool.copy()
    pool[:, 0] = 10_000 + np.arange(len(pool))
    RecordingRegressor.seen = []
    cv = KFold(4)
    model = PseudoLabelRegressor(
        RecordingRegressor(), unlabeled=pool, sample_rate=0.5, random_state=0
    )
    cross_val_score(model, X, y, cv=cv)
    fits = RecordingRegressor.seen
    assert len(fits) == 2 * cv.get_n_splits()  # a teacher and a student per fold
    for fold, (train, test) in enumerate(cv.split(X)):
        teacher_rows, student_rows = fits[2 * fold], fits[2 * fold + 1]
        np.testing.assert_array_equal(np.sort(teacher_rows), train)
        labelled_in_student = student_rows[student_rows < 10_000]
        np.testing.assert_array_equal(np.sort(labelled_in_student), train)
        assert not np.isin(test, student_rows).any()
        assert (student_rows >= 10_000).sum() == 150


def test_pseudo_weight_reaches_sample_weight(data):
    X, y, pool = data
    model = PseudoLabelRegressor(
        Ridge(), unlabeled=pool, sample_rate=0.5, pseudo_weight=0.25, random_state=0
    ).fit(X, y, sample_weight=np.full(len(y), 2.0))
    rows = np.vstack([X, pool[model.pseudo_indices_]])
    targets = np.concatenate([y, model.pseudo_labels_])
    weights = np.concatenate([np.full(len(y), 2.0), np.full(model.n_pseudo_, 0.25)])
    expected = Ridge().fit(rows, targets, sample_weight=weights)
    np.testing.assert_allclose(model.estimator_.coef_, expected.coef_)
    # Through a Pipeline the weights go to its last step.
    piped = PseudoLabelRegressor(
        make_pipeline(StandardScaler(), Ridge()),
        unlabeled=pool,
        sample_rate=0.5,
        pseudo_weight=0.25,
    )
    piped.fit(X, y)
    assert piped.n_pseudo_ == 150


def test_pseudo_weight_needs_sample_weight_support(data):
    X, y, pool = data
    model = PseudoLabelRegressor(KNeighborsRegressor(), unlabeled=pool, pseudo_weight=0.5)
    with pytest.raises(
        ValueError, match=r"^KNeighborsRegressor\.fit does not accept sample_weight"
    ):
        model.fit(X, y)


def test_dataframe_with_categoricals_and_a_reordered_pool():
    rng = np.random.RandomState(0)

    def frame(n, cats):
        return pd.DataFrame(
            {"num": rng.normal(size=n), "cat": pd.Categorical(rng.choice(cats, size=n))}
        )

    X = frame(200, ["a", "b", "c"])
    y = X["num"] * 3 + X["cat"].cat.codes
    pool = frame(300, ["a", "b", "d"])[["cat", "num"]]  # other column order, a new category
    model = PseudoLabelRegressor(
        LGBMRegressor(n_estimators=20, verbose=-1, min_child_samples=5),
        unlabeled=pool,
        sample_rate=0.5,
        random_state=0,
    ).fit(X, y)
    assert model.n_pseudo_ == 150
    assert list(model.feature_names_in_) == ["num", "cat"]
    assert model.predict(X).shape == (200,)


def test_grid_search_over_sample_rate_and_inner_params(data):
    X, y, pool = data
    search = GridSearchCV(
        PseudoLabelRegressor(Ridge(), unlabeled=pool, random_state=0),
        {"sample_rate": [0.0, 0.5], "estimator__alpha": [0.1, 10.0]},
        cv=3,
    ).fit(X, y)
    assert set(search.best_params_) == {"sample_rate", "estimator__alpha"}
    assert search.best_estimator_.unlabeled is pool


def test_clone_shares_the_pool_instead_of_copying_it():
    pool = np.zeros((200_000, 10))  # 16 MB
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool)
    tracemalloc.start()
    copy = clone(model)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert copy.unlabeled is pool
    assert peak < 1_000_000
    assert copy.estimator is not model.estimator
    # A pickled round trip (what joblib does for n_jobs > 1) still copies, as it must.
    assert pickle.loads(pickle.dumps(copy)).unlabeled is not pool


def test_empty_pool_warns_and_fits_supervised(data):
    X, y, _ = data
    with pytest.warns(EmptyPoolWarning, match="unlabelled pool is empty"):
        model = PseudoLabelRegressor(LinearRegression()).fit(X, y)
    np.testing.assert_allclose(model.predict(X), LinearRegression().fit(X, y).predict(X))
    with pytest.warns(EmptyPoolWarning):
        PseudoLabelRegressor(LinearRegression(), unlabeled=np.empty((0, 4))).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"sample_rate": 1.5},
            "The 'sample_rate' parameter of PseudoLabelRegressor must be a float in the range [0.0, 1.0]. Got 1.5 instead.",
        ),
        (
            {"sample_rate": -0.1},
            "The 'sample_rate' parameter of PseudoLabelRegressor must be a float in the range [0.0, 1.0]",
        ),
        (
            {"selection": "best"},
            "The 'selection' parameter of PseudoLabelRegressor must be a str among",
        ),
        (
            {"max_iter": 0},
            "The 'max_iter' parameter of PseudoLabelRegressor must be an int in the range [1, inf)",
        ),
        (
            {"pseudo_weight": -1},
            "The 'pseudo_weight' parameter of PseudoLabelRegressor must be a float in the range [0.0, inf)",
        ),
    ],
)
def test_parameter_errors(data, params, message):
    X, y, pool = data
    with pytest.raises(ValueError, match=re.escape(message)):
        PseudoLabelRegressor(Ridge(), unlabeled=pool, **params).fit(X, y)


def test_estimator_without_fit_is_rejected(data):
    X, y, _ = data
    with pytest.raises(
        ValueError,
        match="The 'estimator' parameter of PseudoLabelRegressor must be an object implementing 'fit' and 'predict'",
    ):
        PseudoLabelRegressor("xgboost").fit(X, y)


def test_unlabeled_with_other_columns_names_them():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    pool = pd.DataFrame({"a": [1.0], "c": [2.0]})
    with pytest.raises(
        ValueError, match=re.escape("it has missing columns ['b'] and unexpected columns ['c']")
    ):
        PseudoLabelRegressor(Ridge(), unlabeled=pool).fit(X, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="`unlabeled` has 3 features but X has 2"):
        PseudoLabelRegressor(Ridge(), unlabeled=np.zeros((4, 3))).fit(X, [1.0, 2.0, 3.0])


def test_all_targets_missing_is_an_error(data):
    X, _, pool = data
    with pytest.raises(ValueError, match="^y has no labelled rows"):
        PseudoLabelRegressor(Ridge(), unlabeled=pool).fit(X, np.full(len(X), np.nan))


def test_non_numeric_target_is_explained(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="^y must be numeric for regression"):
        PseudoLabelRegressor(Ridge()).fit(X, np.array(["a"] * len(X)))


@pytest.mark.parametrize(
    "forest",
    [
        RandomForestRegressor(n_estimators=50, warm_start=True, random_state=0),
        GradientBoostingRegressor(n_estimators=30, warm_start=True, random_state=0),
        HistGradientBoostingRegressor(max_iter=30, warm_start=True, random_state=0),
    ],
)
def test_warm_started_ensembles_learn_from_the_pseudo_labels(data, forest):
    # A scikit-learn ensemble refitted with warm_start=True and the same n_estimators adds no
    # estimator: reusing it would report n_pseudo_ rows while predicting like the labels-only
    # model. It is refitted from a fresh clone instead.
    X, y, pool = data
    model = PseudoLabelRegressor(forest, unlabeled=pool, sample_rate=1.0).fit(X, y)
    assert model.n_pseudo_ == len(pool)
    labels_only = clone(forest).fit(X, y)
    assert not np.allclose(model.predict(pool), labels_only.predict(pool))
    cold = PseudoLabelRegressor(
        clone(forest).set_params(warm_start=False), unlabeled=pool, sample_rate=1.0
    ).fit(X, y)
    np.testing.assert_array_equal(model.predict(pool), cold.predict(pool))


class ContinuingRegressor(RegressorMixin, BaseEstimator):
    """A mean regressor whose warm start keeps learning: it counts the fits of one instance."""

    def __init__(self, warm_start=False):
        self.warm_start = warm_start

    def fit(self, X, y):
        continuing = self.warm_start and hasattr(self, "n_fits_")
        self.n_fits_ = self.n_fits_ + 1 if continuing else 1
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.mark.parametrize(("warm_start", "n_fits"), [(True, 3), (False, 1)])
def test_a_warm_start_that_keeps_learning_continues_the_same_model(data, warm_start, n_fits):
    X, y, pool = data
    model = PseudoLabelRegressor(
        ContinuingRegressor(warm_start=warm_start),
        unlabeled=pool,
        sample_rate=0.2,
        max_iter=2,
        random_state=0,
    ).fit(X, y)
    assert model.estimator_.n_fits_ == n_fits


@pytest.mark.parametrize(
    ("estimator", "expected"),
    [
        (ContinuingRegressor(warm_start=True), True),
        (MLPRegressor(warm_start=True), True),
        (SGDRegressor(warm_start=True), True),
        (MLPRegressor(), False),
        (Ridge(), False),
        (RandomForestRegressor(warm_start=True), False),
        (ExtraTreesRegressor(warm_start=True), False),
        (BaggingRegressor(warm_start=True), False),
        (GradientBoostingRegressor(warm_start=True), False),
        (HistGradientBoostingRegressor(warm_start=True), False),
        (HistGradientBoostingClassifier(warm_start=True), False),
    ],
)
def test_continues_training(estimator, expected):
    assert continues_training(estimator) is expected
