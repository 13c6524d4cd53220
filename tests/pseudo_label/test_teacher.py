"""PseudoLabelRegressor(teacher=...): a teacher labels the pool, the estimator is the student."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingRegressor,
    RandomForestRegressor,
    VotingRegressor,
)
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

from pseudoboost import PseudoLabelRegressor

POOL_ID = 10_000  # pool rows carry ids from here in their first column


@pytest.fixture
def data():
    """100 labelled rows and a pool of 200."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    pool = rng.normal(size=(200, 4))
    y = X[:, 1] - 2 * X[:, 2] + np.sin(3 * X[:, 3]) + 0.1 * rng.normal(size=100)
    return X, y, pool


@pytest.fixture
def ids(data):
    """The same rows with a row id as first column (labelled 0.., pool 10000..)."""
    X, y, pool = (value.copy() for value in data)
    X[:, 0] = np.arange(100)
    pool[:, 0] = POOL_ID + np.arange(200)
    return X, y, pool


def same_history(first: list[dict], second: list[dict]) -> bool:
    """Histories are equal, NaN notes included."""
    return len(first) == len(second) and all(
        a.keys() == b.keys() and all(a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a)
        for a, b in zip(first, second, strict=True)
    )


class SpyTeacher(DecisionTreeRegressor):
    """A small tree that records the row ids (first column) of every fit."""

    fits: list[np.ndarray] = []

    def fit(self, X, y, sample_weight=None, check_input=True):
        SpyTeacher.fits.append(np.asarray(X)[:, 0].copy())
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


class SpyStudent(Ridge):
    """Ridge that records the row ids and the fit parameters of every fit."""

    fits: list[np.ndarray] = []
    params: list[dict] = []

    def fit(self, X, y, sample_weight=None, note=None):
        SpyStudent.fits.append(np.asarray(X)[:, 0].copy())
        SpyStudent.params.append({"sample_weight": sample_weight, "note": note})
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture(autouse=True)
def reset_spies():
    SpyTeacher.fits, SpyStudent.fits, SpyStudent.params = [], [], []


def test_teacher_sees_only_the_folds_training_rows_and_the_student_adds_the_pool(ids):
    X, y, pool = ids
    cv = KFold(4, shuffle=True, random_state=0)
    model = PseudoLabelRegressor(
        SpyStudent(),
        teacher=SpyTeacher(max_depth=3, random_state=0),
        unlabeled=pool,
        sample_rate=0.5,
        random_state=0,
    )
    cross_val_score(model, X, y, cv=cv)
    # one teacher and one student per fold: the student is never fitted on labels alone
    assert len(SpyTeacher.fits) == len(SpyStudent.fits) == cv.get_n_splits()
    for fold, (train, test) in enumerate(cv.split(X)):
        teacher_rows, student_rows = SpyTeacher.fits[fold], SpyStudent.fits[fold]
        np.testing.assert_array_equal(np.sort(teacher_rows), train)
        labelled = student_rows[student_rows < POOL_ID]
        np.testing.assert_array_equal(np.sort(labelled), train)
        assert (student_rows >= POOL_ID).sum() == 100
        assert not np.isin(test, teacher_rows).any()
        assert not np.isin(test, student_rows).any()


@pytest.mark.parametrize(
    ("params", "n_teacher_fits"),
    [
        ({"selection": "confidence"}, 1 + 3),  # no native spread: 3 fold clones of the teacher
        ({"label_source": "teachers"}, 1 + 3),
        ({"selection": "coreg"}, 1 + 3),  # out-of-fold residuals from fold clones
    ],
)
def test_fold_teachers_are_clones_of_the_teacher_inside_cross_validation(
    ids, params, n_teacher_fits
):
    X, y, pool = ids
    cv = KFold(3, shuffle=True, random_state=1)
    model = PseudoLabelRegressor(
        SpyStudent(),
        teacher=SpyTeacher(max_depth=3, random_state=0),
        unlabeled=pool,
        sample_rate=0.3,
        n_teachers=3,
        random_state=0,
        **params,
    )
    cross_val_score(model, X, y, cv=cv)
    assert len(SpyTeacher.fits) == n_teacher_fits * cv.get_n_splits()
    assert len(SpyStudent.fits) == cv.get_n_splits()
    for fold, (train, test) in enumerate(cv.split(X)):
        fits = SpyTeacher.fits[fold * n_teacher_fits : (fold + 1) * n_teacher_fits]
        np.testing.assert_array_equal(np.sort(fits[0]), train)
        for rows in fits[1:]:  # fold teachers: part of the training rows, never the test rows
            assert np.isin(rows, train).all() and rows.size < train.size
        assert not np.isin(test, SpyStudent.fits[fold]).any()


def test_the_teacher_labels_every_round(data):
    X, y, pool = data
    model = PseudoLabelRegressor(
        DecisionTreeRegressor(random_state=0),
        teacher=Ridge(),
        unlabeled=pool,
        sample_rate=0.25,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    assert model.n_pseudo_ == 150
    teacher = Ridge().fit(X, y)
    np.testing.assert_allclose(model.teacher_.coef_, teacher.coef_)
    np.testing.assert_allclose(model.pseudo_labels_, teacher.predict(pool[model.pseudo_indices_]))
    # Without a teacher, rounds 2 and 3 are labelled by the tree refitted on pseudo rows.
    selftaught = PseudoLabelRegressor(
        DecisionTreeRegressor(random_state=0),
        unlabeled=pool,
        sample_rate=0.25,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(selftaught.pseudo_indices_, model.pseudo_indices_)
    assert not np.allclose(selftaught.pseudo_labels_[50:], model.pseudo_labels_[50:])
    # The student is fitted on labelled + pseudo rows with the teacher's labels.
    student = DecisionTreeRegressor(random_state=0).fit(
        np.vstack([X, pool[model.pseudo_indices_]]), np.concatenate([y, model.pseudo_labels_])
    )
    np.testing.assert_array_equal(model.predict(pool), student.predict(pool))


@pytest.mark.parametrize("selection", ["random", "confidence", "coreg"])
@pytest.mark.parametrize("label_source", ["model", "teachers"])
def test_a_teacher_equal_to_the_estimator_changes_nothing_in_one_round(
    data, selection, label_source
):
    X, y, pool = data
    params = dict(
        unlabeled=pool,
        sample_rate=0.3,
        selection=selection,
        label_source=label_source,
        random_state=3,
    )
    plain = PseudoLabelRegressor(Ridge(alpha=2.0), **params).fit(X, y)
    taught = PseudoLabelRegressor(Ridge(alpha=2.0), teacher=Ridge(alpha=2.0), **params).fit(X, y)
    assert plain.teacher_ is None
    np.testing.assert_array_equal(plain.pseudo_indices_, taught.pseudo_indices_)
    np.testing.assert_array_equal(plain.pseudo_labels_, taught.pseudo_labels_)
    np.testing.assert_array_equal(plain.predict(pool), taught.predict(pool))
    assert plain.n_pseudo_ > 0
    assert same_history(plain.history_, taught.history_)


def test_native_uncertainty_is_the_teachers(data):
    X, y, pool = data
    params = dict(unlabeled=pool, sample_rate=0.3, selection="confidence", random_state=0)
    forest = RandomForestRegressor(n_estimators=10, random_state=0)
    model = PseudoLabelRegressor(Ridge(), teacher=forest, **params).fit(X, y)
    assert model.history_[0]["uncertainty"] == "tree_spread"
    per_tree = np.stack([tree.predict(pool) for tree in model.teacher_.estimators_])
    expected = np.sort(np.argsort(per_tree.std(axis=0), kind="stable")[:60])
    np.testing.assert_array_equal(model.pseudo_indices_, expected)
    np.testing.assert_allclose(model.pseudo_labels_, model.teacher_.predict(pool[expected]))
    # a forest student with a linear teacher: the spread comes from fold clones of the teacher
    reverse = PseudoLabelRegressor(forest, teacher=Ridge(), **params).fit(X, y)
    assert reverse.history_[0]["uncertainty"] == "teachers"


def test_an_ensemble_teacher(data):
    X, y, pool = data
    voting = VotingRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]
    )
    model = PseudoLabelRegressor(
        LinearRegression(), teacher=voting, unlabeled=pool, sample_rate=0.5, random_state=0
    ).fit(X, y)
    expected = clone(voting).fit(X, y).predict(pool[model.pseudo_indices_])
    np.testing.assert_allclose(model.pseudo_labels_, expected)
    assert isinstance(model.teacher_, VotingRegressor)
    assert model.teacher is voting and not hasattr(voting, "estimators_")  # never fitted


def test_sample_weight_reaches_the_teacher_and_other_fit_params_only_the_student(data):
    X, y, pool = data
    weights = np.linspace(0.5, 2.0, len(y))
    model = PseudoLabelRegressor(
        SpyStudent(), teacher=Ridge(), unlabeled=pool, sample_rate=0.5, pseudo_weight=0.5
    ).fit(X, y, sample_weight=weights, note="student only")
    np.testing.assert_allclose(model.teacher_.coef_, Ridge().fit(X, y, sample_weight=weights).coef_)
    (params,) = SpyStudent.params
    assert params["note"] == "student only"
    np.testing.assert_array_equal(params["sample_weight"][:100], weights)
    np.testing.assert_array_equal(params["sample_weight"][100:], 0.5)
    # a teacher without sample_weight is fitted without it
    knn = PseudoLabelRegressor(
        Ridge(), teacher=KNeighborsRegressor(), unlabeled=pool, sample_rate=0.5
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(
        knn.pseudo_labels_, KNeighborsRegressor().fit(X, y).predict(pool[knn.pseudo_indices_])
    )


def test_no_teacher_is_fitted_when_there_is_nothing_to_pseudo_label(ids):
    X, y, pool = ids
    model = PseudoLabelRegressor(
        SpyStudent(), teacher=SpyTeacher(), unlabeled=pool, sample_rate=0.0
    ).fit(X, y)
    assert model.teacher_ is None and SpyTeacher.fits == []
    np.testing.assert_array_equal(np.sort(SpyStudent.fits[0]), np.arange(100))
    np.testing.assert_allclose(model.estimator_.coef_, Ridge().fit(X, y).coef_)


def test_student_is_fitted_on_the_labels_when_no_round_selects(data):
    X, y, pool = data
    # A constant teacher's labels equal its out-of-fold predictions, so no pseudo-label lowers
    # any neighbour's error: coreg's first round selects nothing.
    model = PseudoLabelRegressor(
        Ridge(),
        teacher=DummyRegressor(strategy="constant", constant=1000.0),
        unlabeled=pool,
        selection="coreg",
    ).fit(X, y)
    assert model.termination_condition_ == "no_change" and model.n_pseudo_ == 0
    assert model.teacher_ is not None
    np.testing.assert_allclose(model.predict(pool), Ridge().fit(X, y).predict(pool))


def test_clone_clones_the_teacher_and_shares_the_pool(data):
    X, y, pool = data
    teacher = Ridge(alpha=3.0)
    model = PseudoLabelRegressor(LinearRegression(), teacher=teacher, unlabeled=pool)
    copy = clone(model)
    assert copy.unlabeled is pool
    assert copy.teacher is not teacher and copy.teacher.get_params() == teacher.get_params()
    assert model.get_params()["teacher__alpha"] == 3.0
    model.set_params(teacher__alpha=0.5)
    assert teacher.alpha == 0.5
    defaults = PseudoLabelRegressor(Ridge()).get_params(deep=False)
    assert defaults["teacher"] is None
    signature = inspect.signature(PseudoLabelRegressor).parameters
    assert list(signature)[:2] == ["estimator", "teacher"]
    assert signature["teacher"].kind is inspect.Parameter.KEYWORD_ONLY


def test_tags_need_both_estimator_and_teacher(data):
    hist = HistGradientBoostingRegressor()
    assert get_tags(PseudoLabelRegressor(hist)).input_tags.allow_nan
    assert not get_tags(PseudoLabelRegressor(hist, teacher=Ridge())).input_tags.allow_nan
    assert not get_tags(PseudoLabelRegressor(Ridge(), teacher=hist)).input_tags.allow_nan


def test_teacher_without_predict_is_rejected(data):
    X, y, pool = data
    message = (
        "The 'teacher' parameter of PseudoLabelRegressor must be an object implementing "
        "'fit' and 'predict' or None. Got 'forest' instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        PseudoLabelRegressor(Ridge(), teacher="forest", unlabeled=pool).fit(X, y)
