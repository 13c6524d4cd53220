"""The model registry: built-ins, look-up errors, user models, search spaces as data."""

from __future__ import annotations

import inspect
import json

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution, IntDistribution
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.linear_model import Lasso
from threadpoolctl import threadpool_limits

from pseudoboost.models import (
    ModelSpec,
    default_models,
    get_model,
    list_models,
    register_model,
    resolve_models,
    suggest,
    tree_models,
    unregister_model,
)

REGRESSION = [
    "bayesian_ridge",
    "catboost",
    "elastic_net",
    "extra_trees",
    "gaussian_process",
    "gradient_boosting",
    "hist_gradient_boosting",
    "kernel_ridge",
    "knn",
    "lightgbm",
    "mlp",
    "poisson_glm",
    "random_forest",
    "ridge",
    "svr",
    "xgboost",
]
CLASSIFICATION = [
    "catboost",
    "extra_trees",
    "gradient_boosting",
    "hist_gradient_boosting",
    "knn",
    "lightgbm",
    "logistic_regression",
    "random_forest",
    "xgboost",
]


def test_builtin_names_per_task():
    assert list_models("regression") == REGRESSION
    assert list_models("classification") == CLASSIFICATION
    assert "ridge" not in list_models("classification")
    assert list_models() == sorted(
        set(list_models("regression")) | set(list_models("classification"))
    )


@pytest.mark.parametrize(
    "task, names", [("regression", REGRESSION), ("classification", CLASSIFICATION)]
)
def test_every_builtin_builds_fits_and_predicts(task, names):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=60) if task == "regression" else (X[:, 0] > 0).astype(int)
    for name in names:
        spec = get_model(name, task)
        assert spec.name == name and spec.task == task
        assert spec.search_space, name
        small = {
            key: 5 for key in ("n_estimators", "iterations", "max_iter") if key in spec.search_space
        }
        estimator = spec.make_estimator(**small)
        assert (is_regressor if task == "regression" else is_classifier)(estimator), name
        target = y if spec.accepts_target(y) else np.exp(y)  # a Poisson GLM needs y >= 0
        with threadpool_limits(1):  # OpenMP spinning on a busy machine costs seconds per fit
            clone(estimator).fit(X, target).predict(X[:5])


def test_search_space_is_optuna_data_and_samples_inside_bounds():
    spec = get_model("lightgbm")
    json.dumps(spec.search_space_json())
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    params = spec.suggest(trial, prefix="lightgbm__")
    assert set(trial.params) == {f"lightgbm__{k}" for k in spec.search_space}
    for key, value in params.items():
        dist = spec.search_space[key]
        assert dist._contains(dist.to_internal_repr(value)), (key, value)
    spec.make_estimator(**params)


def test_models_are_quiet_and_single_threaded():
    assert get_model("lightgbm").make_estimator().get_params()["verbosity"] == -1
    assert get_model("xgboost").make_estimator().get_params()["verbosity"] == 0
    for name in ("lightgbm", "xgboost", "random_forest", "extra_trees"):
        assert get_model(name).make_estimator().get_params()["n_jobs"] == 1


def test_make_estimator_merges_defaults_and_overrides():
    model = get_model("lightgbm").make_estimator(n_estimators=7, random_state=3)
    params = model.get_params()
    assert params["n_estimators"] == 7 and params["random_state"] == 3
    assert params["verbosity"] == -1


def test_unknown_name_lists_available_models():
    expected = (
        "Unknown regression model 'nope'. Available: " + ", ".join(list_models("regression")) + "."
    )
    with pytest.raises(ValueError) as info:
        get_model("nope")
    assert str(info.value) == expected
    with pytest.raises(ValueError, match="Unknown classification model 'ridge'"):
        get_model("ridge", "classification")
    with pytest.raises(ValueError, match="task must be 'regression' or 'classification'"):
        get_model("ridge", "clustering")


def test_register_a_user_model_and_refuse_duplicates():
    space = {"alpha": FloatDistribution(1e-3, 10.0, log=True)}
    spec = register_model("my_lasso", Lasso, space, default_params={"max_iter": 500})
    try:
        assert "my_lasso" in list_models("regression")
        assert get_model("my_lasso") is spec
        assert spec.make_estimator(alpha=0.5).get_params()["max_iter"] == 500
        with pytest.raises(ValueError, match="already registered; pass overwrite=True"):
            register_model("my_lasso", Lasso, space)
        other = register_model(ModelSpec("my_lasso", "regression", Lasso, {}), overwrite=True)
        assert get_model("my_lasso") is other
    finally:
        unregister_model("my_lasso")
    assert "my_lasso" not in list_models()


def test_spec_validates_its_fields():
    with pytest.raises(TypeError, match="must be an Optuna distribution"):
        ModelSpec("bad", "regression", Lasso, {"alpha": (0.1, 1.0)})
    with pytest.raises(ValueError, match="task must be"):
        ModelSpec("bad", "ranking", Lasso)
    with pytest.raises(TypeError, match="needs a factory"):
        register_model("bad")


def test_tree_models_and_default_models_come_from_the_zoo():
    from sklearn.tree import DecisionTreeRegressor

    from pseudoboost.preprocessing import AutoPreprocessor

    trees = tree_models()
    assert {"lightgbm", "xgboost", "catboost", "random_forest", "extra_trees"} <= set(trees)
    assert {"gradient_boosting", "hist_gradient_boosting"} <= set(trees)
    assert not {"ridge", "knn", "svr", "logistic_regression"} & set(trees)
    with pytest.raises(TypeError, match="tree_based of model 'bad' must be a bool"):
        ModelSpec("bad", "regression", Lasso, tree_based="yes")
    register_model("my_tree", DecisionTreeRegressor, {}, tree_based=True)
    try:  # a user's tree model gets ordinal codes like the built-in ones
        assert "my_tree" in tree_models()
        assert AutoPreprocessor.for_models(["my_tree", "lightgbm"]).encoding == "ordinal"
    finally:
        unregister_model("my_tree")
    assert AutoPreprocessor.for_models(["my_tree"]).encoding == "onehot"
    from pseudoboost import tune

    tune_default = inspect.signature(tune).parameters["model"].default
    for task in ("regression", "classification"):
        assert set(default_models(task)) <= set(list_models(task))
        assert default_models(task)[0] == tune_default  # the CLI's tune takes the first
    assert "ridge" in default_models("regression")


def test_resolve_models_is_the_one_rule_for_tune_and_compare():
    from pseudoboost.tuning._space import resolve_models as tune_resolve

    assert tune_resolve is resolve_models
    assert [s.name for s in resolve_models("all", "regression")] == list_models("regression")
    small = [s.name for s in resolve_models("all", "regression", n_samples=50_000)]
    assert "gaussian_process" not in small and "ridge" in small
    assert resolve_models(get_model("knn"), "regression") == [get_model("knn")]
    with pytest.raises(ValueError, match="model lists a name twice"):
        resolve_models(["ridge", get_model("ridge")], "regression")
    with pytest.raises(ValueError, match="'knn' is a classification model but the task is"):
        resolve_models([get_model("knn", "classification")], "regression")
    with pytest.raises(ValueError, match="model must name at least one model"):
        resolve_models([], "regression")


def test_suggest_int_and_categorical():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    trial = study.ask()
    value = suggest(trial, "k", IntDistribution(1, 5))
    assert 1 <= value <= 5 and isinstance(value, int)
    assert get_model("knn").suggest(trial)["weights"] in ("uniform", "distance")


def test_register_model_keeps_alternatives():
    from optuna.distributions import FloatDistribution
    from sklearn.linear_model import Lasso

    from pseudoboost.models import register_model, unregister_model

    space = {"alpha": FloatDistribution(1e-3, 10, log=True)}
    spec = register_model(
        "lasso_alt",
        Lasso,
        space,
        defaults={"alpha": 1.0},
        alternatives=[{"alpha": 0.01}],
        alternative_cost=2.5,
    )
    try:
        assert spec.alternatives_for(100) == [{"alpha": 0.01}]
        assert spec.alternative_cost == 2.5
        for bad in (0, -1.0, True, "2"):
            with pytest.raises(ValueError, match="alternative_cost of model 'lasso_bad' must be"):
                register_model("lasso_bad", Lasso, space, alternative_cost=bad)
        with pytest.raises(ValueError, match=r"alternatives\[0\]\['alpha'\] = 100.0"):
            register_model("lasso_bad", Lasso, space, alternatives=[{"alpha": 100.0}])
    finally:
        unregister_model("lasso_alt")


def test_mlp_averages_n_seeds_networks_and_one_seed_is_one_network():
    rng = np.random.RandomState(0)
    X, y = rng.rand(120, 3), rng.rand(120)
    spec = get_model("mlp")
    averaged = spec.make_estimator(n_seeds=3, max_iter=5).fit(X, y)
    standardised = averaged[-1].regressor_  # inside the clip to the labelled range
    networks = standardised.regressor_.estimators_
    assert len({network.random_state for network in networks}) == 3
    scaled = averaged[0].transform(X)
    mean = np.mean([network.predict(scaled) for network in networks], axis=0)
    expected = standardised.transformer_.inverse_transform(mean[:, None])[:, 0]
    np.testing.assert_allclose(averaged.predict(X), np.clip(expected, y.min(), y.max()))
    single = spec.make_estimator(n_seeds=1, max_iter=5).fit(X, y)
    assert type(single[-1].regressor_.regressor_).__name__ == "MLPRegressor"
