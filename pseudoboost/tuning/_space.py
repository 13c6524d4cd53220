"""The joint search space: which model, the pseudo-labelling knobs and the model's own.

Study parameter names: ``model`` (only when several models compete), ``sample_rate``,
``selection``, ``pseudo_weight``, ``max_iter``, ``label_source`` and ``teacher``
(regression), then the model's hyperparameters, prefixed ``<model>__`` when several models
share the study (their ranges differ) or when the name is also a pseudo-labelling knob
(``hist_gradient_boosting__max_iter``), plain otherwise.

A trial of the supervised phase samples no knob at all (its ``sample_rate`` is 0); a trial
replayed from the study (:meth:`SearchSpace.decode`) takes a missing knob at its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int
from optuna.trial import FixedTrial
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from pseudoboost.models import ModelSpec, suggest
from pseudoboost.models import resolve_models as resolve_models  # tune reads it from here
from pseudoboost.models._estimators import sample_weight_key
from pseudoboost.pseudo_label._regressor import REGRESSION_SELECTORS

PSEUDO_KNOBS = (
    "sample_rate",
    "selection",
    "pseudo_weight",
    "max_iter",
    "label_source",
    "teacher",
    "threshold",
    "balance_classes",
)
# Who labels the pool: the student itself, or the weighted ensemble of the supervised phase.
TEACHERS = ("self", "ensemble")


def pseudo_label_search_space(task: str) -> dict[str, BaseDistribution]:
    """The pseudo-labelling knobs tuned around the models of the supervised phase.

    ``sample_rate`` runs over 0, 0.05, ..., 1, so that 0 (no pseudo-labels, the supervised
    model) is a point the sampler can pick. For classification ``selection`` is
    ``"k_best"`` (the most confident ``sample_rate`` share of the pool), ``"random"`` or
    ``"threshold"`` (every row whose predicted-class probability reaches ``threshold``; the
    rate then only switches pseudo-labelling on), with or without ``balance_classes``;
    regression also tunes the rule (``"random"``, ``"confidence"``, ``"coreg"``), where the
    labels come from (``label_source``: the model or the mean of fold teachers) and who the
    teacher is (``teacher``: the model itself or the supervised phase's ensemble).

    Parameters
    ----------
    task : {"regression", "classification"}

    Returns
    -------
    dict of str to optuna distribution
    """
    if task == "classification":
        return {
            "sample_rate": Float(0.0, 1.0, step=0.05),
            "selection": CategoricalDistribution(["k_best", "random", "threshold"]),
            "pseudo_weight": Float(0.1, 1.0),
            "max_iter": Int(1, 3),
            "threshold": Float(0.5, 0.99),
            "balance_classes": CategoricalDistribution([False, True]),
        }
    return {
        "sample_rate": Float(0.0, 1.0, step=0.05),
        "selection": CategoricalDistribution(sorted(REGRESSION_SELECTORS)),
        "pseudo_weight": Float(0.1, 1.0),
        "max_iter": Int(1, 3),
        "label_source": CategoricalDistribution(["model", "teachers"]),
        "teacher": CategoricalDistribution(list(TEACHERS)),
    }


def pseudo_defaults(task: str) -> dict[str, Any]:
    """The knobs' values when not sampled (``sample_rate=0`` makes the others irrelevant)."""
    defaults: dict[str, Any] = {
        "sample_rate": 0.0,
        "selection": "random" if task == "regression" else "k_best",
        "pseudo_weight": 1.0,
        "max_iter": 1,
    }
    if task == "regression":
        defaults.update(label_source="model", teacher="self")
    else:
        defaults.update(threshold=0.95, balance_classes=False)
    return defaults


@dataclass
class SearchSpace:
    """Everything one trial may sample, with the user's overrides applied.

    Attributes
    ----------
    models : list of ModelSpec
        Candidates; a ``model`` categorical is sampled when there are several.
    task : str
        The learning task.
    overrides : dict
        Study parameter name -> distribution (replaces the default range) or a fixed value
        (not tuned).
    preprocessor : transformer or None
        Put before the model; decides whether ``sample_weight`` (``pseudo_weight``) reaches it.
    n_samples : int or None
        Rows of the smallest fit a trial makes: size-dependent ranges (``n_neighbors``,
        leaf sizes) are clipped to it, so every proposed value can run.
    """

    models: list[ModelSpec]
    task: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    preprocessor: Any = None
    n_samples: int | None = None

    def __post_init__(self) -> None:
        known = set(PSEUDO_KNOBS) | {"model"}
        for spec in self.models:
            known |= {self.param_name(spec, key) for key in spec.search_space}
        self._weighted = {
            spec.name for spec in self.models if accepts_weights(spec, self.preprocessor)
        }
        unknown = sorted(set(self.overrides) - known)
        if unknown:
            raise ValueError(
                f"search_space names unknown parameters {unknown}; known: {sorted(known)}."
            )

    @property
    def several(self) -> bool:
        return len(self.models) > 1

    @property
    def weighted(self) -> set[str]:
        """Models whose composed pipeline takes ``sample_weight`` (so ``pseudo_weight``)."""
        return self._weighted

    def fixed(self, name: str) -> Any:
        """The value the user fixed ``name`` (a study name) to; None when it is searched."""
        value = self.overrides.get(name)
        return None if isinstance(value, BaseDistribution) else value

    def _fixed_rate(self) -> float | None:
        rate = self.fixed("sample_rate")
        return None if rate is None else float(rate)

    @property
    def supervised_only(self) -> bool:
        """True when the user fixed ``sample_rate`` to 0: no pseudo-labelling phase."""
        return self._fixed_rate() == 0

    @property
    def pseudo_only(self) -> bool:
        """True when the user fixed ``sample_rate`` above 0: no supervised phase."""
        rate = self._fixed_rate()
        return rate is not None and rate > 0

    def spec(self, name: str) -> ModelSpec:
        by_name = {spec.name: spec for spec in self.models}
        if name not in by_name:
            raise ValueError(
                f"search_space fixes model={name!r}, which is not among {list(by_name)}."
            )
        return by_name[name]

    def model_space(self, spec: ModelSpec) -> dict[str, BaseDistribution]:
        """``spec``'s hyperparameter ranges, clipped to the rows a fit sees."""
        if self.n_samples is None:
            return dict(spec.search_space)
        return spec.space_for(self.n_samples)

    def param_name(self, spec: ModelSpec, key: str) -> str:
        """The study's name for hyperparameter ``key`` of ``spec``."""
        clash = key in PSEUDO_KNOBS or key == "model"
        return f"{spec.name}__{key}" if self.several or clash else key

    def flat(
        self, spec: ModelSpec, pseudo: Mapping[str, Any], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """One flat dict in the study's names, with ``model`` first."""
        flat: dict[str, Any] = {"model": spec.name, **pseudo}
        flat.update({self.param_name(spec, key): value for key, value in params.items()})
        return flat

    def study_params(self, spec: ModelSpec, params: Mapping[str, Any]) -> dict[str, Any]:
        """``model`` and hyperparameters in the study's names (for ``enqueue_trial``)."""
        named = {self.param_name(spec, key): value for key, value in params.items()}
        if self.several:
            named["model"] = spec.name
        return {name: value for name, value in named.items() if name not in self.overrides}

    def default_params(self, spec: ModelSpec) -> dict[str, Any]:
        """``spec``'s known-good configuration, valid for the rows a fit sees."""
        if self.n_samples is None:
            return dict(spec.defaults)
        return spec.defaults_for(self.n_samples)

    def alternative_params(self, spec: ModelSpec) -> list[dict[str, Any]]:
        """``spec``'s further known-good configurations, valid for the rows a fit sees."""
        if self.n_samples is None:
            return [{**spec.defaults, **alternative} for alternative in spec.alternatives]
        return spec.alternatives_for(self.n_samples)

    def _draw(self, trial: Any, name: str, distribution: BaseDistribution) -> Any:
        value = self.overrides.get(name, distribution)
        if isinstance(value, BaseDistribution):
            return suggest(trial, name, value)
        return value

    def sample(
        self, trial: Any, *, supervised: bool = False
    ) -> tuple[ModelSpec, dict[str, Any], dict[str, Any]]:
        """Draw (model spec, pseudo-labelling knobs, model hyperparameters) for ``trial``.

        With ``supervised`` (the first phase of :func:`pseudoboost.tune`), no knob is
        sampled and ``sample_rate`` is 0. When ``sample_rate`` is 0 the other knobs are
        irrelevant and are not sampled either.
        """
        if self.several:
            names = [spec.name for spec in self.models]
            name = self._draw(trial, "model", CategoricalDistribution(names))
        else:
            name = self.overrides.get("model", self.models[0].name)
        spec = self.spec(name)
        pseudo = {} if supervised else self._sample_knobs(trial, spec)
        pseudo = {"sample_rate": 0.0, **pseudo}
        params = {
            key: self._draw(trial, self.param_name(spec, key), dist)
            for key, dist in self.model_space(spec).items()
        }
        return spec, pseudo, params

    def _sample_knobs(self, trial: Any, spec: ModelSpec) -> dict[str, Any]:
        defaults = pseudo_label_search_space(self.task)
        # A stepped float comes back as e.g. 0.7000000000000001: round away the step's noise.
        rate = round(float(self._draw(trial, "sample_rate", defaults["sample_rate"])), 10)
        pseudo: dict[str, Any] = {"sample_rate": rate}
        if rate > 0:
            for knob, distribution in defaults.items():
                if knob == "sample_rate":
                    continue
                if knob == "pseudo_weight" and spec.name not in self._weighted:
                    continue
                pseudo[knob] = self._draw(trial, knob, distribution)
        return pseudo

    def decode(
        self, params: Mapping[str, Any], *, supervised: bool = False
    ) -> tuple[ModelSpec, dict[str, Any], dict[str, Any]]:
        """Split stored parameters (plus fixed overrides) like :meth:`sample` does."""
        return self.sample(FixedTrial(dict(params)), supervised=supervised)

    def decode_trial(self, trial: Any) -> tuple[ModelSpec, dict[str, Any], dict[str, Any]]:
        """:meth:`decode` a trial of the study, in the phase it ran in."""
        supervised = trial.user_attrs.get("phase") == "supervised"
        return self.decode(trial.params, supervised=supervised)


def compose(model: Any, preprocessor: Any) -> Any:
    """``preprocessor`` then ``model`` as one flat Pipeline (or ``model`` alone).

    A model that is itself a Pipeline (the scaled linear models) is flattened into it, so
    ``sample_weight`` still reaches the final estimator.
    """
    if preprocessor is None:
        return model
    steps = list(model.steps) if isinstance(model, Pipeline) else [(_step_name(model), model)]
    names = {name for name, _ in steps}
    first = "preprocessor" if "preprocessor" not in names else "preprocessor_"
    return Pipeline([(first, clone(preprocessor)), *steps])


def _step_name(model: Any) -> str:
    return type(model).__name__.lower()


def accepts_weights(spec: ModelSpec, preprocessor: Any = None) -> bool:
    """Whether the composed model takes ``sample_weight`` (needed for ``pseudo_weight``)."""
    try:
        return sample_weight_key(compose(spec.make_estimator(), preprocessor)) is not None
    except Exception:
        return False
