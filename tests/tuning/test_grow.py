"""Growing the returned forests with the time a budgeted search leaves."""

from __future__ import annotations

import numpy as np
import pytest
from optuna.distributions import IntDistribution
from sklearn.datasets import make_regression

from pseudoboost import tune
from pseudoboost.models import get_model, list_models
from pseudoboost.tuning._grow import MAX_GROWTH, grow, growth_factor
from pseudoboost.tuning._objective import Member
from pseudoboost.tuning._search import grown_members
from pseudoboost.tuning._space import SearchSpace

FOREST = {"n_estimators": 100, "max_depth": 10, "min_samples_leaf": 1, "max_features": 1.0}


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=160, n_features=5, noise=15.0, random_state=0)
    return X[:100], y[:100], X[100:]


def n_estimators(estimator):
    """Every ``n_estimators`` inside a fitted (possibly nested) estimator."""
    return [v for k, v in estimator.get_params(deep=True).items() if k.endswith("n_estimators")]


def test_only_the_bagged_forests_grow():
    growable = {name for name in list_models("regression") if get_model(name).grows}
    assert growable == {"random_forest", "extra_trees"}
    assert all(get_model(name).grows == "n_estimators" for name in growable)
    assert get_model("extra_trees", "classification").grows == "n_estimators"


@pytest.mark.parametrize(
    ("refits", "seconds", "expected"),
    [
        ([("extra_trees", 2.0)], None, 1.0),  # no time budget
        ([("ridge", 0.1), ("lightgbm", 1.0)], 100.0, 1.0),  # nothing grows
        ([("extra_trees", 2.0), ("ridge", 1.0)], 12.0, 2.5),  # 1 + (6 - 3) / 2
        ([("extra_trees", 2.0), ("random_forest", 2.0)], 12.0, 1.5),  # 1 + (6 - 4) / 4
        ([("extra_trees", 2.0)], 1000.0, MAX_GROWTH),
        ([("extra_trees", 2.0), ("ridge", 1.0)], 7.8, 1.0),  # 1.45: too little to matter
    ],
)
def test_growth_factor(refits, seconds, expected):
    specs = [(get_model(name), estimate) for name, estimate in refits]
    assert growth_factor(specs, seconds) == pytest.approx(expected)


def test_grow_multiplies_the_forest_size_unless_the_user_fixed_it():
    extra_trees, ridge = get_model("extra_trees"), get_model("ridge")
    space = SearchSpace([extra_trees, ridge], "regression")
    assert grow(space, extra_trees, FOREST, 2.5) == {**FOREST, "n_estimators": 250}
    assert grow(space, extra_trees, FOREST, 1.0) == FOREST
    assert grow(space, ridge, {"alpha": 1.0}, 4.0) == {"alpha": 1.0}
    fixed = SearchSpace([extra_trees], "regression", overrides={"n_estimators": 100})
    assert grow(fixed, extra_trees, FOREST, 4.0) == FOREST
    ranged = {"n_estimators": IntDistribution(50, 100)}
    assert (
        grow(SearchSpace([extra_trees], "regression", overrides=ranged), extra_trees, FOREST, 2)[
            "n_estimators"
        ]
        == 200
    )


def test_an_ensemble_grows_its_forests_only():
    extra_trees, ridge = get_model("extra_trees"), get_model("ridge")
    space = SearchSpace([extra_trees, ridge], "regression")
    members = [
        Member(extra_trees, {"sample_rate": 0.0}, FOREST, 0.6, 3),
        Member(ridge, {"sample_rate": 0.0}, {"alpha": 1.0}, 0.4, 5),
    ]
    grown = grown_members(space, members, 3.0)
    assert [m.params for m in grown] == [{**FOREST, "n_estimators": 300}, {"alpha": 1.0}]
    assert [(m.weight, m.trial) for m in grown] == [(0.6, 3), (0.4, 5)]
    assert members[0].params["n_estimators"] == 100  # the search's members are left as they were


def test_a_budgeted_search_returns_its_forests_grown_with_the_time_left(data):
    X, y, pool = data
    result = tune(X, y, unlabeled=pool, model="extra_trees", cv=3, n_trials=2, timeout=60)
    # Two trials on 100 rows take a second or two: the rest of the minute holds 4 times the trees.
    assert result.refit_growth == MAX_GROWTH
    assert "refit: the forests grown to 4 times their searched trees" in result.summary()
    assert result.to_dict(trials=False)["refit_growth"] == MAX_GROWTH
    if result.chosen == "ensemble":  # both trials, each grown
        members = result.best_params["members"]
        searched = [result.study.trials[m["trial"]].params["n_estimators"] for m in members]
        returned = [m["params"]["n_estimators"] for m in members]
    else:
        searched = [result.study.trials[result.best_trial].params["n_estimators"]]
        returned = [result.best_params["n_estimators"]]
    assert returned == [round(MAX_GROWTH * n) for n in searched]
    assert sorted(n_estimators(result.best_estimator_)) == sorted(returned)
    assert np.isfinite(result.best_estimator_.predict(pool)).all()


def test_without_a_time_budget_the_forest_is_returned_as_searched(data):
    X, y, pool = data
    result = tune(X, y, unlabeled=pool, model="extra_trees", cv=3, n_trials=1)
    searched = result.study.trials[result.best_trial].params["n_estimators"]
    assert result.refit_growth == 1.0
    assert result.best_params["n_estimators"] == searched
    assert result.best_model_params["n_estimators"] == searched
    assert n_estimators(result.best_estimator_) == [searched]
    assert "refit:" not in result.summary()
