"""The model registry: look up, list and add named models."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Integral
from typing import Any

from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils._param_validation import Interval, validate_params

from pseudoboost.models._spec import TASKS, ModelSpec, RowBound
from pseudoboost.models._zoo import builtin_specs

_REGISTRY: dict[tuple[str, str], ModelSpec] = {
    (spec.name, spec.task): spec for spec in builtin_specs()
}


# The models compared when none is named, best known first: ``compare`` runs them all, the
# command line's ``tune`` the first (``tune``'s own default).
_DEFAULT_MODELS = {
    "regression": ("lightgbm", "xgboost", "random_forest", "ridge"),
    "classification": ("lightgbm", "xgboost", "random_forest"),
}


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}.")


def default_models(task: str) -> list[str]:
    """The models ``compare`` runs when none is named; the first is ``tune``'s default.

    Parameters
    ----------
    task : {"regression", "classification"}

    Returns
    -------
    list of str

    Examples
    --------
    >>> from pseudoboost.models import default_models
    >>> default_models("regression")
    ['lightgbm', 'xgboost', 'random_forest', 'ridge']
    """
    _check_task(task)
    return list(_DEFAULT_MODELS[task])


def tree_models() -> list[str]:
    """Names of the registered models that split on thresholds (``ModelSpec.tree_based``).

    A name counts when its spec is tree-based for every task it is registered for.

    Returns
    -------
    list of str
        Sorted.

    Examples
    --------
    >>> from pseudoboost.models import tree_models
    >>> "lightgbm" in tree_models(), "ridge" in tree_models()
    (True, False)
    """
    verdicts: dict[str, bool] = {}
    for (name, _), spec in _REGISTRY.items():
        verdicts[name] = verdicts.get(name, True) and spec.tree_based
    return sorted(name for name, tree in verdicts.items() if tree)


class _Cloner:
    """The factory of a user's estimator instance: a clone with a trial's parameters (a
    class, not a lambda, so that worker processes can unpickle it)."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def __call__(self, **params: Any) -> Any:
        return clone(self.estimator).set_params(**params)


def spec_from_estimator(estimator: Any) -> ModelSpec:
    """A :class:`ModelSpec` for an estimator instance: its parameters are kept as given
    (an empty search space), so only the pseudo-labelling knobs are tuned for it.

    Parameters
    ----------
    estimator : scikit-learn regressor or classifier (or a Pipeline ending in one)

    Returns
    -------
    ModelSpec
        Named after the estimator's class.

    Raises
    ------
    ValueError
        If the estimator is neither a regressor nor a classifier.
    """
    name = type(estimator).__name__
    if is_classifier(estimator):
        task = "classification"
    elif is_regressor(estimator):
        task = "regression"
    else:
        raise ValueError(
            f"{name} is neither a scikit-learn regressor nor a classifier, so it cannot be "
            "tuned; pass a model name (see pseudoboost.models.list_models()) or an estimator."
        )
    description = f"{name} as given (only the pseudo-labelling knobs are tuned)"
    return ModelSpec(name, task, _Cloner(estimator), {}, description=description)


def is_estimator(item: Any) -> bool:
    """Whether ``item`` is an estimator instance (``fit`` and ``get_params``; not a class)."""
    return hasattr(item, "fit") and hasattr(item, "get_params") and not isinstance(item, type)


def resolve_models(
    model: str | ModelSpec | Any | Sequence[str | ModelSpec | Any],
    task: str,
    n_samples: int | None = None,
    y: Any = None,
) -> list[ModelSpec]:
    """``model`` (a name, a spec, an estimator, a list of them or ``"all"``) as specs.

    Parameters
    ----------
    model : str, ModelSpec, estimator or list of them
        Registry names (see :func:`list_models`), specs, or estimator instances (used with
        their parameters as given: :func:`spec_from_estimator`); ``"all"`` is every model of
        ``task``.
    task : {"regression", "classification"}
        The learning task every model must solve.
    n_samples : int or None, default=None
        The rows of the smallest fit: ``"all"`` then leaves out the models that cannot run
        on that many rows (e.g. a Gaussian process on 50,000 rows).
    y : array-like or None, default=None
        The training targets: ``"all"`` then leaves out the models whose loss cannot take
        them (:meth:`ModelSpec.accepts_target`), and naming such a model is an error.

    Returns
    -------
    list of ModelSpec
        In the given order.

    Raises
    ------
    ValueError
        For an empty list, an unknown name, a spec of another task, a name given twice or a
        model that cannot take the targets ``y``.

    Examples
    --------
    >>> from pseudoboost.models import resolve_models
    >>> [spec.name for spec in resolve_models(["ridge", "knn"], "regression")]
    ['ridge', 'knn']
    """
    if isinstance(model, str) and model == "all":
        specs = [get_model(name, task) for name in list_models(task, n_samples=n_samples)]
        return [spec for spec in specs if y is None or spec.accepts_target(y)]
    single = isinstance(model, (str, ModelSpec)) or is_estimator(model)
    items = [model] if single else list(model)
    if not items:
        raise ValueError(
            "model must name at least one model; see pseudoboost.models.list_models()."
        )
    specs = []
    for item in items:
        if is_estimator(item):
            spec = spec_from_estimator(item)
        else:
            spec = item if isinstance(item, ModelSpec) else get_model(item, task)
        if spec.task != task:
            raise ValueError(f"Model {spec.name!r} is a {spec.task} model but the task is {task}.")
        if y is not None and not spec.accepts_target(y):
            raise ValueError(f"Model {spec.name!r} needs targets >= 0, but y has negative values.")
        specs.append(spec)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"model lists a name twice: {names}.")
    return specs


@validate_params(
    {"n_samples": [Interval(Integral, 1, None, closed="left"), None]},
    prefer_skip_nested_validation=True,
)
def list_models(task: str | None = None, n_samples: int | None = None) -> list[str]:
    """Names of the registered models, sorted.

    Parameters
    ----------
    task : {"regression", "classification"} or None, default=None
        Only the models for this task; None lists every name once.
    n_samples : int or None, default=None
        Only the models that may be tuned on this many training rows
        (:meth:`ModelSpec.fits`, i.e. within their ``max_rows``); None lists all.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from pseudoboost.models import list_models
    >>> "lightgbm" in list_models("regression")
    True
    >>> "ridge" in list_models("classification")
    False
    >>> "gaussian_process" in list_models("regression", n_samples=100_000)
    False
    """
    if task is not None:
        _check_task(task)
    return sorted(
        {
            name
            for (name, t), spec in _REGISTRY.items()
            if (task is None or t == task) and (n_samples is None or spec.fits(n_samples))
        }
    )


def get_model(name: str, task: str = "regression") -> ModelSpec:
    """The registered model ``name`` for ``task``.

    Parameters
    ----------
    name : str
        Registry name, see :func:`list_models`.
    task : {"regression", "classification"}, default="regression"
        The learning task.

    Returns
    -------
    ModelSpec

    Raises
    ------
    ValueError
        If no model of that name exists for ``task``; the message lists the available names.
    """
    _check_task(task)
    spec = _REGISTRY.get((name, task))
    if spec is None:
        available = ", ".join(list_models(task))
        raise ValueError(f"Unknown {task} model {name!r}. Available: {available}.")
    return spec


def register_model(
    spec: ModelSpec | str,
    factory: Callable[..., Any] | None = None,
    search_space: Mapping[str, Any] | None = None,
    *,
    task: str = "regression",
    default_params: Mapping[str, Any] | None = None,
    description: str = "",
    defaults: Mapping[str, Any] | None = None,
    alternatives: Sequence[Mapping[str, Any]] = (),
    alternative_cost: float = 3.0,
    cost: int = 3,
    max_rows: int | None = None,
    row_bounds: Mapping[str, RowBound] | None = None,
    tree_based: bool = False,
    nonnegative_target: bool = False,
    grows: str | None = None,
    overwrite: bool = False,
) -> ModelSpec:
    """Add a model to the registry, so ``tune`` and ``compare`` can use it by name.

    Parameters
    ----------
    spec : ModelSpec or str
        A complete :class:`ModelSpec`, or the new model's name (then give ``factory``).
    factory : callable, optional
        ``factory(**params)`` returning an unfitted estimator (when ``spec`` is a name).
        Define it at module level if ``tune(n_jobs>1)`` must pickle it into workers.
    search_space : dict of str to optuna distribution, optional
        Tunable hyperparameters; empty means nothing to tune besides pseudo-labelling.
    task : {"regression", "classification"}, default="regression"
        The task (when ``spec`` is a name).
    default_params : dict, optional
        Fixed keyword arguments of ``factory``. A ``random_state`` here receives tune's seed.
    description : str, default=""
        One line for listings.
    defaults : dict, optional
        A known-good starting configuration for the search (see :class:`ModelSpec`).
    alternatives : sequence of dict, default=()
        Further known-good configurations, tried after every model's default.
    alternative_cost : float, default=3.0
        The dearest alternative's time over the default's (see :class:`ModelSpec`).
    cost : int, default=3
        Relative cost rank, 1 = cheapest to 5.
    max_rows : int or None, default=None
        Not tuned above this many training rows.
    row_bounds : dict, optional
        Parameters bounded by a fraction of the training rows (see :meth:`ModelSpec.space_for`).
    tree_based : bool, default=False
        The model splits on feature thresholds (see :class:`ModelSpec`).
    nonnegative_target : bool, default=False
        The model's loss needs targets >= 0 (see :class:`ModelSpec`).
    grows : str or None, default=None
        An integer parameter that only lowers the variance as it grows, raised at the final
        refit with the time left (see :class:`ModelSpec`).
    overwrite : bool, default=False
        Replace an existing model of the same name and task instead of raising.

    Returns
    -------
    ModelSpec
        The registered spec.

    Examples
    --------
    >>> from optuna.distributions import FloatDistribution
    >>> from sklearn.linear_model import Lasso
    >>> from pseudoboost.models import get_model, register_model
    >>> _ = register_model("lasso", Lasso, {"alpha": FloatDistribution(1e-3, 10, log=True)},
    ...                    overwrite=True)
    >>> get_model("lasso").make_estimator(alpha=0.5)
    Lasso(alpha=0.5)
    """
    if isinstance(spec, ModelSpec):
        if factory is not None or search_space is not None:
            raise TypeError("Give either a ModelSpec or a name with factory and search_space.")
    elif isinstance(spec, str):
        if factory is None:
            raise TypeError(f"register_model({spec!r}, ...) needs a factory callable.")
        spec = ModelSpec(
            name=spec,
            task=task,
            factory=factory,
            search_space=dict(search_space or {}),
            default_params=dict(default_params or {}),
            description=description,
            defaults=dict(defaults or {}),
            alternatives=list(alternatives),
            alternative_cost=alternative_cost,
            cost=cost,
            max_rows=max_rows,
            row_bounds=dict(row_bounds or {}),
            tree_based=tree_based,
            nonnegative_target=nonnegative_target,
            grows=grows,
        )
    else:
        raise TypeError(f"spec must be a ModelSpec or a model name, got {type(spec).__name__}.")
    key = (spec.name, spec.task)
    if key in _REGISTRY and not overwrite:
        raise ValueError(
            f"A {spec.task} model named {spec.name!r} is already registered; pass "
            "overwrite=True to replace it."
        )
    _REGISTRY[key] = spec
    return spec


def unregister_model(name: str, task: str = "regression") -> None:
    """Remove a model from the registry (mainly for tests of user models)."""
    get_model(name, task)
    del _REGISTRY[(name, task)]
