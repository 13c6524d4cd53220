"""The built-in models: factories and search spaces for regression and classification.

Factories import their library on call, so listing the registry stays cheap. Linear, kernel
and k-nearest-neighbour models are built as ``StandardScaler`` + model pipelines, because they
are sensitive to feature scale (the Poisson GLM as :class:`GLMFeatures` + model: one-hot
category codes and logarithms, so that under its log link a target can be proportional to a
price, one factor per store); the kernel models (SVR, kernel ridge) also standardise the
target, so their ``C``/``epsilon``/``alpha`` ranges mean the same on every data set. Linear
and kernel regressors predict inside the range of their training targets
(:class:`ClippedRegressor`): they extrapolate without bound on rows far from the labelled ones.
Thread counts default to 1: ``tune(n_jobs=...)`` parallelises trials instead.

Beside each search space: a known-good starting point (``defaults``), a relative cost rank, a
row limit for the models whose cost grows cubically, and the parameters whose useful range
depends on the number of training rows (``row_bounds``, applied by ``ModelSpec.space_for``).
"""

from __future__ import annotations

from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int

from pseudoboost.models._estimators import (
    ARDGaussianProcessRegressor,
    ClippedRegressor,
    GLMFeatures,
    WeightedTransformedTargetRegressor,
)
from pseudoboost.models._spec import ModelSpec, RowBound


def _scaled(model: Any) -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), model)


def _standardized_target(model: Any) -> Any:
    from sklearn.preprocessing import StandardScaler

    return WeightedTransformedTargetRegressor(regressor=model, transformer=StandardScaler())


# --- factories (module level so that they pickle into worker processes) -------------------
def lightgbm_regressor(**params: Any) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(**params)


def lightgbm_classifier(**params: Any) -> Any:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(**params)


def xgboost_regressor(**params: Any) -> Any:
    from xgboost import XGBRegressor

    return XGBRegressor(**params)


def xgboost_classifier(**params: Any) -> Any:
    from xgboost import XGBClassifier

    return XGBClassifier(**params)


def catboost_regressor(**params: Any) -> Any:
    from catboost import CatBoostRegressor

    return CatBoostRegressor(**params)


def catboost_classifier(**params: Any) -> Any:
    from catboost import CatBoostClassifier

    return CatBoostClassifier(**params)


def random_forest_regressor(**params: Any) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(**params)


def random_forest_classifier(**params: Any) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**params)


def extra_trees_regressor(**params: Any) -> Any:
    from sklearn.ensemble import ExtraTreesRegressor

    return ExtraTreesRegressor(**params)


def extra_trees_classifier(**params: Any) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(**params)


def gradient_boosting_regressor(**params: Any) -> Any:
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(**params)


def gradient_boosting_classifier(**params: Any) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(**params)


def hist_gradient_boosting_regressor(**params: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(**params)


def hist_gradient_boosting_classifier(**params: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**params)


def ridge_regressor(**params: Any) -> Any:
    from sklearn.linear_model import Ridge

    return _scaled(ClippedRegressor(Ridge(**params)))


def bayesian_ridge_regressor(**params: Any) -> Any:
    from sklearn.linear_model import BayesianRidge

    return _scaled(ClippedRegressor(BayesianRidge(**params)))


def elastic_net_regressor(**params: Any) -> Any:
    from sklearn.linear_model import ElasticNet

    return _scaled(ClippedRegressor(ElasticNet(**params)))


def poisson_glm_regressor(**params: Any) -> Any:
    from sklearn.linear_model import PoissonRegressor
    from sklearn.pipeline import make_pipeline

    return make_pipeline(GLMFeatures(), ClippedRegressor(PoissonRegressor(**params)))


def logistic_regression_classifier(**params: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    return _scaled(LogisticRegression(**params))


def gaussian_process_regressor(**params: Any) -> Any:
    return _scaled(ClippedRegressor(ARDGaussianProcessRegressor(**params)))


def svr_regressor(**params: Any) -> Any:
    from sklearn.svm import SVR

    return _scaled(ClippedRegressor(_standardized_target(SVR(**params))))


def kernel_ridge_regressor(**params: Any) -> Any:
    from sklearn.kernel_ridge import KernelRidge

    return _scaled(ClippedRegressor(_standardized_target(KernelRidge(**params))))


def mlp_regressor(width: int = 256, depth: int = 3, n_seeds: int = 1, **params: Any) -> Any:
    """``StandardScaler`` + ``MLPRegressor`` of ``depth`` hidden layers of ``width`` units,
    on a standardised target; with ``n_seeds > 1``, the mean of that many networks started
    from different seeds (:class:`~sklearn.ensemble.BaggingRegressor` on every row and
    feature), which cuts the variance of one network's initialisation. Its predictions are
    kept inside the labelled target range (:class:`ClippedRegressor`): a ReLU network
    extrapolates linearly, and on UCI skillcraft one row far outside the labelled features
    raised a search's hold-out RMSE by 22%."""
    from sklearn.ensemble import BaggingRegressor
    from sklearn.neural_network import MLPRegressor

    random_state = params.pop("random_state", None)
    network = MLPRegressor(
        hidden_layer_sizes=(int(width),) * int(depth), random_state=random_state, **params
    )
    if int(n_seeds) > 1:
        network = BaggingRegressor(
            network, n_estimators=int(n_seeds), bootstrap=False, random_state=random_state
        )
    return _scaled(ClippedRegressor(_standardized_target(network)))


def knn_regressor(**params: Any) -> Any:
    from sklearn.neighbors import KNeighborsRegressor

    return _scaled(KNeighborsRegressor(**params))


def knn_classifier(**params: Any) -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    return _scaled(KNeighborsClassifier(**params))


# --- search spaces ---------------------------------------------------------------------------
_LEARNING_RATE = Float(0.005, 0.3, log=True)
_SUBSAMPLE = Float(0.5, 1.0)
_COLSAMPLE = Float(0.3, 1.0)
_REG = Float(1e-8, 10.0, log=True)

# Up to 2,000 rounds, leaves of 2 rows and 1,023 bins per feature: the reach of the fine-binned
# alternative below (FLAML's LightGBM space reaches further still: 32,768 rounds, 1,023 bins).
LIGHTGBM_SPACE = {
    "n_estimators": Int(50, 2000, log=True),
    "learning_rate": _LEARNING_RATE,
    "num_leaves": Int(4, 128, log=True),
    "min_child_samples": Int(2, 300, log=True),
    "subsample": _SUBSAMPLE,
    "colsample_bytree": _COLSAMPLE,
    "reg_alpha": _REG,
    "reg_lambda": _REG,
    "max_bin": Int(63, 1023, log=True),
}
XGBOOST_SPACE = {
    "n_estimators": Int(50, 1000, log=True),
    "learning_rate": _LEARNING_RATE,
    "max_depth": Int(2, 10),
    "min_child_weight": Float(1.0, 300.0, log=True),
    "subsample": _SUBSAMPLE,
    "colsample_bytree": _COLSAMPLE,
    "reg_alpha": _REG,
    "reg_lambda": _REG,
}
CATBOOST_SPACE = {
    "iterations": Int(100, 3000, log=True),
    "learning_rate": _LEARNING_RATE,
    "depth": Int(2, 8),
    "l2_leaf_reg": Float(1e-2, 30.0, log=True),
}
FOREST_SPACE = {
    "n_estimators": Int(50, 300, log=True),
    "max_depth": Int(3, 30, log=True),
    "min_samples_leaf": Int(1, 100, log=True),
    "max_features": Float(0.2, 1.0),
}
GRADIENT_BOOSTING_SPACE = {
    "n_estimators": Int(50, 500, log=True),
    "learning_rate": _LEARNING_RATE,
    "max_depth": Int(2, 8),
    "min_samples_leaf": Int(1, 300, log=True),
    "subsample": _SUBSAMPLE,
    "max_features": Float(0.3, 1.0),
}
HIST_GRADIENT_BOOSTING_SPACE = {
    "max_iter": Int(50, 1000, log=True),
    "learning_rate": _LEARNING_RATE,
    "max_leaf_nodes": Int(4, 128, log=True),
    "min_samples_leaf": Int(5, 300, log=True),
    "l2_regularization": _REG,
    "max_features": Float(0.3, 1.0),
}
KNN_SPACE = {
    "n_neighbors": Int(1, 100, log=True),
    "weights": Cat(["uniform", "distance"]),
    "p": Int(1, 2),
}

_QUIET_LIGHTGBM = {"verbosity": -1, "n_jobs": 1, "random_state": 0, "subsample_freq": 1}
_QUIET_XGBOOST = {"verbosity": 0, "n_jobs": 1, "random_state": 0, "tree_method": "hist"}
_QUIET_CATBOOST = {"verbose": 0, "thread_count": 1, "random_seed": 0, "allow_writing_files": False}
_SEEDED = {"random_state": 0}
_FOREST = {"n_jobs": 1, "random_state": 0}


GAUSSIAN_PROCESS_SPACE = {
    "noise_level": Float(1e-3, 1.0, log=True),
    "n_restarts_optimizer": Int(0, 2),
}
# C, epsilon and alpha are in standardised-target units; gamma in standardised-feature units.
SVR_SPACE = {
    "C": Float(1e-2, 1e3, log=True),
    "epsilon": Float(1e-3, 1.0, log=True),
    "gamma": Float(1e-4, 10.0, log=True),
}
MLP_SPACE = {
    "width": Int(32, 512, log=True),
    "depth": Int(1, 4),
    "n_seeds": Int(1, 3),
    "alpha": Float(1e-6, 1e-1, log=True),
    "learning_rate_init": Float(1e-4, 1e-2, log=True),
    "batch_size": Int(32, 256, log=True),
    "n_iter_no_change": Int(5, 50, log=True),  # epochs without progress before it stops
}
KERNEL_RIDGE_SPACE = {
    "alpha": Float(1e-4, 10.0, log=True),
    "gamma": Float(1e-4, 10.0, log=True),
}

# --- known-good starting points (inside the spaces above) ----------------------------------
_REG_DEFAULT = 1e-3
LIGHTGBM_DEFAULTS = {
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 20,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "reg_alpha": _REG_DEFAULT,
    "reg_lambda": _REG_DEFAULT,
    "max_bin": 255,
}
XGBOOST_DEFAULTS = {
    "n_estimators": 200,
    "learning_rate": 0.05,
    "max_depth": 6,
    "min_child_weight": 1.0,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "reg_alpha": _REG_DEFAULT,
    "reg_lambda": 1.0,
}
# Alternatives, tried after every model's default: many deep boosting rounds (a sharp target:
# on UCI bike, 5-fold CV RMSE 0.018 against 0.047 for XGBoost's default and 0.025 for the best
# default, ExtraTrees), and a forest that samples features (UCI protein: 0.490 against 0.500).
XGBOOST_DEEP = {
    **XGBOOST_DEFAULTS,
    "n_estimators": 1000,
    "learning_rate": 0.1,
    "max_depth": 8,
    "colsample_bytree": 1.0,
}
LIGHTGBM_LONG = {
    **LIGHTGBM_DEFAULTS,
    "n_estimators": 1000,
    "learning_rate": 0.1,
    "min_child_samples": 5,
    "colsample_bytree": 1.0,
}
# Many rounds of 5-leaf trees on 1,023 bins per feature: a smooth, nearly noise-free target that
# the default's 255 bins quantise. 5-fold CV on 5,000 labelled rows, seeds 0 and 2: UCI bike
# 0.0112 and 0.0145 (FLAML's best LightGBM on seed 2's rows is of this kind) against 0.037 and
# 0.035 for the default and 0.019 for the best other model of tune's search; elevators 0.105 and
# 0.103 against 0.108 and 0.106; worse than the default on protein (0.539) and pol (7.6 against
# 6.1), where the ensemble leaves it out. 2-6x the default's time (benchmarks/RESULTS.md).
LIGHTGBM_FINE = {
    **LIGHTGBM_DEFAULTS,
    "n_estimators": 2000,
    "learning_rate": 0.15,
    "num_leaves": 5,
    "min_child_samples": 2,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "max_bin": 1023,
}
# The alternatives' time over their default's (``alternative_cost``, for the budget check),
# 5-fold CV on 5,000 labelled rows of UCI elevators and protein: LightGBM 4.8-5.6 (the long
# one; the fine-binned one 3.1-5.5 on those and bike), XGBoost 7.5-14.6 (of defaults that take
# 1 s), CatBoost 1.3, ExtraTrees 1.0, the MLP 3.3; rounded up.
LONG_BOOSTING_COST = 6.0
DEEP_XGBOOST_COST = 15.0
# 2,000 rounds at 0.05: 5-fold CV on 5,000 labelled rows of UCI protein, elevators, pol and bike
# 0.493, 0.100, 5.75, 0.0272 against 0.502, 0.102, 6.03, 0.0288 for 1,000 and 0.522, 0.107,
# 6.58, 0.0322 for 500 (the default before), 6-13 s a CV. The alternative, deeper trees, is the
# best CatBoost on protein and pol (0.485, 5.19) and the worst on bike (benchmarks/RESULTS.md).
CATBOOST_DEFAULTS = {"iterations": 2000, "learning_rate": 0.05, "depth": 6, "l2_leaf_reg": 3.0}
CATBOOST_DEEP = {**CATBOOST_DEFAULTS, "iterations": 1000, "depth": 8}
RANDOM_FOREST_DEFAULTS = {
    "n_estimators": 200,
    "max_depth": 30,
    "min_samples_leaf": 1,
    "max_features": 0.6,
}
# Leaves of one row (scikit-learn's default; the trees' random splits regularise): 5-fold CV on
# 5,000 labelled rows of UCI bike, protein, elevators and pol 15%, 1.6%, 1.5% and 4.1% below
# leaves of 2 rows (the default before), and 14% on 1,900 of parkinsons, in 0-40% more time.
EXTRA_TREES_DEFAULTS = {**RANDOM_FOREST_DEFAULTS, "max_features": 1.0}
EXTRA_TREES_SAMPLED = {**EXTRA_TREES_DEFAULTS, "max_features": 0.6}
# Classification keeps leaves of 2 rows: the change above was measured on regression only.
EXTRA_TREES_CLASSIFIER_DEFAULTS = {
    **EXTRA_TREES_DEFAULTS,
    "min_samples_leaf": 2,
    "max_features": 0.6,
}
GRADIENT_BOOSTING_DEFAULTS = {
    "n_estimators": 200,
    "learning_rate": 0.05,
    "max_depth": 3,
    "min_samples_leaf": 5,
    "subsample": 0.8,
    "max_features": 1.0,
}
HIST_GRADIENT_BOOSTING_DEFAULTS = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": _REG_DEFAULT,
    "max_features": 1.0,
}
KNN_DEFAULTS = {"n_neighbors": 10, "weights": "distance", "p": 2}
# A smooth model beside the trees. On UCI elevators (5,000 labelled rows) it is the best
# single model by far: 5-fold CV RMSE 0.0955 in 3.4 s against LightGBM's 0.108 and kernel
# ridge's 0.112 (AutoGluon's ensemble there is 88% neural network). 4 x 128 units, steps of
# 3e-3 on batches of 256, stopped after 20 epochs without progress on its validation rows:
# 5-fold CV on 5,000 labelled rows, one thread, of elevators 0.0928, pol 3.83, protein 0.530
# in 7-17 s, against 0.0928, 4.28 and 0.530 in 10-19 s for 3 x 256 stopped after 10 (the
# default before); its weighted ensemble with CatBoost, ExtraTrees and LightGBM 0.0907, 3.68,
# 0.480 against 0.0913, 4.03, 0.480. A quantile transform of the features instead of
# standard scaling is worse on all three (pol 14-17). The alternative is the mean of 3 seeds.
MLP_DEFAULTS = {
    "width": 128,
    "depth": 4,
    "n_seeds": 1,
    "alpha": 1e-4,
    "learning_rate_init": 3e-3,
    "batch_size": 256,
    "n_iter_no_change": 20,
}
MLP_SEEDS = {**MLP_DEFAULTS, "n_seeds": 3}
_MLP = {"early_stopping": True, "max_iter": 500, "random_state": 0}

# --- size-dependent bounds: fraction of the training rows, or (fraction, floor) ------------
_LEAF_ROWS: RowBound = 0.25  # a leaf of more than a quarter of the rows leaves no tree
_LEAVES: RowBound = (0.5, 4)  # more leaves than rows / 2 cannot be grown
LIGHTGBM_ROW_BOUNDS = {"min_child_samples": _LEAF_ROWS, "num_leaves": _LEAVES}
XGBOOST_ROW_BOUNDS = {"min_child_weight": _LEAF_ROWS}  # hessian sum; 1 per row for squares
LEAF_ROW_BOUNDS = {"min_samples_leaf": _LEAF_ROWS}
HIST_GRADIENT_BOOSTING_ROW_BOUNDS = {"min_samples_leaf": _LEAF_ROWS, "max_leaf_nodes": _LEAVES}
KNN_ROW_BOUNDS = {"n_neighbors": 0.5}  # never more neighbours than rows
MLP_ROW_BOUNDS = {"batch_size": 0.5}  # under the rows left after the early-stopping split


def _both_tasks(
    name: str,
    factories: tuple[Any, Any],
    space: dict[str, Any],
    fixed: dict[str, Any],
    descriptions: tuple[str, str],
    *,
    classification: dict[str, Any] | None = None,
    **shared: Any,
) -> list[ModelSpec]:
    """The regression and classification specs of a model that solves both: one space, one
    set of fixed parameters and options (``shared``), ``classification`` overriding some."""
    regressor, classifier = factories
    return [
        ModelSpec(name, "regression", regressor, space, fixed, descriptions[0], **shared),
        ModelSpec(
            name,
            "classification",
            classifier,
            space,
            fixed,
            descriptions[1],
            **{**shared, **(classification or {})},
        ),
    ]


# All built-in models, for both tasks where a model solves both: data, one spec per entry.
BUILTIN_SPECS: list[ModelSpec] = [
    *_both_tasks(
        "lightgbm",
        (lightgbm_regressor, lightgbm_classifier),
        LIGHTGBM_SPACE,
        _QUIET_LIGHTGBM,
        (
            "LightGBM gradient boosting (LGBMRegressor)",
            "LightGBM gradient boosting (LGBMClassifier)",
        ),
        defaults=LIGHTGBM_DEFAULTS,
        alternatives=[LIGHTGBM_LONG, LIGHTGBM_FINE],
        alternative_cost=LONG_BOOSTING_COST,
        cost=3,
        row_bounds=LIGHTGBM_ROW_BOUNDS,
        tree_based=True,
    ),
    *_both_tasks(
        "xgboost",
        (xgboost_regressor, xgboost_classifier),
        XGBOOST_SPACE,
        _QUIET_XGBOOST,
        (
            "XGBoost gradient boosting (XGBRegressor)",
            "XGBoost gradient boosting (XGBClassifier; labels 0..k-1)",
        ),
        defaults=XGBOOST_DEFAULTS,
        alternatives=[XGBOOST_DEEP],
        alternative_cost=DEEP_XGBOOST_COST,
        cost=4,
        row_bounds=XGBOOST_ROW_BOUNDS,
        tree_based=True,
    ),
    *_both_tasks(
        "catboost",
        (catboost_regressor, catboost_classifier),
        CATBOOST_SPACE,
        _QUIET_CATBOOST,
        (
            "CatBoost gradient boosting (CatBoostRegressor)",
            "CatBoost gradient boosting (CatBoostClassifier)",
        ),
        defaults=CATBOOST_DEFAULTS,
        alternatives=[CATBOOST_DEEP],
        alternative_cost=1.5,
        cost=5,
        tree_based=True,
    ),
    *_both_tasks(
        "random_forest",
        (random_forest_regressor, random_forest_classifier),
        FOREST_SPACE,
        _FOREST,
        ("scikit-learn RandomForestRegressor", "scikit-learn RandomForestClassifier"),
        defaults=RANDOM_FOREST_DEFAULTS,
        cost=4,
        row_bounds=LEAF_ROW_BOUNDS,
        tree_based=True,
        grows="n_estimators",
    ),
    *_both_tasks(
        "extra_trees",
        (extra_trees_regressor, extra_trees_classifier),
        FOREST_SPACE,
        _FOREST,
        ("scikit-learn ExtraTreesRegressor", "scikit-learn ExtraTreesClassifier"),
        defaults=EXTRA_TREES_DEFAULTS,
        alternatives=[EXTRA_TREES_SAMPLED],
        alternative_cost=1.0,
        classification={
            "defaults": EXTRA_TREES_CLASSIFIER_DEFAULTS,
            "alternatives": (),
        },
        cost=3,
        row_bounds=LEAF_ROW_BOUNDS,
        tree_based=True,
        grows="n_estimators",
    ),
    *_both_tasks(
        "gradient_boosting",
        (gradient_boosting_regressor, gradient_boosting_classifier),
        GRADIENT_BOOSTING_SPACE,
        _SEEDED,
        ("scikit-learn GradientBoostingRegressor", "scikit-learn GradientBoostingClassifier"),
        defaults=GRADIENT_BOOSTING_DEFAULTS,
        cost=5,
        row_bounds=LEAF_ROW_BOUNDS,
        tree_based=True,
    ),
    *_both_tasks(
        "hist_gradient_boosting",
        (hist_gradient_boosting_regressor, hist_gradient_boosting_classifier),
        HIST_GRADIENT_BOOSTING_SPACE,
        {**_SEEDED, "early_stopping": False},
        (
            "scikit-learn HistGradientBoostingRegressor",
            "scikit-learn HistGradientBoostingClassifier",
        ),
        defaults=HIST_GRADIENT_BOOSTING_DEFAULTS,
        cost=3,
        row_bounds=HIST_GRADIENT_BOOSTING_ROW_BOUNDS,
        tree_based=True,
    ),
    ModelSpec(
        "ridge",
        "regression",
        ridge_regressor,
        {"alpha": Float(1e-4, 1e4, log=True)},
        {},
        "StandardScaler + Ridge",
        defaults={"alpha": 1.0},
        cost=1,
    ),
    ModelSpec(
        "bayesian_ridge",
        "regression",
        bayesian_ridge_regressor,
        {
            "alpha_1": Float(1e-8, 1e-2, log=True),
            "alpha_2": Float(1e-8, 1e-2, log=True),
            "lambda_1": Float(1e-8, 1e-2, log=True),
            "lambda_2": Float(1e-8, 1e-2, log=True),
        },
        {},
        "StandardScaler + BayesianRidge",
        defaults={"alpha_1": 1e-6, "alpha_2": 1e-6, "lambda_1": 1e-6, "lambda_2": 1e-6},
        cost=1,
    ),
    ModelSpec(
        "elastic_net",
        "regression",
        elastic_net_regressor,
        {"alpha": Float(1e-4, 10.0, log=True), "l1_ratio": Float(0.0, 1.0)},
        {"max_iter": 5000, "random_state": 0},
        "StandardScaler + ElasticNet",
        defaults={"alpha": 1e-2, "l1_ratio": 0.5},
        cost=1,
    ),
    ModelSpec(
        "poisson_glm",
        "regression",
        poisson_glm_regressor,
        {"alpha": Float(1e-6, 10.0, log=True)},
        {"max_iter": 1000},
        "Poisson GLM (log link) on one-hot codes, values and logarithms (GLMFeatures); y >= 0",
        defaults={"alpha": 1e-4},
        cost=1,
        nonnegative_target=True,
    ),
    ModelSpec(
        "logistic_regression",
        "classification",
        logistic_regression_classifier,
        {"C": Float(1e-4, 1e3, log=True)},
        {"max_iter": 2000},
        "StandardScaler + LogisticRegression",
        defaults={"C": 1.0},
        cost=1,
    ),
    *_both_tasks(
        "knn",
        (knn_regressor, knn_classifier),
        KNN_SPACE,
        {},
        ("StandardScaler + KNeighborsRegressor", "StandardScaler + KNeighborsClassifier"),
        defaults=KNN_DEFAULTS,
        cost=1,
        row_bounds=KNN_ROW_BOUNDS,
    ),
    ModelSpec(
        "mlp",
        "regression",
        mlp_regressor,
        MLP_SPACE,
        _MLP,
        "StandardScaler + the mean of n_seeds MLPRegressors (early stopping), standardised target,"
        " clipped to the labelled range",
        defaults=MLP_DEFAULTS,
        alternatives=[MLP_SEEDS],
        alternative_cost=3.5,
        cost=5,
        row_bounds=MLP_ROW_BOUNDS,
    ),
    ModelSpec(
        "gaussian_process",
        "regression",
        gaussian_process_regressor,
        GAUSSIAN_PROCESS_SPACE,
        _SEEDED,
        "StandardScaler + Gaussian process, ARD RBF + white noise (small tables)",
        defaults={"noise_level": 0.1, "n_restarts_optimizer": 0},
        cost=2,
        max_rows=1000,
    ),
    ModelSpec(
        "svr",
        "regression",
        svr_regressor,
        SVR_SPACE,
        {"kernel": "rbf"},
        "StandardScaler + SVR (RBF kernel) on a standardised target",
        defaults={"C": 1.0, "epsilon": 0.1, "gamma": 0.1},
        cost=2,
        max_rows=20_000,
    ),
    ModelSpec(
        "kernel_ridge",
        "regression",
        kernel_ridge_regressor,
        KERNEL_RIDGE_SPACE,
        {"kernel": "rbf"},
        "StandardScaler + KernelRidge (RBF kernel) on a standardised target",
        defaults={"alpha": 0.1, "gamma": 0.1},
        cost=2,
        max_rows=5000,
    ),
]


def builtin_specs() -> list[ModelSpec]:
    """All built-in models, for both tasks where a model solves both (a new list)."""
    return list(BUILTIN_SPECS)
