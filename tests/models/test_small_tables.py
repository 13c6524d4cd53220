"""Search spaces valid for the data they run on: row bounds, defaults, cost and row limits."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import FixedTrial
from sklearn.base import clone
from sklearn.linear_model import Lasso
from sklearn.neighbors import KNeighborsRegressor
from threadpoolctl import threadpool_limits

from pseudoboost.models import ModelSpec, get_model, list_models, suggest

N_FIT = 24  # the smallest training set: 4/5 of a 30-row table
SIZES = [1, 2, 3, 4, 5, 8, 12, 24, 100, 1000, 10**6]


def _all_specs():
    return [
        get_model(name, task)
        for task in ("regression", "classification")
        for name in list_models(task)
    ]


def _ids(specs):
    return [f"{spec.task}-{spec.name}" for spec in specs]


SPECS = _all_specs()
REGRESSION_SPECS = [spec for spec in SPECS if spec.task == "regression"]


def _table(task, n=30, n_features=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    if task == "regression":
        return X, 100 + 50 * X[:, 0] + 10 * np.sin(X[:, 1]) + rng.normal(size=n)
    return X, (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)


def _corner(space, side):
    """Every parameter at its low (side=0) or high (side=-1) end, or first/last choice."""
    corner = {}
    for key, dist in space.items():
        if isinstance(dist, CategoricalDistribution):
            corner[key] = dist.choices[side]
        else:
            corner[key] = dist.low if side == 0 else dist.high
    return corner


def _contains(dist, value):
    return dist._contains(dist.to_internal_repr(value))


def _fit_predict(spec, params, X, y):
    if not spec.accepts_target(y):  # a Poisson GLM: the same table shifted to y >= 0
        y = y - y.min()
    estimator = spec.make_estimator(**params)
    with threadpool_limits(1):  # OpenMP spinning on a busy machine costs seconds per fit
        prediction = clone(estimator).fit(X[:N_FIT], y[:N_FIT]).predict(X[N_FIT:])
    assert prediction.shape == (len(X) - N_FIT,), (spec.name, params)
    assert np.all(np.isfinite(prediction)), (spec.name, params)
    return prediction


@pytest.mark.parametrize("spec", REGRESSION_SPECS, ids=_ids(REGRESSION_SPECS))
def test_every_regression_model_fits_24_rows_anywhere_in_space_for_24(spec):
    X, y = _table("regression")
    space = spec.space_for(N_FIT)
    # Both corners of the clipped space, the defaults, and a few random points replayed
    # through FixedTrial as a tuner would sample them.
    points = [_corner(space, 0), _corner(space, -1), spec.defaults_for(N_FIT)]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(2):
        trial = study.ask()
        points.append({k: suggest(trial, k, d) for k, d in space.items()})
    for params in points:
        replayed = spec.suggest(FixedTrial(params))
        assert replayed == params
        for key, value in params.items():
            assert _contains(space[key], value), (spec.name, key, value)
        _fit_predict(spec, params, X, y)


@pytest.mark.parametrize("name", ["knn", "lightgbm", "random_forest", "hist_gradient_boosting"])
def test_classifiers_with_row_bounds_fit_24_rows_at_the_high_corner(name):
    spec = get_model(name, "classification")
    X, y = _table("classification")
    params = _corner(spec.space_for(N_FIT), -1)
    _fit_predict(spec, params, X, y)
    _fit_predict(spec, spec.defaults_for(N_FIT), X, y)


def test_space_for_clips_knn_neighbours_below_the_row_count():
    knn = get_model("knn")
    assert knn.search_space["n_neighbors"].high == 100
    assert knn.space_for(24)["n_neighbors"] == IntDistribution(1, 12, log=True)
    assert knn.space_for(2)["n_neighbors"] == IntDistribution(1, 1, log=True)
    assert knn.space_for(1)["n_neighbors"] == IntDistribution(1, 1, log=True)
    assert knn.space_for(10_000)["n_neighbors"] is knn.search_space["n_neighbors"]
    assert knn.defaults_for(24)["n_neighbors"] == 10
    assert knn.defaults_for(8)["n_neighbors"] == 4
    # The highest proposal fits on that many rows: k-NN refuses n_neighbors > n_samples.
    for n in (2, 3, 7):
        k = knn.space_for(n)["n_neighbors"].high
        KNeighborsRegressor(n_neighbors=k).fit(np.zeros((n, 1)), np.zeros(n))


def test_space_for_clips_leaf_sizes_and_leaf_counts():
    lightgbm = get_model("lightgbm")
    space = lightgbm.space_for(12)
    # min_child_samples <= 12/4 = 3.
    assert space["min_child_samples"] == IntDistribution(2, 3, log=True)
    # <= 4/4 = 1, below its usual low of 2: the low bound follows.
    assert lightgbm.space_for(4)["min_child_samples"] == IntDistribution(1, 1, log=True)
    # num_leaves <= max(4, 12/2) = 6.
    assert space["num_leaves"] == IntDistribution(4, 6, log=True)
    assert lightgbm.space_for(4)["num_leaves"] == IntDistribution(4, 4, log=True)
    assert lightgbm.space_for(1000)["min_child_samples"] == IntDistribution(2, 250, log=True)
    assert lightgbm.space_for(1000)["num_leaves"] == lightgbm.search_space["num_leaves"]
    assert get_model("xgboost").space_for(24)["min_child_weight"] == FloatDistribution(
        1.0, 6.0, log=True
    )
    for name in ("random_forest", "extra_trees", "gradient_boosting"):
        assert get_model(name).space_for(24)["min_samples_leaf"] == IntDistribution(1, 6, log=True)
    hist = get_model("hist_gradient_boosting").space_for(24)
    assert hist["min_samples_leaf"] == IntDistribution(5, 6, log=True)
    assert hist["max_leaf_nodes"] == IntDistribution(4, 12, log=True)
    # Parameters without a row bound are left alone, and the spec is not changed.
    assert space["learning_rate"] is lightgbm.search_space["learning_rate"]
    assert lightgbm.search_space["min_child_samples"] == IntDistribution(2, 300, log=True)


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_defaults_lie_inside_the_space_for_every_size(spec):
    assert spec.defaults, f"{spec.name} has no known-good starting point"
    assert set(spec.defaults) == set(spec.search_space)
    assert spec.defaults_for(10**9) == dict(spec.defaults)
    for n in SIZES:
        space = spec.space_for(n)
        assert set(space) == set(spec.search_space)
        for key, dist in space.items():
            if isinstance(dist, (FloatDistribution, IntDistribution)):
                assert dist.low <= dist.high, (spec.name, n, key)
                assert not dist.log or dist.low > 0, (spec.name, n, key)
        for key, value in spec.defaults_for(n).items():
            assert _contains(space[key], value), (spec.name, n, key, value)
            assert type(value) is type(spec.defaults[key]), (spec.name, n, key)


def test_row_bounds_keep_steps_and_floors():
    spec = ModelSpec(
        "stepped",
        "regression",
        Lasso,
        {
            "k": IntDistribution(2, 20, step=3),
            "w": FloatDistribution(1.0, 10.0, step=0.5),
            "leaves": IntDistribution(2, 64),
        },
        defaults={"k": 20, "w": 10.0, "leaves": 32},
        row_bounds={"k": 0.5, "w": 0.25, "leaves": (0.5, 8)},
    )
    space = spec.space_for(15)
    assert space["k"] == IntDistribution(2, 5, step=3)  # 7.5 -> 7 -> aligned on the step: 5
    assert space["w"] == FloatDistribution(1.0, 3.5, step=0.5)  # 3.75 -> 3.5
    assert space["leaves"] == IntDistribution(2, 8)  # floor 8 beats 7.5
    assert spec.defaults_for(15) == {"k": 5, "w": 3.5, "leaves": 8}
    assert spec.space_for(2)["k"] == IntDistribution(1, 1, step=3)


def test_cost_and_row_limits():
    costs = {spec.name: spec.cost for spec in SPECS}
    assert costs["ridge"] == costs["knn"] == costs["logistic_regression"] == 1
    assert costs["gaussian_process"] == costs["svr"] == costs["kernel_ridge"] == 2
    assert costs["lightgbm"] == 3 and costs["xgboost"] == 4 and costs["catboost"] == 5
    assert costs["mlp"] == 5  # a default trial: 3.4 s for 5 folds of 4,000 rows (elevators)
    assert all(1 <= cost <= 5 for cost in costs.values())
    limits = {spec.name: spec.max_rows for spec in REGRESSION_SPECS if spec.max_rows}
    assert limits == {"gaussian_process": 1000, "kernel_ridge": 5000, "svr": 20_000}


def test_fits_and_list_models_exclude_models_above_their_row_limit():
    gp = get_model("gaussian_process")
    assert gp.fits(1000) and not gp.fits(1001)
    assert get_model("lightgbm").fits(10**9)
    assert "gaussian_process" in list_models("regression", n_samples=1000)
    small = list_models("regression", n_samples=3001)
    assert "gaussian_process" not in small and "kernel_ridge" in small and "svr" in small
    assert "kernel_ridge" not in list_models("regression", n_samples=5001)
    big = list_models("regression", n_samples=20_001)
    assert set(list_models("regression")) - set(big) == {"gaussian_process", "kernel_ridge", "svr"}
    assert "gaussian_process" not in list_models(n_samples=10_000)
    assert list_models("classification", n_samples=10**6) == list_models("classification")
    assert list_models("regression", n_samples=None) == list_models("regression")


def test_bad_sizes_and_bad_fields_say_what_is_wrong():
    knn = get_model("knn")
    with pytest.raises(
        ValueError,
        match=r"The 'n_samples' parameter of ModelSpec.space_for must be an int in the range "
        r"\[1, inf\)\. Got 0 instead\.",
    ):
        knn.space_for(0)
    with pytest.raises(ValueError, match="'n_samples' parameter of ModelSpec.fits"):
        knn.fits(2.5)
    with pytest.raises(ValueError, match="'n_samples' parameter of list_models"):
        list_models("regression", n_samples=0)
    space = {"alpha": FloatDistribution(1e-3, 10.0, log=True)}
    with pytest.raises(ValueError, match=r"defaults\['alpha'\] = 20.0 of model 'm' lies outside"):
        ModelSpec("m", "regression", Lasso, space, defaults={"alpha": 20.0})
    with pytest.raises(ValueError, match=r"defaults\['beta'\] of model 'm' is not in its"):
        ModelSpec("m", "regression", Lasso, space, defaults={"beta": 1.0})
    with pytest.raises(ValueError, match=r"row_bounds\['beta'\] of model 'm' must name a numeric"):
        ModelSpec("m", "regression", Lasso, space, row_bounds={"beta": 0.5})
    with pytest.raises(ValueError, match=r"must be a fraction > 0 or a \(fraction > 0, floor"):
        ModelSpec("m", "regression", Lasso, space, row_bounds={"alpha": (0.5, 0)})
    with pytest.raises(ValueError, match="cost of model 'm' must be an int >= 1, got 0"):
        ModelSpec("m", "regression", Lasso, space, cost=0)
    with pytest.raises(ValueError, match="max_rows of model 'm' must be None or an int >= 1"):
        ModelSpec("m", "regression", Lasso, space, max_rows=0)
    with pytest.raises(ValueError, match="grows of model 'm' must name an integer parameter"):
        ModelSpec("m", "regression", Lasso, space, grows="alpha")
    with pytest.raises(ValueError, match="grows of model 'm' must name an integer parameter"):
        ModelSpec("m", "regression", Lasso, space, grows="n_estimators")


def test_a_spec_without_the_new_fields_behaves_as_before():
    space = {"alpha": FloatDistribution(1e-3, 10.0, log=True)}
    spec = ModelSpec("m", "regression", Lasso, space)
    assert spec.defaults == {} and spec.row_bounds == {}
    assert spec.cost == 3 and spec.max_rows is None
    assert spec.fits(10**9)
    assert spec.space_for(2) == space and spec.defaults_for(2) == {}


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_alternatives_are_complete_and_inside_the_space_for_every_size(spec):
    for n in SIZES:
        space = spec.space_for(n)
        alternatives = spec.alternatives_for(n)
        assert len(alternatives) == len(spec.alternatives)
        for alternative in alternatives:
            assert set(alternative) == set(spec.search_space)
            assert alternative != spec.defaults_for(n), (spec.name, n)
            for key, value in alternative.items():
                assert _contains(space[key], value), (spec.name, n, key, value)


def test_boosters_have_a_deep_long_alternative():
    xgboost = get_model("xgboost").alternatives_for(10_000)[0]
    assert xgboost["n_estimators"] == 1000 and xgboost["max_depth"] == 8
    lightgbm = get_model("lightgbm").alternatives_for(10_000)[0]
    assert lightgbm["n_estimators"] == 1000 and lightgbm["learning_rate"] == 0.1


def test_invalid_alternatives_are_refused():
    ridge = get_model("ridge")
    with pytest.raises(ValueError, match=r"alternatives\[0\]\['nope'\] of model 'r'"):
        ModelSpec("r", "regression", ridge.factory, ridge.search_space, alternatives=[{"nope": 1}])
    with pytest.raises(ValueError, match=r"alternatives\[1\]\['alpha'\] = -1.0 .* lies outside"):
        ModelSpec(
            "r",
            "regression",
            ridge.factory,
            ridge.search_space,
            alternatives=[{"alpha": 1.0}, {"alpha": -1.0}],
        )
    with pytest.raises(TypeError, match=r"alternatives\[0\] of model 'r' must be a dict"):
        ModelSpec("r", "regression", ridge.factory, ridge.search_space, alternatives=[1.0])
