"""selection="confidence" of PseudoLabelRegressor: the most certain rows, the bar, the seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import BayesianRidge, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from pseudoboost import PseudoLabelRegressor
from pseudoboost.pseudo_label._confidence import native_uncertainty, teacher_uncertainty
from pseudoboost.pseudo_label._labels import teacher_predictions


def two_clusters(seed: int = 0):
    """Labelled rows in two far-apart clusters and a pool whose certain rows are known.

    Cluster A (x in [0, 1]) has the constant target 5; cluster B (x in [10, 11]) has noisy
    targets. Any local model is certain near A (every teacher, every tree predicts exactly 5)
    and uncertain near B. The pool interleaves 10 rows near A with 10 rows near B.
    """
    rng = np.random.RandomState(seed)
    x_a, x_b = np.linspace(0, 1, 30), np.linspace(10, 11, 30)
    X = np.concatenate([x_a, x_b])[:, None]
    y = np.concatenate([np.full(30, 5.0), rng.normal(0, 10, size=30)])
    pool_a, pool_b = np.linspace(0.2, 0.8, 10), np.linspace(10.2, 10.8, 10)
    pool = np.empty(20)
    pool[0::2], pool[1::2] = pool_a, pool_b
    certain = np.arange(0, 20, 2)  # positions of the pool rows near A
    return X, y, pool[:, None], certain


@pytest.mark.parametrize(
    ("estimator", "method"),
    [
        (KNeighborsRegressor(n_neighbors=3), "teachers"),
        (RandomForestRegressor(n_estimators=10, random_state=0), "tree_spread"),
        (ExtraTreesRegressor(n_estimators=10, random_state=0), "tree_spread"),
        (make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=3)), "teachers"),
    ],
)
def test_the_certain_rows_are_selected(estimator, method):
    X, y, pool, certain = two_clusters()
    model = PseudoLabelRegressor(
        estimator, unlabeled=pool, sample_rate=0.5, selection="confidence", random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(model.pseudo_indices_, certain)
    np.testing.assert_allclose(model.pseudo_labels_, 5.0)
    (row,) = model.history_
    assert row["selection"] == "confidence"
    assert row["uncertainty"] == method
    assert row["max_uncertainty"] == pytest.approx(0.0, abs=1e-12)
    assert ("n_teachers" in row) == (method == "teachers")


def test_random_selection_does_not_find_them():
    # The same case with the article's random rule takes some uncertain rows: the test above
    # is not passing by accident of the construction.
    X, y, pool, certain = two_clusters()
    model = PseudoLabelRegressor(
        KNeighborsRegressor(n_neighbors=3), unlabeled=pool, sample_rate=0.5, random_state=0
    ).fit(X, y)
    assert not np.array_equal(model.pseudo_indices_, certain)


@pytest.mark.parametrize("scaled", [False, True])
def test_return_std_picks_rows_nearest_the_labelled_mean(scaled):
    # BayesianRidge's predictive std grows with the distance to the mean of the labelled X.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 1))
    y = 3 * X[:, 0] + rng.normal(scale=0.1, size=40)
    distances = rng.permutation(np.linspace(0.1, 3.0, 12))
    pool = X.mean() + distances * np.where(np.arange(12) % 2, 1, -1)
    estimator = make_pipeline(StandardScaler(), BayesianRidge()) if scaled else BayesianRidge()
    model = PseudoLabelRegressor(
        estimator, unlabeled=pool[:, None], sample_rate=0.25, selection="confidence"
    ).fit(X, y)
    np.testing.assert_array_equal(model.pseudo_indices_, np.sort(np.argsort(distances)[:3]))
    assert model.history_[0]["uncertainty"] == "return_std"


def test_native_uncertainty_is_none_without_a_native_estimate():
    X, y, pool, _ = two_clusters()
    assert native_uncertainty(Ridge().fit(X, y), pool) is None
    std, method = native_uncertainty(RandomForestRegressor(n_estimators=5).fit(X, y), pool)
    assert method == "tree_spread" and std.shape == (20,)


def test_tree_spread_is_the_std_of_the_trees_and_checks_the_columns():
    X, y, pool, _ = two_clusters()
    frame = pd.DataFrame({"x": X[:, 0], "noise": np.arange(len(X)) % 3})
    pool_frame = pd.DataFrame({"x": pool[:, 0], "noise": np.arange(len(pool)) % 3})
    for forest in (RandomForestRegressor(n_estimators=7), ExtraTreesRegressor(n_estimators=7)):
        model = make_pipeline(StandardScaler(), forest.set_params(random_state=0)).fit(frame, y)
        std, method = native_uncertainty(model, pool_frame)
        Xt = model[:-1].transform(pool_frame).astype(np.float32)
        expected = np.std([tree.predict(Xt) for tree in model[-1].estimators_], axis=0)
        assert method == "tree_spread"
        np.testing.assert_allclose(std, expected)
        bare = clone(forest).fit(frame, y)  # the forest's own column checks apply
        with pytest.raises(ValueError, match="feature names should match"):
            native_uncertainty(bare, pool_frame.rename(columns=str.upper))
        with pytest.warns(UserWarning, match="valid feature names"):
            with pytest.raises(ValueError, match="X has 1 features"):
                native_uncertainty(bare, pool)
    # Boosting has estimators_ too, but its stages are not a sample of predictions.
    assert native_uncertainty(GradientBoostingRegressor(n_estimators=5).fit(X, y), pool) is None


def test_teacher_uncertainty_is_the_spread_of_fold_models():
    X, y, pool, certain = two_clusters()
    std = teacher_uncertainty(
        KNeighborsRegressor(n_neighbors=3), X, y, pool, 4, np.random.RandomState(0)
    )
    assert std.shape == (20,)
    np.testing.assert_array_equal(std[certain], 0.0)
    assert np.all(np.delete(std, certain) > 0)


def test_rounds_stop_when_no_candidate_is_under_the_bar():
    X, y, pool, certain = two_clusters()
    model = PseudoLabelRegressor(
        KNeighborsRegressor(n_neighbors=3),
        unlabeled=pool,
        sample_rate=0.25,
        selection="confidence",
        uncertainty_threshold=1e-6,
        max_iter=10,
        random_state=0,
    ).fit(X, y)
    assert model.termination_condition_ == "no_change"
    assert model.n_iter_ == 2
    assert [row["n_selected"] for row in model.history_] == [5, 5, 0]
    assert [row["n_eligible"] for row in model.history_] == [10, 5, 0]
    assert model.history_[0]["uncertainty_bar"] == pytest.approx(1e-6 * np.std(y))
    np.testing.assert_array_equal(np.sort(model.pseudo_indices_), certain)


def test_without_a_bar_rounds_take_the_most_certain_first_until_the_pool_is_used():
    X, y, pool, certain = two_clusters()
    model = PseudoLabelRegressor(
        KNeighborsRegressor(n_neighbors=3),
        unlabeled=pool,
        sample_rate=0.25,
        selection="confidence",
        max_iter=10,
        random_state=0,
    ).fit(X, y)
    assert model.termination_condition_ == "all_labeled"
    assert model.n_iter_ == 4
    assert [row["n_selected"] for row in model.history_] == [5, 5, 5, 5]
    np.testing.assert_array_equal(np.sort(model.pseudo_indices_[:10]), certain)
    assert model.history_[1]["max_uncertainty"] == 0.0
    assert model.history_[2]["mean_uncertainty"] > 0.0


def test_max_iter_stops_a_loop_that_still_has_certain_rows():
    X, y, pool, _ = two_clusters()
    model = PseudoLabelRegressor(
        KNeighborsRegressor(n_neighbors=3),
        unlabeled=pool,
        sample_rate=0.25,
        selection="confidence",
        uncertainty_threshold=1e-6,
        max_iter=1,
        random_state=0,
    ).fit(X, y)
    assert model.termination_condition_ == "max_iter"
    assert model.n_pseudo_ == 5


def _noisy_problem():
    rng = np.random.RandomState(0)
    X, pool = rng.normal(size=(80, 3)), rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.5, size=80)
    return X, y, pool


def test_same_random_state_same_fit():
    X, y, pool = _noisy_problem()

    def fit(seed):
        return PseudoLabelRegressor(
            DecisionTreeRegressor(random_state=0),
            unlabeled=pool,
            sample_rate=0.3,
            selection="confidence",
            max_iter=2,
            random_state=seed,
        ).fit(X, y)

    first, second, other = fit(0), fit(0), fit(1)
    np.testing.assert_array_equal(first.pseudo_indices_, second.pseudo_indices_)
    np.testing.assert_array_equal(first.pseudo_labels_, second.pseudo_labels_)
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict(pool), second.predict(pool))
    # The seed draws the teachers' folds, so another seed ranks the pool differently.
    assert not np.array_equal(first.pseudo_indices_, other.pseudo_indices_)


def test_whole_pool_makes_confidence_and_random_identical():
    X, y, pool = _noisy_problem()
    fits = [
        PseudoLabelRegressor(
            DecisionTreeRegressor(random_state=0),
            unlabeled=pool,
            sample_rate=1.0,
            selection=selection,
            random_state=0,
        ).fit(X, y)
        for selection in ("random", "confidence")
    ]
    np.testing.assert_array_equal(fits[0].pseudo_indices_, np.arange(120))
    np.testing.assert_array_equal(fits[1].pseudo_indices_, np.arange(120))
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))


def test_defaults_keep_random_selection():
    params = PseudoLabelRegressor(Ridge()).get_params()
    assert params["selection"] == "random"
    assert params["label_source"] == "model"
    assert params["n_teachers"] == 5
    assert params["uncertainty_threshold"] is None
    X, y, pool = _noisy_problem()
    model = PseudoLabelRegressor(Ridge(), unlabeled=pool, random_state=0).fit(X, y)
    assert model.history_[0]["selection"] == "random"
    assert model.history_[0]["label_source"] == "model"
    assert "n_teachers" not in model.history_[0]


def test_teacher_labels_are_the_mean_of_the_fold_teachers():
    X, y, pool = _noisy_problem()
    tree = DecisionTreeRegressor(random_state=0)
    model = PseudoLabelRegressor(
        tree, unlabeled=pool, sample_rate=0.25, label_source="teachers", random_state=0
    ).fit(X, y)
    # replay the fit's generator: the random rows first, then the teachers' folds
    rng = np.random.RandomState(0)
    positions = np.sort(rng.choice(120, size=30, replace=False))
    expected = teacher_predictions(tree, X, y, pool[positions], 5, rng).mean(axis=0)
    np.testing.assert_array_equal(model.pseudo_indices_, positions)
    np.testing.assert_allclose(model.pseudo_labels_, expected)
    model_labels = tree.fit(X, y).predict(pool[positions])
    assert not np.allclose(model.pseudo_labels_, model_labels)
    assert model.history_[0]["label_source"] == "teachers"
    assert model.history_[0]["n_teachers"] == 5


@pytest.mark.parametrize(
    ("estimator", "method"),
    [
        (KNeighborsRegressor(n_neighbors=3), "teachers"),
        (RandomForestRegressor(n_estimators=10, random_state=0), "tree_spread"),
    ],
)
def test_confidence_with_teacher_labels(estimator, method):
    X, y, pool, certain = two_clusters()
    model = PseudoLabelRegressor(
        estimator,
        unlabeled=pool,
        sample_rate=0.5,
        selection="confidence",
        label_source="teachers",
        n_teachers=3,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(model.pseudo_indices_, certain)
    np.testing.assert_allclose(model.pseudo_labels_, 5.0)
    row = model.history_[0]
    assert (row["uncertainty"], row["label_source"], row["n_teachers"]) == (
        method,
        "teachers",
        3,
    )


class _WeightRecorder(RegressorMixin, BaseEstimator):
    """A mean regressor that records the rows and weights of each fit."""

    calls: list = []

    def fit(self, X, y, sample_weight=None):
        type(self).calls.append((len(y), None if sample_weight is None else len(sample_weight)))
        self.mean_ = float(np.average(y, weights=sample_weight))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_teachers_get_the_weights_of_their_rows():
    X, y, pool = _noisy_problem()
    X_nan = np.vstack([X, pool[:20]])
    y_nan = np.concatenate([y, np.full(20, np.nan)])
    _WeightRecorder.calls = []
    PseudoLabelRegressor(
        _WeightRecorder(),
        unlabeled=pool[20:],
        sample_rate=0.1,
        selection="confidence",
        n_teachers=4,
        random_state=0,
    ).fit(X_nan, y_nan, sample_weight=np.ones(100))
    # the teacher on all 80 labelled rows, 4 fold teachers on 60 each, the final refit
    assert _WeightRecorder.calls == [(80, 80), (60, 60), (60, 60), (60, 60), (60, 60), (92, 92)]


def test_dataframes_reach_the_teachers():
    X, y, pool = _noisy_problem()
    columns = ["a", "b", "c"]
    model = PseudoLabelRegressor(
        DecisionTreeRegressor(random_state=0),
        unlabeled=pd.DataFrame(pool, columns=columns),
        selection="confidence",
        random_state=0,
    ).fit(pd.DataFrame(X, columns=columns), y)
    assert model.n_pseudo_ == 24
    assert model.history_[0]["uncertainty"] == "teachers"


def test_too_few_labelled_rows_for_the_teachers():
    X, y, pool, _ = two_clusters()
    model = PseudoLabelRegressor(
        KNeighborsRegressor(n_neighbors=1), unlabeled=pool, selection="confidence", n_teachers=5
    )
    with pytest.raises(ValueError, match="needs at least 5 labelled rows, got 4: lower n_teachers"):
        model.fit(X[:4], y[:4])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"n_teachers": 1},
            r"The 'n_teachers' parameter of PseudoLabelRegressor must be an int in the range "
            r"\[2, inf\). Got 1 instead.",
        ),
        (
            {"uncertainty_threshold": 0.0},
            r"The 'uncertainty_threshold' parameter of PseudoLabelRegressor must be a float in "
            r"the range \(0.0, inf\) or None. Got 0.0 instead.",
        ),
        (
            {"label_source": "trees"},
            r"The 'label_source' parameter of PseudoLabelRegressor must be a str among "
            r"\{('model', 'teachers'|'teachers', 'model')\}. Got 'trees' instead.",
        ),
        (
            {"selection": "best"},
            # the options are a set, printed in hash order: each is looked for ahead
            r"(?=.*'confidence')(?=.*'coreg')(?=.*'random')The 'selection' parameter of "
            r"PseudoLabelRegressor must be a str among \{'\w+', '\w+', '\w+'\}. Got 'best' "
            r"instead.",
        ),
    ],
)
def test_bad_parameters(params, message):
    X, y, pool, _ = two_clusters()
    with pytest.raises(InvalidParameterError, match=message):
        PseudoLabelRegressor(Ridge(), unlabeled=pool, **params).fit(X, y)
