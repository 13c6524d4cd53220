"""``ModelSpec``: an estimator factory with its Optuna search space kept beside it as data."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
)
from sklearn.utils._param_validation import Interval, validate_params

TASKS = ("regression", "classification")

#: A row bound: the largest fraction of the training rows a parameter may take, or
#: ``(fraction, floor)`` when the bound must never drop below ``floor`` (default 1).
RowBound = float | tuple[float, float]

_N_SAMPLES = {"n_samples": [Interval(Integral, 1, None, closed="left")]}


def suggest(trial: Any, name: str, distribution: BaseDistribution) -> Any:
    """Ask ``trial`` for a value of ``distribution`` under ``name`` (public Optuna calls only).

    Parameters
    ----------
    trial : optuna.trial.Trial
        The running trial.
    name : str
        Parameter name as stored in the study.
    distribution : FloatDistribution, IntDistribution or CategoricalDistribution
        What to sample.

    Returns
    -------
    object
        The suggested value.
    """
    if isinstance(distribution, FloatDistribution):
        return trial.suggest_float(
            name,
            distribution.low,
            distribution.high,
            log=distribution.log,
            step=distribution.step,
        )
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(
            name,
            distribution.low,
            distribution.high,
            log=distribution.log,
            step=distribution.step,
        )
    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    raise TypeError(f"Unsupported distribution for {name!r}: {distribution!r}.")


def contains(distribution: BaseDistribution, value: Any) -> bool:
    """Whether ``distribution`` can propose ``value`` (bounds, step and choices).

    Parameters
    ----------
    distribution : FloatDistribution, IntDistribution or CategoricalDistribution
        The distribution.
    value : object
        A candidate value.

    Returns
    -------
    bool

    Examples
    --------
    >>> from optuna.distributions import IntDistribution
    >>> contains(IntDistribution(1, 9, step=2), 3), contains(IntDistribution(1, 9, step=2), 4)
    (True, False)
    """
    if isinstance(distribution, CategoricalDistribution):
        return any(
            value == choice and type(value) is type(choice) for choice in distribution.choices
        )
    if not isinstance(distribution, (FloatDistribution, IntDistribution)):
        raise TypeError(f"Unsupported distribution: {distribution!r}.")
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    if isinstance(distribution, IntDistribution) and not isinstance(value, Integral):
        return False
    if not distribution.low <= value <= distribution.high:
        return False
    if distribution.step is None:
        return True
    steps = (value - distribution.low) / distribution.step
    return math.isclose(steps, round(steps), abs_tol=1e-8)


def _split_bound(bound: RowBound) -> tuple[float, float]:
    if isinstance(bound, tuple):
        fraction, floor = bound
        return float(fraction), float(floor)
    return float(bound), 1.0


def _clip_high(
    distribution: FloatDistribution | IntDistribution, cap: float
) -> FloatDistribution | IntDistribution:
    """``distribution`` with its upper bound lowered to ``cap`` (and its lower bound with it,
    so that ``low <= high`` still holds); unchanged when ``cap`` is above ``high``."""
    if cap >= distribution.high:
        return distribution
    low, step = distribution.low, distribution.step
    if isinstance(distribution, IntDistribution):
        cap = math.floor(cap)
    if cap <= low:
        return type(distribution)(cap, cap, log=distribution.log, step=step)
    high = cap if step is None else low + math.floor((cap - low) / step + 1e-8) * step
    return type(distribution)(low, high, log=distribution.log, step=step)


def _clip_value(distribution: BaseDistribution, value: Any) -> Any:
    """``value`` moved into ``distribution`` (the nearest bound) when it lies outside."""
    if isinstance(distribution, (FloatDistribution, IntDistribution)) and value > distribution.high:
        return distribution.high
    if isinstance(distribution, (FloatDistribution, IntDistribution)) and value < distribution.low:
        return distribution.low
    return value


@dataclass(frozen=True)
class ModelSpec:
    """A named model: how to build it and which hyperparameters to tune.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"lightgbm"``.
    task : {"regression", "classification"}
        The task the factory's estimator solves.
    factory : callable
        ``factory(**params)`` returns an unfitted scikit-learn estimator.
    search_space : dict of str to optuna distribution
        Tunable hyperparameters (``FloatDistribution``, ``IntDistribution``,
        ``CategoricalDistribution``), as data: the tuner and the CLI both read it.
    default_params : dict
        Keyword arguments always given to ``factory`` unless overridden (seeds, verbosity,
        thread counts).
    description : str
        One line for listings.
    defaults : dict, default={}
        A known-good starting configuration for the search: search-space keys to values
        inside their distributions (a tuner can enqueue it as its first trial). Unlike
        ``default_params`` these are tuned, not fixed.
    alternatives : sequence of dict, default=()
        Further known-good configurations, as ``defaults`` and tried after every model's
        default (a small portfolio: e.g. deep trees with many boosting rounds, which a table
        with a sharp target needs and a noisy one does not).
    alternative_cost : float, default=3.0
        The time of the dearest alternative over the default's: a search under a time budget
        runs an alternative only when its default's measured time times this says it can end
        before the deadline.
    cost : int, default=3
        Relative cost rank of one fit, 1 = cheapest (ridge, k-NN) to 5 (CatBoost, scikit-learn
        gradient boosting); 3 when unknown.
    max_rows : int or None, default=None
        Above this many training rows the model is too costly to tune (``fits`` is False);
        None means no limit.
    row_bounds : dict of str to float or (float, float), default={}
        Size-dependent parameters: each maps to the largest fraction of the training rows it
        may take, or ``(fraction, floor)`` where the bound never drops below ``floor``
        (default 1). :meth:`space_for` applies them.
    tree_based : bool, default=False
        The model splits on feature thresholds (decision trees and their ensembles):
        category codes lose nothing for it, so
        :meth:`~pseudoboost.preprocessing.AutoPreprocessor.for_models` gives it ordinal codes
        instead of one-hot columns.
    nonnegative_target : bool, default=False
        The model's loss needs targets >= 0 (a Poisson deviance): ``model="all"`` leaves it
        out when a label is negative (:meth:`accepts_target`).
    grows : str or None, default=None
        An integer parameter of the search space whose larger values only lower the model's
        variance (a bagged forest's ``n_estimators``): under a time budget, ``tune``'s final
        refit raises it with the time the search left (``best_params`` says by how much).

    Examples
    --------
    >>> from pseudoboost.models import get_model
    >>> spec = get_model("ridge")
    >>> sorted(spec.search_space)
    ['alpha']
    >>> spec.make_estimator(alpha=2.0)[-1].alpha
    2.0
    >>> knn = get_model("knn")
    >>> knn.space_for(20)["n_neighbors"]
    IntDistribution(high=10, log=True, low=1, step=1)
    >>> knn.defaults_for(20)
    {'n_neighbors': 10, 'weights': 'distance', 'p': 2}
    >>> get_model("gaussian_process").fits(10_000)
    False
    """

    name: str
    task: str
    factory: Callable[..., Any]
    search_space: Mapping[str, BaseDistribution] = field(default_factory=dict)
    default_params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    alternatives: Sequence[Mapping[str, Any]] = ()
    alternative_cost: float = 3.0
    cost: int = 3
    max_rows: int | None = None
    row_bounds: Mapping[str, RowBound] = field(default_factory=dict)
    tree_based: bool = False
    nonnegative_target: bool = False
    grows: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"A model name must be a non-empty string, got {self.name!r}.")
        if self.task not in TASKS:
            raise ValueError(f"task must be 'regression' or 'classification', got {self.task!r}.")
        if not callable(self.factory):
            raise TypeError(f"factory of model {self.name!r} must be callable.")
        for key, dist in self.search_space.items():
            if not isinstance(dist, BaseDistribution):
                raise TypeError(
                    f"search_space[{key!r}] of model {self.name!r} must be an Optuna "
                    f"distribution (FloatDistribution, IntDistribution, "
                    f"CategoricalDistribution), got {dist!r}."
                )
        for flag in ("tree_based", "nonnegative_target"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(
                    f"{flag} of model {self.name!r} must be a bool, got {getattr(self, flag)!r}."
                )
        cost = self.alternative_cost
        if isinstance(cost, bool) or not isinstance(cost, Real) or not cost > 0:
            raise ValueError(
                f"alternative_cost of model {self.name!r} must be a number > 0, got {cost!r}."
            )
        if isinstance(self.cost, bool) or not isinstance(self.cost, Integral) or self.cost < 1:
            raise ValueError(f"cost of model {self.name!r} must be an int >= 1, got {self.cost!r}.")
        if self.max_rows is not None and (
            isinstance(self.max_rows, bool)
            or not isinstance(self.max_rows, Integral)
            or self.max_rows < 1
        ):
            raise ValueError(
                f"max_rows of model {self.name!r} must be None or an int >= 1, "
                f"got {self.max_rows!r}."
            )
        for key, bound in self.row_bounds.items():
            dist = self.search_space.get(key)
            if not isinstance(dist, (FloatDistribution, IntDistribution)):
                raise ValueError(
                    f"row_bounds[{key!r}] of model {self.name!r} must name a numeric "
                    f"parameter of its search space, got {dist!r}."
                )
            valid = isinstance(bound, (Real, tuple)) and not isinstance(bound, bool)
            if valid and isinstance(bound, tuple):
                valid = len(bound) == 2 and all(
                    isinstance(b, Real) and not isinstance(b, bool) for b in bound
                )
            if not valid or _split_bound(bound)[0] <= 0 or _split_bound(bound)[1] < 1:
                raise ValueError(
                    f"row_bounds[{key!r}] of model {self.name!r} must be a fraction > 0 or a "
                    f"(fraction > 0, floor >= 1) pair, got {bound!r}."
                )
        if self.grows is not None and not isinstance(
            self.search_space.get(self.grows), IntDistribution
        ):
            raise ValueError(
                f"grows of model {self.name!r} must name an integer parameter of its search "
                f"space, got {self.grows!r}."
            )
        self._check_configuration("defaults", self.defaults)
        for i, alternative in enumerate(self.alternatives):
            self._check_configuration(f"alternatives[{i}]", alternative)

    def _check_configuration(self, label: str, configuration: Mapping[str, Any]) -> None:
        """Each value of a known-good configuration names a parameter and lies inside it."""
        if not isinstance(configuration, Mapping):
            raise TypeError(
                f"{label} of model {self.name!r} must be a dict, got {configuration!r}."
            )
        for key, value in configuration.items():
            dist = self.search_space.get(key)
            if dist is None:
                raise ValueError(
                    f"{label}[{key!r}] of model {self.name!r} is not in its search space "
                    f"{sorted(self.search_space)}."
                )
            if not contains(dist, value):
                raise ValueError(
                    f"{label}[{key!r}] = {value!r} of model {self.name!r} lies outside "
                    f"its distribution {dist!r}."
                )

    def make_estimator(self, **params: Any) -> Any:
        """Return an unfitted estimator: ``factory(**{**default_params, **params})``.

        Parameters
        ----------
        **params : dict
            Hyperparameters, e.g. a trial's suggestions.

        Returns
        -------
        estimator
        """
        return self.factory(**{**self.default_params, **params})

    def suggest(self, trial: Any, prefix: str = "") -> dict[str, Any]:
        """Sample every hyperparameter of the search space from an Optuna trial.

        Parameters
        ----------
        trial : optuna.trial.Trial
            The running trial.
        prefix : str, default=""
            Prepended to each name in the study (e.g. ``"lightgbm__"`` when several models
            share one study).

        Returns
        -------
        dict
            Unprefixed parameter names to values, ready for :meth:`make_estimator`.
        """
        return {key: suggest(trial, prefix + key, dist) for key, dist in self.search_space.items()}

    @validate_params(_N_SAMPLES, prefer_skip_nested_validation=True)
    def fits(self, n_samples: int) -> bool:
        """Whether the model may be tuned on ``n_samples`` training rows (``max_rows``).

        Parameters
        ----------
        n_samples : int
            Number of training rows.

        Returns
        -------
        bool
        """
        return self.max_rows is None or n_samples <= self.max_rows

    def accepts_target(self, y: Any) -> bool:
        """Whether the model's loss is defined for the targets ``y`` (``nonnegative_target``).

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets (missing values, as for unlabelled rows, are ignored).

        Returns
        -------
        bool
        """
        if not self.nonnegative_target:
            return True
        values = np.asarray(y, dtype=float)
        return not np.any(values[~np.isnan(values)] < 0)

    @validate_params(_N_SAMPLES, prefer_skip_nested_validation=True)
    def space_for(self, n_samples: int) -> dict[str, BaseDistribution]:
        """The search space with its size-dependent bounds clipped to ``n_samples`` rows.

        Each parameter of ``row_bounds`` gets the upper bound
        ``min(high, max(floor, fraction * n_samples))`` (rounded down for integers), and its
        lower bound is lowered with it when needed, so every value it proposes can be fitted
        on ``n_samples`` rows (e.g. k-NN never asks for more neighbours than rows).

        Parameters
        ----------
        n_samples : int
            The smallest training set a trial will fit (e.g. a cross-validation fold's
            training part).

        Returns
        -------
        dict of str to optuna distribution
            A new dict; parameters without a row bound are the search space's own.
        """
        space = dict(self.search_space)
        for key, bound in self.row_bounds.items():
            fraction, floor = _split_bound(bound)
            space[key] = _clip_high(space[key], max(floor, fraction * n_samples))
        return space

    @validate_params(_N_SAMPLES, prefer_skip_nested_validation=True)
    def defaults_for(self, n_samples: int) -> dict[str, Any]:
        """``defaults`` moved inside :meth:`space_for` ``(n_samples)``.

        Parameters
        ----------
        n_samples : int
            As for :meth:`space_for`.

        Returns
        -------
        dict
            The starting configuration, each value inside its clipped distribution.
        """
        return self._clipped(self.defaults, n_samples)

    @validate_params(_N_SAMPLES, prefer_skip_nested_validation=True)
    def alternatives_for(self, n_samples: int) -> list[dict[str, Any]]:
        """``alternatives`` moved inside :meth:`space_for` ``(n_samples)``, as
        :meth:`defaults_for`; each is completed with ``defaults`` where it is silent.

        Parameters
        ----------
        n_samples : int
            As for :meth:`space_for`.

        Returns
        -------
        list of dict
        """
        return [
            self._clipped({**self.defaults, **alternative}, n_samples)
            for alternative in self.alternatives
        ]

    def _clipped(self, configuration: Mapping[str, Any], n_samples: int) -> dict[str, Any]:
        space = self.space_for(n_samples)
        return {key: _clip_value(space[key], value) for key, value in configuration.items()}

    def search_space_json(self) -> dict[str, str]:
        """The search space as JSON strings (Optuna's ``distribution_to_json``)."""
        return {key: distribution_to_json(dist) for key, dist in self.search_space.items()}
