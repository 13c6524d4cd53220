"""Turning ``compare``'s ``models`` argument into named, unfitted estimators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import clone, is_classifier, is_regressor

from pseudoboost.models import ModelSpec, default_models
from pseudoboost.models import resolve_models as resolve_specs
from pseudoboost.models._registry import is_estimator


def _is_spec(obj: Any) -> bool:
    return isinstance(obj, ModelSpec)


def _is_pair(obj: Any) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and isinstance(obj[0], str)
        and is_estimator(obj[1])
    )


def model_task(models: Any) -> str | None:
    """The task every estimator instance or model spec in ``models`` agrees on, or None.

    Names from the registry say nothing about the task, so only when every entry is an
    estimator (bare, in a ``(name, estimator)`` pair or a mapping) or a ``ModelSpec`` and
    they all agree is a task returned.
    """
    if models is None or isinstance(models, str):
        return None
    if _is_spec(models) or is_estimator(models) or _is_pair(models):
        models = [models]
    entries = list(models.values()) if isinstance(models, Mapping) else list(models)
    tasks = set()
    estimators = []
    for entry in entries:
        if isinstance(entry, tuple) and len(entry) == 2:
            entry = entry[1]
        if _is_spec(entry):
            tasks.add(entry.task)
        elif is_estimator(entry):
            estimators.append(entry)
        else:
            return None
    if estimators and all(is_classifier(e) for e in estimators):
        tasks.add("classification")
    elif estimators and all(is_regressor(e) for e in estimators):
        tasks.add("regression")
    elif estimators:
        return None
    return tasks.pop() if len(tasks) == 1 else None


def _from_zoo(entry: str | ModelSpec, task: str, y: Any) -> ModelSpec:
    """The spec of a name or spec, checked by the zoo's own :func:`resolve_models`."""
    try:
        (spec,) = resolve_specs(entry, task, y=y)
    except ValueError as error:
        raise ValueError(
            f"{error} Or pass an estimator instance or a (name, estimator) pair."
        ) from None
    return spec


def resolve_models(
    models: Any, task: str, n_samples: int | None = None, y: Any = None
) -> list[tuple[str, Any]]:
    """Return ``[(name, unfitted estimator), ...]`` with unique names, in the given order.

    Parameters
    ----------
    models : str, ModelSpec, estimator, (name, estimator) pair, or a list or dict of them
        Names are looked up in the model zoo for ``task`` (``"all"``: every model of the
        task); a ``ModelSpec`` is built with its defaults and keeps its name; estimators are
        cloned and named after their class (``"Ridge"``, ``"Ridge#2"`` for a second one).
        None takes :func:`pseudoboost.models.default_models` ``(task)``.
    task : {"regression", "classification"}
    n_samples : int or None, default=None
        Labelled training rows of a fold: ``"all"`` leaves out the models that cannot run
        on that many (as ``tune``: a Gaussian process on 50,000 rows).
    y : array-like or None, default=None
        The targets: ``"all"`` leaves out the zoo models whose loss cannot take them (a
        Poisson GLM when a label is negative), and naming one is an error.

    Raises
    ------
    ValueError
        For an empty ``models``, an unknown name, a duplicated name, a spec of another task
        an entry that is neither a name, a spec nor an estimator, or a zoo model that cannot
        take the targets ``y``.
    """
    if models is None:
        models = default_models(task)
    if isinstance(models, str) and models == "all":
        models = resolve_specs("all", task, n_samples=n_samples, y=y)
    if isinstance(models, str) or _is_spec(models) or is_estimator(models) or _is_pair(models):
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
        if isinstance(entry, str) or _is_spec(entry):
            spec = _from_zoo(entry, task, y)
            name, estimator = spec.name, spec.make_estimator()
            if name in seen:
                raise ValueError(f"Model {name!r} is listed twice in models.")
        elif isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            name, estimator = entry
            if not is_estimator(estimator):
                raise ValueError(
                    f"Model {name!r} is paired with {type(estimator).__name__}, which is not a "
                    "scikit-learn estimator (it needs fit and get_params)."
                )
            if name in seen:
                raise ValueError(f"Model name {name!r} is used twice in models.")
            estimator = clone(estimator)
        elif is_estimator(entry):
            base = type(entry).__name__
            name, n = base, 1
            while name in seen:
                n += 1
                name = f"{base}#{n}"
            estimator = clone(entry)
        else:
            raise ValueError(
                f"Each model must be a name from pseudoboost.models, a ModelSpec, an estimator "
                f"or a (name, estimator) pair; got {entry!r}."
            )
        seen.add(name)
        resolved.append((name, estimator))
    return resolved
