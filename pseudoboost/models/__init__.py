"""The model zoo: named estimator factories with their Optuna search spaces, as data.

>>> from pseudoboost.models import get_model, list_models
>>> spec = get_model("lightgbm")
>>> model = spec.make_estimator(n_estimators=200)
"""

from __future__ import annotations

from pseudoboost.models._estimators import (
    ARDGaussianProcessRegressor,
    ClippedRegressor,
    GLMFeatures,
    WeightedTransformedTargetRegressor,
)
from pseudoboost.models._registry import (
    default_models,
    get_model,
    list_models,
    register_model,
    resolve_models,
    tree_models,
    unregister_model,
)
from pseudoboost.models._spec import ModelSpec, RowBound, suggest

__all__ = [
    "ARDGaussianProcessRegressor",
    "ClippedRegressor",
    "GLMFeatures",
    "ModelSpec",
    "RowBound",
    "WeightedTransformedTargetRegressor",
    "default_models",
    "get_model",
    "list_models",
    "register_model",
    "resolve_models",
    "suggest",
    "tree_models",
    "unregister_model",
]
