"""The built-in models: factories and search spaces for regression and classification.

Factories import their library on call, so listing the registry stays cheap and an optional
library (CatBoost) only matters when it is used. Linear models and k-nearest neighbours are
built as ``StandardScaler`` + model pipelines, because they are sensitive to feature scale.
Thread counts default to 1: ``tune(n_jobs=...)`` parallelises trials instead.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int

from pseudoboost.models._spec import ModelSpec


def _scaled(model: Any) -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), model)


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

    return _scaled(Ridge(**params))


def bayesian_ridge_regressor(**params: Any) -> Any:
    from sklearn.linear_model import BayesianRidge

    return _scaled(BayesianRidge(**params))


def elastic_net_regressor(**params: Any) -> Any:
    from sklearn.linear_model import ElasticNet

    return _scaled(ElasticNet(**params))


def logistic_regression_classifier(**params: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    return _scaled(LogisticRegression(**params))


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

LIGHTGBM_SPACE = {
    "n_estimators": Int(50, 1000, log=True),
    "learning_rate": _LEARNING_RATE,
    "num_leaves": Int(4, 128, log=True),
    "min_child_samples": Int(5, 300, log=True),
    "subsample": _SUBSAMPLE,
    "colsample_bytree": _COLSAMPLE,
    "reg_alpha": _REG,
    "reg_lambda": _REG,
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
    "iterations": Int(100, 1000, log=True),
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


def builtin_specs() -> list[ModelSpec]:
    """All built-in models; CatBoost only when it is installed."""
    specs = [
        ModelSpec(
            "lightgbm",
            "regression",
            lightgbm_regressor,
            LIGHTGBM_SPACE,
            _QUIET_LIGHTGBM,
            "LightGBM gradient boosting (LGBMRegressor)",
        ),
        ModelSpec(
            "lightgbm",
            "classification",
            lightgbm_classifier,
            LIGHTGBM_SPACE,
            _QUIET_LIGHTGBM,
            "LightGBM gradient boosting (LGBMClassifier)",
        ),
        ModelSpec(
            "xgboost",
            "regression",
            xgboost_regressor,
            XGBOOST_SPACE,
            _QUIET_XGBOOST,
            "XGBoost gradient boosting (XGBRegressor)",
        ),
        ModelSpec(
            "xgboost",
            "classification",
            xgboost_classifier,
            XGBOOST_SPACE,
            _QUIET_XGBOOST,
            "XGBoost gradient boosting (XGBClassifier; labels 0..k-1)",
        ),
        ModelSpec(
            "random_forest",
            "regression",
            random_forest_regressor,
            FOREST_SPACE,
            _FOREST,
            "scikit-learn RandomForestRegressor",
        ),
        ModelSpec(
            "random_forest",
            "classification",
            random_forest_classifier,
            FOREST_SPACE,
            _FOREST,
            "scikit-learn RandomForestClassifier",
        ),
        ModelSpec(
            "extra_trees",
            "regression",
            extra_trees_regressor,
            FOREST_SPACE,
            _FOREST,
            "scikit-learn ExtraTreesRegressor",
        ),
        ModelSpec(
            "extra_trees",
            "classification",
            extra_trees_classifier,
            FOREST_SPACE,
            _FOREST,
            "scikit-learn ExtraTreesClassifier",
        ),
        ModelSpec(
            "gradient_boosting",
            "regression",
            gradient_boosting_regressor,
            GRADIENT_BOOSTING_SPACE,
            _SEEDED,
            "scikit-learn GradientBoostingRegressor",
        ),
        ModelSpec(
            "gradient_boosting",
            "classification",
            gradient_boosting_classifier,
            GRADIENT_BOOSTING_SPACE,
            _SEEDED,
            "scikit-learn GradientBoostingClassifier",
        ),
        ModelSpec(
            "hist_gradient_boosting",
            "regression",
            hist_gradient_boosting_regressor,
            HIST_GRADIENT_BOOSTING_SPACE,
            {**_SEEDED, "early_stopping": False},
            "scikit-learn HistGradientBoostingRegressor",
        ),
        ModelSpec(
            "hist_gradient_boosting",
            "classification",
            hist_gradient_boosting_classifier,
            HIST_GRADIENT_BOOSTING_SPACE,
            {**_SEEDED, "early_stopping": False},
            "scikit-learn HistGradientBoostingClassifier",
        ),
        ModelSpec(
            "ridge",
            "regression",
            ridge_regressor,
            {"alpha": Float(1e-4, 1e4, log=True)},
            {},
            "StandardScaler + Ridge",
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
        ),
        ModelSpec(
            "elastic_net",
            "regression",
            elastic_net_regressor,
            {"alpha": Float(1e-4, 10.0, log=True), "l1_ratio": Float(0.0, 1.0)},
            {"max_iter": 5000, "random_state": 0},
            "StandardScaler + ElasticNet",
        ),
        ModelSpec(
            "logistic_regression",
            "classification",
            logistic_regression_classifier,
            {"C": Float(1e-4, 1e3, log=True)},
            {"max_iter": 2000},
            "StandardScaler + LogisticRegression",
        ),
        ModelSpec(
            "knn",
            "regression",
            knn_regressor,
            KNN_SPACE,
            {},
            "StandardScaler + KNeighborsRegressor",
        ),
        ModelSpec(
            "knn",
            "classification",
            knn_classifier,
            KNN_SPACE,
            {},
            "StandardScaler + KNeighborsClassifier",
        ),
    ]
    if importlib.util.find_spec("catboost") is not None:
        specs += [
            ModelSpec(
                "catboost",
                "regression",
                catboost_regressor,
                CATBOOST_SPACE,
                _QUIET_CATBOOST,
                "CatBoost gradient boosting (CatBoostRegressor)",
            ),
            ModelSpec(
                "catboost",
                "classification",
                catboost_classifier,
                CATBOOST_SPACE,
                _QUIET_CATBOOST,
                "CatBoost gradient boosting (CatBoostClassifier)",
            ),
        ]
    return specs
