"""selection="coreg" of PseudoLabelRegressor: pseudo-labels that help their labelled neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from pseudoboost import PseudoLabelRegressor
from pseudoboost.pseudo_label._coreg import coreg_reductions, neighbor_features
from pseudoboost.pseudo_label._labels import fold_predictions


def target(X: np.ndarray) -> np.ndarray:
    return X[:, 0] - 2 * X[:, 1] + np.sin(3 * X[:, 2])


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X, pool = rng.normal(size=(80, 3)), rng.normal(size=(200, 3))
    return X, target(X) + 0.3 * rng.normal(size=80), pool


def coreg(estimator, pool, **params) -> PseudoLabelRegressor:
    return PseudoLabelRegressor(
        estimator,
        unlabeled=pool,
        selection="coreg",
        **{"sample_rate": 0.2, "random_state": 0, **params},
    )


def test_reductions_are_a_knn_that_gains_the_candidate_as_a_neighbour():
    rng = np.random.RandomState(0)
    y_nb, oof_nb, labels = rng.normal(size=(7, 4)), rng.normal(size=(7, 4)), rng.normal(size=7)
    k = 4
    expected = np.empty(7)
    for u in range(7):  # one candidate at a time: each neighbour averages k + 1 values
        after = (k * oof_nb[u] + labels[u]) / (k + 1)
        expected[u] = ((y_nb[u] - oof_nb[u]) ** 2).sum() - ((y_nb[u] - after) ** 2).sum()
    np.testing.assert_allclose(coreg_reductions(y_nb, oof_nb, labels, 1 / (k + 1)), expected)
    # A pseudo-label equal to the neighbours' out-of-fold predictions changes nothing; one
    # on the side of their true targets helps; one far beyond them hurts.
    oof, y = np.zeros((1, 3)), np.ones((1, 3))
    assert coreg_reductions(y, oof, np.array([0.0]), 0.2)[0] == 0.0
    assert coreg_reductions(y, oof, np.array([1.0]), 0.2)[0] > 0.0
    assert coreg_reductions(y, oof, np.array([-1.0]), 0.2)[0] < 0.0
    assert coreg_reductions(y, oof, np.array([50.0]), 0.2)[0] < 0.0


def test_selected_rows_are_the_largest_positive_reductions(data):
    X, y, pool = data
    model = coreg(Ridge(), pool, sample_rate=0.4, random_state=5).fit(X, y)
    # replay the round: fold residuals drawn first from the seed, then the labeller's labels
    _, oof = fold_predictions(Ridge(), X, y, None, 5, np.random.RandomState(5), out_of_fold=True)
    labeller = Ridge().fit(X, y)
    Z_lab, Z_pool = neighbor_features(labeller, X, pool)
    neighbors = NearestNeighbors(n_neighbors=5).fit(Z_lab).kneighbors(Z_pool)[1]
    reductions = coreg_reductions(y[neighbors], oof[neighbors], labeller.predict(pool), 1 / 6)
    positive = np.flatnonzero(reductions > 0)
    assert 0 < positive.size < len(pool)
    n_expected = min(80, positive.size)
    expected = np.sort(np.argsort(-reductions, kind="stable")[:n_expected])
    np.testing.assert_array_equal(model.pseudo_indices_, expected)
    assert np.all(reductions[model.pseudo_indices_] > 0)
    np.testing.assert_allclose(model.pseudo_labels_, labeller.predict(pool[expected]))
    (row,) = model.history_
    assert row["n_eligible"] == positive.size
    assert row["min_reduction"] == pytest.approx(reductions[expected].min())
    assert row["mean_reduction"] == pytest.approx(reductions[expected].mean())


@pytest.mark.parametrize(
    "estimator",
    [
        Ridge(),
        DecisionTreeRegressor(max_depth=4, random_state=0),
        RandomForestRegressor(n_estimators=10, random_state=0),
        make_pipeline(StandardScaler(), KNeighborsRegressor()),
    ],
)
@pytest.mark.parametrize("label_source", ["model", "teachers"])
def test_rounds_never_exceed_the_rate_and_take_only_positive_reductions(
    data, estimator, label_source
):
    X, y, pool = data
    model = coreg(estimator, pool, sample_rate=0.15, max_iter=6, label_source=label_source).fit(
        X, y
    )
    per_round = round(0.15 * len(pool))
    assert model.history_
    for row in model.history_:
        assert row["selection"] == "coreg" and row["n_neighbors"] == 5
        assert row["n_selected"] <= min(per_round, row["n_eligible"])
        if row["n_selected"]:
            assert row["min_reduction"] > 0 and row["mean_reduction"] >= row["min_reduction"]
    assert model.n_pseudo_ == sum(row["n_selected"] for row in model.history_)
    assert len(set(model.pseudo_indices_)) == model.n_pseudo_
    if model.termination_condition_ == "no_change":
        assert model.history_[-1]["n_selected"] == 0


def test_labels_far_from_the_neighbours_targets_are_never_taken():
    # The teacher adds 100 to the pool rows marked in the last column: their pseudo-labels
    # would wreck their labelled neighbours, the others' are right.
    class MarkedTeacher(LinearRegression):
        def predict(self, X):
            return super().predict(X) + 100.0 * np.asarray(X)[:, -1]

    rng = np.random.RandomState(1)
    X = np.column_stack([rng.normal(size=(80, 3)), np.zeros(80)])
    pool = np.column_stack([rng.normal(size=(200, 3)), np.arange(200) % 2])
    y = target(X) + 0.3 * rng.normal(size=80)
    model = coreg(Ridge(), pool, teacher=MarkedTeacher(), sample_rate=0.5, max_iter=3).fit(X, y)
    assert model.n_pseudo_ > 0
    assert not np.any(pool[model.pseudo_indices_, -1])
    assert model.termination_condition_ == "no_change"


def test_nothing_selected_when_no_reduction_is_positive(data):
    X, y, pool = data

    class Constant(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.value_ = 3.0
            return self

        def predict(self, X):
            return np.full(len(X), self.value_)

    model = coreg(Constant(), pool, max_iter=3).fit(X, y)
    assert model.n_pseudo_ == 0 and model.n_iter_ == 0
    assert model.termination_condition_ == "no_change"
    assert model.history_[0]["n_eligible"] == 0
    assert np.isnan(model.history_[0]["mean_reduction"])


def test_sample_rate_zero_is_the_plain_fit(data):
    X, y, pool = data
    tree = DecisionTreeRegressor(random_state=0)
    model = coreg(tree, pool, sample_rate=0.0, teacher=Ridge()).fit(X, y)
    np.testing.assert_array_equal(model.predict(pool), clone(tree).fit(X, y).predict(pool))
    assert model.n_pseudo_ == 0 and model.history_ == []
    assert model.termination_condition_ == "supervised" and model.teacher_ is None


def test_same_random_state_same_fit_and_the_seed_draws_the_folds(data):
    X, y, pool = data
    tree = DecisionTreeRegressor(random_state=0)
    first, second = (coreg(tree, pool, max_iter=3, random_state=4).fit(X, y) for _ in range(2))
    np.testing.assert_array_equal(first.pseudo_indices_, second.pseudo_indices_)
    np.testing.assert_array_equal(first.pseudo_labels_, second.pseudo_labels_)
    np.testing.assert_array_equal(first.predict(pool), second.predict(pool))
    other = coreg(tree, pool, max_iter=3, random_state=5).fit(X, y)
    assert other.history_[0]["mean_reduction"] != first.history_[0]["mean_reduction"]


class CountingRidge(Ridge):
    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        CountingRidge.n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(("label_source", "n_fits"), [("model", 1 + 5 + 3), ("teachers", 1 + 18)])
def test_out_of_fold_residuals_are_fitted_once_unless_teachers_label(data, label_source, n_fits):
    X, y, pool = data
    CountingRidge.n_fits = 0
    model = coreg(CountingRidge(), pool, sample_rate=0.1, max_iter=3, label_source=label_source)
    model.fit(X, y)
    assert [row["n_selected"] for row in model.history_] == [20, 20, 20]
    assert CountingRidge.n_fits == n_fits
    assert ("n_teachers" in model.history_[1]) == (label_source == "teachers")


def test_dataframes_use_the_numeric_columns_or_a_pipelines_features():
    rng = np.random.RandomState(0)

    def frame(n):
        values = rng.normal(size=(n, 2))
        return pd.DataFrame(
            {
                "a": values[:, 0],
                "b": values[:, 1],
                "shop": pd.Categorical(rng.choice(["x", "y", "z"], size=n)),
            }
        )

    X, pool = frame(100), frame(300)
    y = X["a"] - X["b"] + X["shop"].cat.codes + 0.1 * rng.normal(size=100)
    hist = HistGradientBoostingRegressor(max_iter=20, random_state=0)
    native = coreg(hist, pool).fit(X, y)  # categories dropped, "a" and "b" measure distances
    assert 0 < native.n_pseudo_ <= 60
    encoded = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(), ["shop"]), remainder="passthrough", sparse_threshold=0
        ),
        Ridge(),
    )
    X, pool = X.astype({"shop": str}), pool.astype({"shop": str})
    piped = coreg(encoded, pool).fit(X, y)
    assert 0 < piped.n_pseudo_ <= 60
    # neighbours are searched among the one-hot + numeric features the Ridge sees
    Z_lab, Z_pool = neighbor_features(piped.estimator_, X, pool)
    assert Z_lab.shape == (100, 5) and Z_pool.shape == (300, 5)


def test_no_numeric_column_is_explained():
    X = pd.DataFrame({"shop": list("xyzxyzxyzx")})
    pool = pd.DataFrame({"shop": list("xyz")})
    y = np.arange(10.0)
    model = coreg(make_pipeline(OneHotEncoder(), Ridge()), pool, n_teachers=2)
    assert model.fit(X, y).history_[0]["selection"] == "coreg"  # the Pipeline encodes them

    class Mean(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.mean_ = float(np.mean(y))
            return self

        def predict(self, X):
            return np.full(len(X), self.mean_)

    with pytest.raises(ValueError, match="X has no numeric column: pass a Pipeline"):
        coreg(Mean(), pool, n_teachers=2).fit(X, y)


def test_neighbor_features_standardise_on_the_labelled_rows_and_fill_missing():
    X = np.array([[0.0, 5.0, 1.0], [2.0, 5.0, np.nan], [4.0, 5.0, 3.0]])
    pool = np.array([[2.0, 6.0, np.nan]])
    Z_lab, Z_pool = neighbor_features(Ridge(), X, pool)
    np.testing.assert_allclose(Z_lab[:, 0], [-1.2247449, 0.0, 1.2247449], rtol=1e-6)
    np.testing.assert_allclose(Z_lab[:, 1], 0.0)  # a constant column is centred, not scaled
    np.testing.assert_allclose(Z_lab[:, 2], [-1.0, 0.0, 1.0])  # missing -> labelled mean
    np.testing.assert_allclose(Z_pool, [[0.0, 1.0, 0.0]])
    Z_sparse, _ = neighbor_features(Ridge(), sp.csr_matrix(np.nan_to_num(X)), sp.csr_matrix(X))
    assert sp.issparse(Z_sparse)


def test_sparse_input(data):
    X, y, pool = data
    model = coreg(Ridge(), sp.csr_matrix(pool)).fit(sp.csr_matrix(X), y)
    assert 0 < model.n_pseudo_ <= 40
