"""Turning ``compare``'s ``models`` argument into named, unfitted estimators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import clone, is_classifier, is_regressor

DEFAULT_MODELS = {
    "regression": ("lightgbm", "xgboost", "random_forest", "ridge"),
    "classification": ("lightgbm", "xgboost", "random_forest"),
}


def _is_estimator(obj: Any) -> bool:
    return hasattr(obj, "fit") and hasattr(obj, "get_params")


def model_task(models: Any) -> str | None:
    """The task every estimator instance in ``models`` agrees on, or None.

    Names from the registry say nothing about the task, so only when every entry is an
    estimator (bare, in a ``(name, estimator)`` pair or a mapping) and they all agree is a
    task returned.
    """
    if models is None or isinstance(models, str):
        return None
    entries = list(models.values()) if isinstance(models, Mapping) else list(models)
    estimators = []
    for entry in entries:
        if isinstance(entry, tuple) and len(entry) == 2:
            entry = entry[1]
        if not _is_estimator(entry):
            return None
        estimators.append(entry)
    if estimators and all(is_classifier(e) for e in estimators):
        return "classification"
    if estimators and all(is_regressor(e) for e in estimators):
        return "regression"
    return None


def _from_registry(name: str, task: str) -> Any:
    try:
        from pseudoboost.models import get_model, list_models
    except ImportError as exc:  # the zoo is optional at this layer
        raise ValueError(
            f"Model name {name!r} needs the model zoo pseudoboost.models, which could not be "
            f"imported ({exc}); pass an estimator instance or a (name, estimator) pair instead."
        ) from exc
    known = list(list_models(task))
    if name not in known:
        raise ValueError(
            f"Unknown model {name!r} for {task}: choose one of {known} "
            "(pseudoboost.models.list_models()), or pass an estimator instance or a "
            "(name, estimator) pair."
        )
    return get_model(name, task=task).make_estimator()


def resolve_models(models: Any, task: str) -> list[tuple[str, Any]]:
    """Return ``[(name, unfitted estimator), ...]`` with unique names, in the given order.

    Parameters
    ----------
    models : str, estimator, (name, estimator) pair, mapping or sequence of these, or None
        Names are looked up in the model zoo for ``task``; estimators are cloned and named
        after their class (``"Ridge"``, ``"Ridge#2"`` for a second one). None takes
        ``DEFAULT_MODELS[task]``.
    task : {"regression", "classification"}

    Raises
    ------
    ValueError
        For an empty ``models``, an unknown name, a duplicated name or an entry that is
        neither a name nor an estimator.
    """
    if models is None:
        models = DEFAULT_MODELS[task]
    if isinstance(models, str) or _is_estimator(models):
        models = [models]
    elif isinstance(models, tuple) and len(models) == 2 and isinstance(models[0], str):
        if _is_estimator(models[1]):
            models = [models]
    if isinstance(models, Mapping):
        models = list(models.items())
    entries = list(models)
    if not entries:
        raise ValueError(
            "models is empty: pass at least one model name (see "
            "pseudoboost.models.list_models()) or an estimator instance."
        )

    resolved: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for entry in entries:
        if isinstance(entry, str):
            name, estimator = entry, _from_registry(entry, task)
            if name in seen:
                raise ValueError(f"Model {name!r} is listed twice in models.")
        elif isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            name, estimator = entry
            if not _is_estimator(estimator):
                raise ValueError(
                    f"Model {name!r} is paired with {type(estimator).__name__}, which is not a "
                    "scikit-learn estimator (it needs fit and get_params)."
                )
            if name in seen:
                raise ValueError(f"Model name {name!r} is used twice in models.")
            estimator = clone(estimator)
        elif _is_estimator(entry):
            base = type(entry).__name__
            name, n = base, 1
            while name in seen:
                n += 1
                name = f"{base}#{n}"
            estimator = clone(entry)
        else:
            raise ValueError(
                f"Each model must be a name from pseudoboost.models, an estimator or a "
                f"(name, estimator) pair; got {entry!r}."
            )
        seen.add(name)
        resolved.append((name, estimator))
    return resolved
