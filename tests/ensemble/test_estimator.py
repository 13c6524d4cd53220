"""WeightedEnsembleRegressor and WeightedEnsembleClassifier: scikit-learn's contract and behaviour."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from pseudoboost.ensemble import (
    WeightedEnsembleClassifier,
    WeightedEnsembleRegressor,
    _estimator,
)

# Fast constructor arguments, kept in one place.
ESTIMATORS = [
    WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        weights=[0.7, 0.3],
    ),
    WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        weights=[1.0, 0.0],
    ),
    WeightedEnsembleClassifier(
        [
            ("logistic", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ],
        weights=[2, 1],
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_docstring_examples():
    result = doctest.testmod(_estimator, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


class _FitFails(RegressorMixin, BaseEstimator):
    """A member that must never be fitted."""

    def fit(self, X, y):
        raise AssertionError("a zero-weight member was fitted")

    def predict(self, X):
        raise AssertionError("a zero-weight member was asked to predict")


class _FitFailsClassifier(ClassifierMixin, _FitFails):
    pass


def _regression_data(seed=0, n=60):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=n)


def test_zero_weight_members_are_not_fitted():
    X, y = _regression_data()
    ensemble = WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("never", _FitFails()), ("tree", DecisionTreeRegressor())],
        weights=[0.5, 0.0, 0.5],
    ).fit(X, y)
    assert [type(m) for m in ensemble.estimators_] == [Ridge, DecisionTreeRegressor]
    assert list(ensemble.named_estimators_) == ["ridge", "never", "tree"]
    assert ensemble.named_estimators_["never"] == "drop"
    np.testing.assert_array_equal(ensemble.weights_, [0.5, 0.5])
    mean, std = ensemble.predict(X, return_std=True)  # the skipped member is not called
    assert mean.shape == std.shape == (len(X),)


def test_zero_weight_classifier_members_are_not_fitted():
    X, y = _regression_data()
    labels = np.where(y > 0, "up", "down")
    ensemble = WeightedEnsembleClassifier(
        [("never", _FitFailsClassifier()), ("logistic", LogisticRegression())],
        weights=[0, 1],
    ).fit(X, labels)
    assert len(ensemble.estimators_) == 1
    assert ensemble.named_estimators_["never"] == "drop"
    proba = ensemble.predict_proba(X)
    np.testing.assert_allclose(proba, ensemble.estimators_[0].predict_proba(X))


def test_predict_is_the_weighted_average_of_members():
    X, y = _regression_data(1)
    members = [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    ensemble = WeightedEnsembleRegressor(members, weights=[3, 1]).fit(X, y)
    by_hand = 0.75 * clone(members[0][1]).fit(X, y).predict(X) + 0.25 * clone(members[1][1]).fit(
        X, y
    ).predict(X)
    np.testing.assert_allclose(ensemble.predict(X), by_hand)
    # The same as scikit-learn's VotingRegressor with these weights.
    voting = VotingRegressor(members, weights=[3, 1]).fit(X, y)
    np.testing.assert_allclose(ensemble.predict(X), voting.predict(X))


def test_equal_weights_by_default():
    X, y = _regression_data(2)
    members = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
    ensemble = WeightedEnsembleRegressor(members).fit(X, y)
    np.testing.assert_array_equal(ensemble.weights_, [0.5, 0.5])
    np.testing.assert_allclose(ensemble.predict(X), VotingRegressor(members).fit(X, y).predict(X))


def test_return_std_is_the_weighted_spread_of_members():
    X, y = _regression_data(3)
    ensemble = WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], weights=[1, 3]
    ).fit(X[:40], y[:40])
    mean, std = ensemble.predict(X[40:], return_std=True)
    assert mean.shape == std.shape == (20,)
    np.testing.assert_array_equal(mean, ensemble.predict(X[40:]))
    # Two members with weights w, 1 - w: the spread is sqrt(w (1 - w)) |p1 - p2|.
    p_ridge, p_tree = (m.predict(X[40:]) for m in ensemble.estimators_)
    np.testing.assert_allclose(std, np.sqrt(0.25 * 0.75) * np.abs(p_ridge - p_tree))


def test_return_std_is_zero_for_one_member():
    X, y = _regression_data(4)
    ensemble = WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor())], weights=[1, 0]
    ).fit(X, y)
    _, std = ensemble.predict(X, return_std=True)
    np.testing.assert_array_equal(std, np.zeros(len(X)))


def test_dataframes_reach_the_members_unchanged():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"size": rng.normal(size=50), "colour": rng.choice(["red", "blue", "green"], 50)}
    )
    y = 2 * X["size"].to_numpy() + (X["colour"] == "red").to_numpy()

    def member(model):
        columns = ColumnTransformer(
            [("onehot", OneHotEncoder(), ["colour"])], remainder="passthrough"
        )
        return make_pipeline(columns, model)

    ensemble = WeightedEnsembleRegressor(
        [("ridge", member(Ridge())), ("tree", member(DecisionTreeRegressor(max_depth=3)))],
        weights=[0.5, 0.5],
    ).fit(X, y)
    np.testing.assert_array_equal(ensemble.feature_names_in_, ["size", "colour"])
    assert ensemble.predict(X.iloc[:5]).shape == (5,)


def test_get_params_and_set_params_reach_the_members():
    ensemble = WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor())], weights=[1, 1]
    )
    params = ensemble.get_params()
    assert params["ridge__alpha"] == 1.0
    assert {"estimators", "weights", "n_jobs", "verbose", "ridge", "tree"} <= set(params)
    ensemble.set_params(ridge__alpha=3.0, weights=[2, 0])
    assert ensemble.named_estimators["ridge"].alpha == 3.0
    X, y = _regression_data(5)
    ensemble.fit(X, y)
    assert ensemble.estimators_[0].alpha == 3.0
    assert len(ensemble.estimators_) == 1


def test_refit_forgets_the_previous_fit():
    X, y = _regression_data(6)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    ensemble = WeightedEnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())])
    ensemble.fit(frame, y)
    assert hasattr(ensemble, "feature_names_in_")
    ensemble.set_params(weights=[0, 1]).fit(X, y)
    assert not hasattr(ensemble, "feature_names_in_")
    assert len(ensemble.estimators_) == 1


def test_sample_weight_reaches_the_members():
    X, y = _regression_data(7)
    sample_weight = np.linspace(0.1, 2.0, len(y))
    members = [("ridge", Ridge()), ("linear", LinearRegression())]
    ensemble = WeightedEnsembleRegressor(members, weights=[1, 1]).fit(
        X, y, sample_weight=sample_weight
    )
    np.testing.assert_allclose(
        ensemble.estimators_[0].coef_, Ridge().fit(X, y, sample_weight=sample_weight).coef_
    )


def test_classifier_is_soft_voting_with_weights():
    X, y = _regression_data(8)
    labels = np.select([y < -1, y > 1], ["low", "high"], "mid")
    members = [("logistic", LogisticRegression()), ("bayes", GaussianNB())]
    ensemble = WeightedEnsembleClassifier(members, weights=[1, 3]).fit(X, labels)
    voting = VotingClassifier(members, voting="soft", weights=[1, 3]).fit(X, labels)
    np.testing.assert_array_equal(ensemble.classes_, ["high", "low", "mid"])
    np.testing.assert_allclose(ensemble.predict_proba(X), voting.predict_proba(X))
    np.testing.assert_array_equal(ensemble.predict(X), voting.predict(X))
    assert "voting" not in ensemble.get_params()


@pytest.mark.parametrize(
    "weights, match",
    [
        ([1.0], "one value per estimator: got 1 weights for 2 estimators"),
        ([1.0, -0.5], "finite and non-negative"),
        ([1.0, np.nan], "finite and non-negative"),
        ([0, 0], "every estimator is 'drop' or has weight 0"),
    ],
)
def test_bad_weights(weights, match):
    X, y = _regression_data()
    ensemble = WeightedEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor())], weights=weights
    )
    with pytest.raises(ValueError, match=match):
        ensemble.fit(X, y)


def test_bad_parameters_read_like_scikit_learn():
    X, y = _regression_data()
    with pytest.raises(InvalidParameterError, match="The 'n_jobs' parameter of Weighted"):
        WeightedEnsembleRegressor([("ridge", Ridge())], n_jobs="all").fit(X, y)
    with pytest.raises(ValueError, match="should be a non-empty list of"):
        WeightedEnsembleRegressor([]).fit(X, y)
