"""``ModelSpec``: an estimator factory with its Optuna search space kept beside it as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
)

TASKS = ("regression", "classification")


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

    Examples
    --------
    >>> from pseudoboost.models import get_model
    >>> spec = get_model("ridge")
    >>> sorted(spec.search_space)
    ['alpha']
    >>> spec.make_estimator(alpha=2.0)[-1].alpha
    2.0
    """

    name: str
    task: str
    factory: Callable[..., Any]
    search_space: Mapping[str, BaseDistribution] = field(default_factory=dict)
    default_params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

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

    def search_space_json(self) -> dict[str, str]:
        """The search space as JSON strings (Optuna's ``distribution_to_json``)."""
        return {key: distribution_to_json(dist) for key, dist in self.search_space.items()}
