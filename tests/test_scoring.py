"""resolve_metric: scorer names in their natural sign, callables as they return their values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.linear_model import Ridge
from sklearn.metrics import make_scorer, mean_squared_error

from pseudoboost import compare
from pseudoboost._scoring import resolve_metric


@pytest.fixture(scope="module")
def data():
    X, y = make_friedman1(n_samples=90, noise=1.0, random_state=0)
    return X[:60], y[:60], X[60:]


def test_a_neg_scorer_name_reads_as_the_positive_loss(data):
    X, y, _ = data
    model = Ridge().fit(X, y)
    metric = resolve_metric("neg_mean_squared_error", "regression")
    assert (metric.name, metric.greater_is_better) == ("mse", False)
    assert metric.score(model, X, y) == pytest.approx(mean_squared_error(y, model.predict(X)))


def test_a_callable_scorer_is_greater_is_better_and_reported_as_it_returns(data):
    X, y, _ = data
    model = Ridge().fit(X, y)
    mse = mean_squared_error(y, model.predict(X))
    metric = resolve_metric(make_scorer(mean_squared_error, greater_is_better=False), "regression")
    assert (metric.name, metric.greater_is_better) == ("score", True)
    assert metric.score(model, X, y) == pytest.approx(-mse)

    def r2_times_ten(estimator, X, y):
        return 10 * estimator.score(X, y)

    metric = resolve_metric(r2_times_ten, "regression")
    assert (metric.name, metric.greater_is_better) == ("r2_times_ten", True)
    assert metric.score(model, X, y) == pytest.approx(10 * model.score(X, y))


def test_compare_reports_a_callable_scorer_as_it_returns(data):
    X, y, pool = data
    scorer = make_scorer(mean_squared_error, greater_is_better=False)
    call = {"unlabeled": pool, "models": [Ridge()], "sample_rates": (0,), "cv": 3, "n_repeats": 1}
    by_callable = compare(X, y, scoring=scorer, **call)
    by_name = compare(X, y, scoring="neg_mean_squared_error", **call)
    assert by_callable.attrs["metric"] == "score"
    assert by_callable.attrs["greater_is_better"] is True
    assert by_name.attrs["metric"] == "mse"
    assert (by_callable["score_mean"] < 0).all()
    np.testing.assert_allclose(by_callable["score_mean"], -by_name["score_mean"])
