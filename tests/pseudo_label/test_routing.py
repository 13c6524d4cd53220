"""Fit parameters reach the inner estimators through scikit-learn's metadata routing."""

from __future__ import annotations

import inspect

import lightgbm
import numpy as np
import pytest
import sklearn
from lightgbm import LGBMRegressor
from sklearn.base import clone
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import get_scorer, r2_score
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.metadata_routing import get_routing_for_object

from pseudoboost import PseudoLabelClassifier, PseudoLabelRegressor
from pseudoboost.pseudo_label._labels import subset_fit_params


class SpyStudent(LinearRegression):
    """LinearRegression that records the parameters of every fit."""

    fits: list[dict] = []

    def fit(self, X, y, sample_weight=None, note=None):
        SpyStudent.fits.append({"n_rows": len(y), "sample_weight": sample_weight, "note": note})
        return super().fit(X, y, sample_weight=sample_weight)


class SpyTeacher(Ridge):
    """Ridge that records the parameters of every fit."""

    fits: list[dict] = []

    def fit(self, X, y, sample_weight=None, note=None):
        SpyTeacher.fits.append({"n_rows": len(y), "sample_weight": sample_weight, "note": note})
        return super().fit(X, y, sample_weight=sample_weight)


class SpyClassifier(LogisticRegression):
    """LogisticRegression that records the weights of every fit."""

    fits: list[np.ndarray | None] = []

    def fit(self, X, y, sample_weight=None):
        SpyClassifier.fits.append(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture(autouse=True)
def reset_spies():
    SpyStudent.fits, SpyTeacher.fits, SpyClassifier.fits = [], [], []


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def data():
    """120 rows of X (the last 20 unlabelled: NaN target), a pool of 180, uneven weights."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=120)
    y[100:] = np.nan
    pool = rng.normal(size=(180, 4))
    weights = rng.uniform(0.2, 3.0, size=120)
    return X, y, pool, weights


def test_routed_weights_and_params_reach_the_student_in_every_round(data, routing):
    X, y, pool, weights = data
    student = SpyStudent().set_fit_request(sample_weight=True, note=True)
    model = PseudoLabelRegressor(
        student, unlabeled=pool, sample_rate=0.2, pseudo_weight=0.5, max_iter=3, random_state=0
    ).fit(X, y, sample_weight=weights, note="routed")
    # A first fit on the labelled rows, then one per round, each adding 0.2 * 200 rows.
    assert [fit["n_rows"] for fit in SpyStudent.fits] == [100, 140, 180, 220]
    for fit in SpyStudent.fits:
        assert fit["note"] == "routed"
        np.testing.assert_array_equal(fit["sample_weight"][:100], weights[:100])
        np.testing.assert_array_equal(fit["sample_weight"][100:], 0.5)
    # The final model is the weighted fit of labelled + pseudo-labelled rows.
    whole_pool = np.vstack([X[100:], pool])
    expected = LinearRegression().fit(
        np.vstack([X[:100], whole_pool[model.pseudo_indices_]]),
        np.concatenate([y[:100], model.pseudo_labels_]),
        sample_weight=np.concatenate([weights[:100], np.full(model.n_pseudo_, 0.5)]),
    )
    np.testing.assert_allclose(model.estimator_.coef_, expected.coef_)


def test_routed_params_go_only_where_requested(data, routing):
    X, y, pool, weights = data
    PseudoLabelRegressor(
        SpyStudent().set_fit_request(sample_weight=False, note=True),
        teacher=SpyTeacher().set_fit_request(sample_weight=True, note=False),
        unlabeled=pool,
        sample_rate=0.5,
        random_state=0,
    ).fit(X, y, sample_weight=weights, note="student only")
    ((teacher_fit), (student_fit)) = SpyTeacher.fits + SpyStudent.fits
    assert teacher_fit["note"] is None
    np.testing.assert_array_equal(teacher_fit["sample_weight"], weights[:100])
    assert student_fit["note"] == "student only"
    assert student_fit["sample_weight"] is None  # not requested, and pseudo_weight is 1


def test_the_router_lists_the_student_and_the_teacher():
    with sklearn.config_context(enable_metadata_routing=True):
        alone = PseudoLabelRegressor(SpyStudent().set_fit_request(note=True))
        taught = PseudoLabelRegressor(
            SpyStudent().set_fit_request(note=True),
            teacher=SpyTeacher().set_fit_request(sample_weight=True),
        )
        asked = ("sample_weight", "note")
        assert get_routing_for_object(alone).consumes("fit", asked) == {"note"}
        assert get_routing_for_object(taught).consumes("fit", asked) == {"sample_weight", "note"}


def test_metadata_nobody_requested_raises(data, routing):
    X, y, pool, weights = data
    with pytest.raises(UnsetMetadataPassedError, match=r"\[sample_weight\].*Ridge\.fit"):
        PseudoLabelRegressor(Ridge(), unlabeled=pool).fit(X, y, sample_weight=weights)
    # The teacher must say too when the student asked for the weights.
    taught = PseudoLabelRegressor(
        Ridge().set_fit_request(sample_weight=True), teacher=Ridge(), unlabeled=pool
    )
    with pytest.raises(UnsetMetadataPassedError, match=r"\[sample_weight\]"):
        taught.fit(X, y, sample_weight=weights)
    with pytest.raises(TypeError, match=r"\{'eval_set'\}, which are not routed to any object"):
        PseudoLabelRegressor(Ridge(), unlabeled=pool).fit(X, y, eval_set=[(X, y)])


def test_pseudo_weight_needs_a_sample_weight_request_under_routing(data, routing):
    X, y, pool, _ = data
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool, pseudo_weight=0.5)
    with pytest.raises(ValueError, match=r"^Ridge has not requested sample_weight"):
        model.fit(X, y)
    model.set_params(estimator=Ridge().set_fit_request(sample_weight=True)).fit(X, y)
    assert model.n_pseudo_ == 40
    # In a Pipeline the step that takes the weights asks for them (the others decline).
    scaler = StandardScaler().set_fit_request(sample_weight=False)
    step = Ridge().set_fit_request(sample_weight=True)
    model.set_params(estimator=make_pipeline(scaler, step)).fit(X, y)
    assert model.estimator_.steps[-1][1].coef_ == pytest.approx(
        clone(model.estimator)
        .fit(
            np.vstack([X[:100], np.vstack([X[100:], pool])[model.pseudo_indices_]]),
            np.concatenate([y[:100], model.pseudo_labels_]),
            sample_weight=np.r_[np.ones(100), np.full(model.n_pseudo_, 0.5)],
        )
        .steps[-1][1]
        .coef_
    )


def test_routed_weights_inside_cross_validate(data, routing):
    X, y, pool, weights = data
    X, y, weights = X[:100], y[:100], weights[:100]
    model = PseudoLabelRegressor(
        Ridge().set_fit_request(sample_weight=True),
        unlabeled=pool,
        sample_rate=0.5,
        pseudo_weight=0.25,
        random_state=0,
    )
    cv = KFold(3, shuffle=True, random_state=0)
    scorer = get_scorer("r2").set_score_request(sample_weight=True)
    result = cross_validate(
        model,
        X,
        y,
        cv=cv,
        scoring=scorer,
        params={"sample_weight": weights},
        return_estimator=True,
    )
    folds = zip(cv.split(X), result["estimator"], result["test_score"], strict=True)
    for (train, test), fitted, score in folds:
        expected = Ridge().fit(
            np.vstack([X[train], pool[fitted.pseudo_indices_]]),
            np.concatenate([y[train], fitted.pseudo_labels_]),
            sample_weight=np.concatenate([weights[train], np.full(fitted.n_pseudo_, 0.25)]),
        )
        np.testing.assert_allclose(fitted.estimator_.coef_, expected.coef_)
        # the test fold's weights reach the scorer
        prediction = expected.predict(X[test])
        assert score == pytest.approx(r2_score(y[test], prediction, sample_weight=weights[test]))


def test_score_consumes_sample_weight_itself(routing):
    model = PseudoLabelRegressor(Ridge().set_fit_request(sample_weight=True))
    assert get_routing_for_object(model).consumes("score", ["sample_weight"]) == set()
    model.set_score_request(sample_weight=True)
    assert get_routing_for_object(model).consumes("score", ["sample_weight"]) == {"sample_weight"}


def test_clone_keeps_the_score_request(routing):
    model = PseudoLabelRegressor(Ridge()).set_score_request(sample_weight=True)
    assert get_routing_for_object(clone(model)).consumes("score", ["sample_weight"]) == {
        "sample_weight"
    }


def validation_params(X: np.ndarray, y: np.ndarray) -> dict:
    """LightGBM's validation set: ``eval_X``/``eval_y`` from 4.7 (``eval_set`` deprecated)."""
    if "eval_X" in inspect.signature(LGBMRegressor.fit).parameters:
        return {"eval_X": X, "eval_y": y}
    return {"eval_set": [(X, y)]}


@pytest.mark.parametrize("routed", [False, True])
def test_lightgbm_early_stopping_in_every_round(data, routed):
    X, y, pool, _ = data
    X, y = X[:100], y[:100]
    # A validation set as long as the training rows, so no row-alignment rule may touch it.
    rng = np.random.RandomState(1)
    X_val = rng.normal(size=(100, 4))
    y_val = X_val @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=100)
    trainings = []  # one entry per LightGBM training: the callbacks reach every fit

    def count_trainings(env):
        if env.iteration == env.begin_iteration:
            trainings.append(env.end_iteration)

    params = {
        **validation_params(X_val, y_val),
        "callbacks": [lightgbm.early_stopping(5, verbose=False), count_trainings],
    }
    with sklearn.config_context(enable_metadata_routing=routed):
        student = LGBMRegressor(n_estimators=1000, min_child_samples=5, verbose=-1)
        if routed:
            student.set_fit_request(**dict.fromkeys(params, True))
        model = PseudoLabelRegressor(
            student, unlabeled=pool, sample_rate=0.3, max_iter=2, random_state=0
        ).fit(X, y, **params)
    assert model.n_iter_ == 2
    assert trainings == [1000, 1000, 1000]  # labelled rows, then each of the 2 rounds
    # Early stopping on the validation set: far fewer than 1000 trees, scored on all 100 rows.
    assert 0 < model.estimator_.best_iteration_ < 200
    scores = model.estimator_.evals_result_["valid_0"]["l2"]
    assert len(scores) == model.estimator_.best_iteration_ + 5
    expected = np.sqrt(np.mean((model.predict(X_val) - y_val) ** 2))
    assert model.estimator_.best_score_["valid_0"]["l2"] == pytest.approx(expected**2)


def test_without_routing_every_param_reaches_the_student(data):
    X, y, pool, weights = data
    PseudoLabelRegressor(
        SpyStudent(), teacher=SpyTeacher(), unlabeled=pool, sample_rate=0.5, pseudo_weight=0.5
    ).fit(X, y, sample_weight=weights, note="student only")
    ((teacher_fit), (student_fit)) = SpyTeacher.fits + SpyStudent.fits
    assert teacher_fit["note"] is None
    np.testing.assert_array_equal(teacher_fit["sample_weight"], weights[:100])
    assert student_fit["note"] == "student only"
    np.testing.assert_array_equal(student_fit["sample_weight"][:100], weights[:100])
    np.testing.assert_array_equal(student_fit["sample_weight"][100:], 0.5)
    # A Pipeline takes the weights on its last step, under the key its fit understands.
    piped = PseudoLabelRegressor(
        make_pipeline(StandardScaler(), Ridge()), unlabeled=pool, pseudo_weight=0.5
    ).fit(X, y, sample_weight=weights)
    assert piped.n_pseudo_ == 40


def test_sample_weight_needs_one_value_per_row_of_X(data):
    X, y, pool, weights = data
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool)
    with pytest.raises(ValueError, match=r"^sample_weight has shape \(100,\) but X has 120 rows"):
        model.fit(X, y, sample_weight=weights[:100])  # weights of the labelled rows only


def test_only_sample_weights_follow_the_rows_of_fold_teachers():
    weights, eval_X = np.arange(6.0), np.arange(12.0).reshape(6, 2)
    subset = subset_fit_params(
        {"sample_weight": weights, "ridge__sample_weight": weights, "eval_X": eval_X},
        6,
        np.array([0, 2]),
    )
    np.testing.assert_array_equal(subset["sample_weight"], [0.0, 2.0])
    np.testing.assert_array_equal(subset["ridge__sample_weight"], [0.0, 2.0])
    assert subset["eval_X"] is eval_X


def test_classifier_routes_weights_and_weights_pseudo_rows(routing):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    y[120:] = -1
    weights = rng.uniform(0.5, 2.0, size=200)
    model = PseudoLabelClassifier(
        SpyClassifier().set_fit_request(sample_weight=True), threshold=0.8, pseudo_weight=0.3
    ).fit(X, y, sample_weight=weights)
    assert model.n_pseudo_ > 0
    first, last = SpyClassifier.fits
    np.testing.assert_array_equal(first, weights[:120])
    np.testing.assert_array_equal(last[:120], weights[:120])
    np.testing.assert_array_equal(last[120:], np.full(model.n_pseudo_, 0.3))
