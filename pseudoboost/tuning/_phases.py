"""The search's schedule: a supervised phase, then pseudo-labelling around its best models.

Phase 1 searches models and hyperparameters without pseudo-labels. Each model's known-good
configuration runs first, cheapest model first, then the alternatives some models have (deep
boosting with many rounds, a feature-sampling forest, a mean of networks), those of the
competitive models (best score within ``COMPETITIVE`` of the best) first, each only when it
can end before the deadline; after that, each new trial is a step from the best
configuration (a local search, as FLAML's) of the competitive model that has used the least
time so far among those whose trial fits in the time left, so a slow model cannot eat the
budget and a hopeless one stops getting trials. Phase 1 ends once its share of the budget is
spent and every default and affordable alternative has run.
Phase 2 spends the rest of the budget on pseudo-labelling: a short list of recipes known to
pay on some tables (confidence-selected rows, the ensemble as teacher, fold-teacher labels,
COREG) applied to the best configurations of the best models that can learn from the pool;
then, while a pseudo-labelled trial beats the best supervised one and its knobs fit in the
time left, the sampler tunes the knobs around the best configuration, and otherwise the time
goes back to the supervised search. The pseudo-labelling knobs therefore never take trials
from the supervised part, and the supervised part's best is always a candidate at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from pseudoboost.pseudo_label._confidence import has_native_uncertainty
from pseudoboost.tuning._local import neighbour
from pseudoboost.tuning._objective import TOO_DEAR, seconds_per_fold, supervised_trial_seconds
from pseudoboost.tuning._space import SearchSpace

SUPERVISED_SHARE = 0.6  # of the budget (time or trials) spent on the supervised phase
COMPETITIVE = 0.05  # relative distance to the best score that keeps a model in the race
RECIPE_PATIENCE = 3  # recipes tried before the rest are dropped if none helped its model
FOLD_TEACHER_FITS = 4.0  # n_teachers=5 fold clones, each on 4/5 of the rows: about 4 fits
# A recipe or an alternative whose estimated time is above this share of the time left is
# skipped: a trial that would use the rest of the budget leaves nothing to compare it with.
# (UCI parkinsons, 1,900 labels: CatBoost's deeper alternative, 70% behind the best model, ran
# from 68 s to 100 s of a 110-s search, and no pseudo-labelled trial was left time to run.)
TIME_LEFT_SHARE = 0.5
KNOB_REFUSALS = 2  # pseudo-labelled trials refused as too dear before the knobs are dropped
ENQUEUED = "enqueued"  # user attribute: why a trial was queued ("default", "model", "recipe")

# Pseudo-labelling recipes tried first in phase 2, most promising first (benchmarks/RESULTS.md).
# The second, plain self-training (the student labels the whole pool, then refits on it), is
# the cheapest: two fits of the student. 5-fold CV on 1,900 labelled rows of UCI parkinsons,
# an ExtraTrees student: 0.800, 0.806, 0.830 on seeds 0, 1, 2 against 0.842, 0.815, 0.855
# without pseudo-labels (sample_rate 0.5: 0.819, 0.815, 0.851).
RECIPES: list[dict[str, Any]] = [
    {"teacher": "ensemble", "selection": "confidence", "sample_rate": 0.5},
    {"teacher": "self", "selection": "random", "sample_rate": 1.0},
    {"teacher": "ensemble", "selection": "random", "sample_rate": 1.0},
    {"teacher": "self", "selection": "confidence", "sample_rate": 0.5},
    {"teacher": "self", "selection": "random", "sample_rate": 1.0, "label_source": "teachers"},
    {"teacher": "ensemble", "selection": "coreg", "sample_rate": 0.5},
    {"teacher": "self", "selection": "random", "sample_rate": 0.3},
]
CLASSIFICATION_RECIPES: list[dict[str, Any]] = [
    {"selection": "threshold", "threshold": 0.95, "sample_rate": 1.0},
    {"selection": "k_best", "sample_rate": 0.3},
    {"selection": "threshold", "threshold": 0.9, "sample_rate": 1.0, "balance_classes": True},
    {"selection": "random", "sample_rate": 0.3},
]


def split_budget(n_trials: int | None, timeout: float | None) -> tuple[Any, Any]:
    """(trials, seconds) of the supervised phase; the rest goes to pseudo-labelling."""
    first_trials = None if n_trials is None else max(1, math.ceil(SUPERVISED_SHARE * n_trials))
    first_seconds = None if timeout is None else SUPERVISED_SHARE * timeout
    return first_trials, first_seconds


def cost_rank(spec: Any, n_samples: int | None) -> int:
    """``spec.cost`` on small tables. A kernel model (a row limit in the zoo), whose cost
    grows with the square or cube of the rows, comes after the tree models above 150 rows
    and after every other model above 1,000 (a Gaussian process's first trial on 240 rows
    took most of a 20-second budget: benchmarks/RESULTS.md, "Few labels")."""
    if spec.max_rows is None or n_samples is None or n_samples <= 150:
        return spec.cost
    return 4 if n_samples <= 1000 else 6


def _by_cost(space: SearchSpace) -> list[Any]:
    return sorted(space.models, key=lambda s: (cost_rank(s, space.n_samples), s.name))


def model_defaults(space: SearchSpace) -> list[dict[str, Any]]:
    """Each model's known-good configuration, the cheapest model first."""
    return [space.study_params(spec, space.default_params(spec)) for spec in _by_cost(space)]


def next_alternative(
    study: optuna.study.Study,
    space: SearchSpace,
    seconds_left: Callable[[], float] | None = None,
    n_folds: int = 5,
) -> dict[str, Any] | None:
    """The next alternative configuration (``ModelSpec.alternatives``) not yet tried: those
    of the competitive models first, then the others, the cheapest model first (None when
    none is left).

    With ``seconds_left``, an alternative is skipped when its estimated time
    (:func:`alternative_seconds`) and its refit on all rows (about one more fold of
    ``n_folds``) is above ``TIME_LEFT_SHARE`` of the time left: a model's alternative exists
    because it can beat its default, but one that takes the rest of the budget leaves none
    to pseudo-labelling or to the other models.
    """
    trials = study.get_trials(deepcopy=False)
    tried = [t.params for t in trials]
    competitive = set(competitive_models(study))
    ordered = sorted(_by_cost(space), key=lambda spec: spec.name not in competitive)
    for spec in ordered:
        for params in space.alternative_params(spec):
            item = space.study_params(spec, params)
            if any(_same(item, done) for done in tried):
                continue
            seconds = alternative_seconds(trials, spec, n_folds) * (1.0 + 1.0 / n_folds)
            if within_time_left(seconds, seconds_left):
                return item
    return None


def within_time_left(seconds: float, seconds_left: Callable[[], float] | None) -> bool:
    """Whether a trial estimated at ``seconds`` may start: at most ``TIME_LEFT_SHARE`` of
    ``seconds_left()`` (always, without a time budget)."""
    return seconds_left is None or seconds <= TIME_LEFT_SHARE * seconds_left()


def alternative_seconds(trials: list[FrozenTrial], spec: Any, n_folds: int) -> float:
    """An alternative's estimated seconds for ``n_folds`` folds: ``spec.alternative_cost``
    times its model's first scored trial (its default), per fold (a pruned default ran fewer
    folds); 0 when that model has none."""
    for trial in trials:
        per_fold = seconds_per_fold(trial)
        if trial.user_attrs.get("model") == spec.name and per_fold is not None:
            return spec.alternative_cost * per_fold * n_folds
    return 0.0


def alternative_or_next_model(
    study: optuna.study.Study, space: SearchSpace, **affordable: Any
) -> dict[str, Any] | None:
    """Phase 1 after the defaults: :func:`next_alternative` (``affordable`` its keywords),
    then :func:`next_model`."""
    return next_alternative(study, space, **affordable) or next_model(study, space, **affordable)


def better(value: float, other: float, maximize: bool) -> bool:
    return value > other if maximize else value < other


def best_per_model(trials: list[FrozenTrial], maximize: bool) -> dict[str, FrozenTrial]:
    """The best complete trial of each model among ``trials``."""
    best: dict[str, FrozenTrial] = {}
    for trial in trials:
        if trial.state != TrialState.COMPLETE or trial.value is None:
            continue
        name = trial.user_attrs.get("model")
        if name not in best or better(trial.value, best[name].value, maximize):
            best[name] = trial
    return best


def next_model(
    study: optuna.study.Study,
    space: SearchSpace,
    seconds_left: Callable[[], float] | None = None,
    n_folds: int = 5,
) -> dict[str, Any] | None:
    """Phase 1 after the defaults: a step from the best configuration
    (:func:`local_step`) of the competitive model that has used the least time so far
    (None, leaving the choice to the sampler, with a single or a fixed model).

    With ``seconds_left``, the models whose trial its trials so far say could end before
    the deadline (:func:`supervised_trial_seconds`) come first: a dear model refused near
    the end would end the search with time that a cheaper one could use.
    """
    if not space.several or "model" in space.overrides:
        return None
    competitive = competitive_models(study)
    if not competitive:
        return None
    trials = study.get_trials(deepcopy=False)
    spent = dict.fromkeys(competitive, 0.0)
    for trial in trials:
        name = trial.user_attrs.get("model")
        if name in spent:
            spent[name] += float(trial.user_attrs.get("fit_seconds", 0.0))
    left = None if seconds_left is None else seconds_left()

    def too_dear(name: str) -> bool:
        seconds = supervised_trial_seconds(trials, name, n_folds)
        return left is not None and seconds is not None and seconds > left

    name = min(competitive, key=lambda name: (too_dear(name), spent[name], name))
    return local_step(study, space, name)


def local_step(study: optuna.study.Study, space: SearchSpace, model: str) -> dict[str, Any]:
    """A configuration one step (:func:`~pseudoboost.tuning._local.neighbour`) from
    ``model``'s best supervised trial, in the study's names; the step's seed is the number
    of trials so far, so a search is repeatable."""
    best = next((t for t in supervised_trials(study) if t.user_attrs.get("model") == model), None)
    if best is None:  # only pseudo-labelled trials scored: the sampler decides
        return {"model": model}
    spec, _, params = space.decode_trial(best)
    rng = np.random.default_rng(len(study.get_trials(deepcopy=False)))
    return space.study_params(spec, neighbour(params, space.model_space(spec), rng))


def competitive_models(study: optuna.study.Study) -> list[str]:
    """The models whose best complete trial is within ``COMPETITIVE`` of the best one."""
    maximize = maximizing(study)
    best = best_per_model(study.get_trials(deepcopy=False), maximize)
    if not best:
        return []
    values = [t.value for t in best.values()]
    top = max(values) if maximize else min(values)
    margin = COMPETITIVE * abs(top)
    return [
        name
        for name, trial in best.items()
        if (trial.value >= top - margin if maximize else trial.value <= top + margin)
    ]


def maximizing(study: optuna.study.Study) -> bool:
    return study.direction == optuna.study.StudyDirection.MAXIMIZE


def best_first(trials: list[FrozenTrial], maximize: bool) -> list[FrozenTrial]:
    return sorted(trials, key=lambda t: -t.value if maximize else t.value)


def complete_trials(study: optuna.study.Study, *, pseudo: bool) -> list[FrozenTrial]:
    """Complete trials with (``pseudo``) or without pseudo-labels, best first."""
    trials = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if (t.user_attrs.get("sample_rate", 0.0) > 0) == pseudo and t.value is not None
    ]
    return best_first(trials, maximizing(study))


def supervised_trials(study: optuna.study.Study) -> list[FrozenTrial]:
    """Complete trials without pseudo-labels, best first."""
    return complete_trials(study, pseudo=False)


def can_learn_from_pool(space: SearchSpace, trial: FrozenTrial) -> bool:
    """Whether ``trial``'s model may be a student: kernel models, whose cost grows with the
    cube of the rows (a row limit in the zoo), teach but do not refit on the pool."""
    return space.spec(trial.user_attrs.get("model")).max_rows is None


def students(study: optuna.study.Study, space: SearchSpace, n_models: int = 2) -> list[FrozenTrial]:
    """The best supervised trial of each of the ``n_models`` best models that can learn from
    the pool."""
    chosen: list[FrozenTrial] = []
    for trial in supervised_trials(study):
        if not can_learn_from_pool(space, trial):
            continue
        if trial.user_attrs.get("model") not in {t.user_attrs.get("model") for t in chosen}:
            chosen.append(trial)
        if len(chosen) == n_models:
            break
    return chosen


def recipe_params(space: SearchSpace, base: FrozenTrial, recipe: dict[str, Any]) -> dict[str, Any]:
    """A complete parameter set: ``base``'s model and hyperparameters with ``recipe``'s knobs."""
    spec, _, params = space.decode_trial(base)
    knobs = {"max_iter": 1, **recipe}
    if space.task == "regression":
        knobs.setdefault("label_source", "model")
    else:
        knobs = {"threshold": 0.95, "balance_classes": False, **knobs}
    if spec.name in space.weighted:
        knobs["pseudo_weight"] = 1.0
    named = {**space.study_params(spec, params), **knobs}
    return {name: value for name, value in named.items() if name not in space.overrides}


def recipe_items(
    study: optuna.study.Study,
    space: SearchSpace,
    teacher_seconds: float | None,
    pool_ratio: float,
) -> tuple[list[dict[str, Any]], list[float]]:
    """The pseudo-labelling recipes on the best students, most promising first, and the
    estimated seconds of each (:func:`recipe_seconds`).

    ``teacher_seconds`` is what cross-validating the ensemble teacher took (None: no
    ensemble, so the recipes' teacher is the student itself); ``pool_ratio`` the pool rows a
    trial sees per labelled row.
    """
    recipes = RECIPES if space.task == "regression" else CLASSIFICATION_RECIPES
    if teacher_seconds is None:
        recipes = [{**r, "teacher": "self"} if "teacher" in r else r for r in recipes]
    pairs = [(recipe, base) for recipe in recipes for base in students(study, space)]
    items = [recipe_params(space, base, recipe) for recipe, base in pairs]
    seconds = [
        _estimate(space, base, recipe, teacher_seconds, pool_ratio) for recipe, base in pairs
    ]
    return items, seconds


def _estimate(
    space: SearchSpace,
    base: FrozenTrial,
    pseudo: dict[str, Any],
    teacher_seconds: float | None,
    pool_ratio: float,
) -> float:
    """:func:`recipe_seconds` of knobs ``pseudo`` on the student of trial ``base``."""
    native = _native(space, base)
    return recipe_seconds(base, pseudo, teacher_seconds or 0.0, pool_ratio, native=native)


def _native(space: SearchSpace, trial: FrozenTrial) -> bool:
    """Whether the trial's model gives its own uncertainty (no fold teachers needed)."""
    return has_native_uncertainty(space.spec(trial.user_attrs.get("model")).make_estimator())


def recipe_seconds(
    base: FrozenTrial,
    recipe: dict[str, Any],
    teacher_seconds: float,
    pool_ratio: float,
    native: bool = False,
) -> float:
    """A recipe trial's time, estimated from its student's supervised trial.

    The student refits on ``1 + sample_rate * pool_ratio`` times the rows (tree models'
    time grows about linearly with them), after the labeller's fit on the labelled rows: the
    ensemble teacher's when the recipe uses it, the student's own otherwise (self-training
    fits the student twice; UCI parkinsons, an ExtraTrees student taught by itself on a pool
    as large as the labelled rows: 11.7 s against the 7.2 s estimated without it). Fold
    teachers (``label_source="teachers"``, or confidence selection by a labeller without its
    own uncertainty: the ensemble, or a student that is not ``native``) add
    ``FOLD_TEACHER_FITS`` fits of the labeller. ``max_iter`` rounds of self-training
    repeat all of it.
    """
    student = float(base.user_attrs.get("fit_seconds", 0.0))
    seconds = student * (1.0 + recipe.get("sample_rate", 1.0) * pool_ratio)
    ensemble = recipe.get("teacher") == "ensemble"
    labeller = teacher_seconds if ensemble else student
    seconds += labeller
    confident = recipe.get("selection") == "confidence" and (ensemble or not native)
    if recipe.get("label_source") == "teachers" or confident:
        seconds += FOLD_TEACHER_FITS * labeller
    return seconds * int(recipe.get("max_iter", 1))


def pseudo_trial_seconds(
    study: optuna.study.Study,
    space: SearchSpace,
    model: str,
    pseudo: dict[str, Any],
    teacher_seconds: float | None,
    pool_ratio: float,
) -> float | None:
    """A pseudo-labelled trial's estimated seconds (:func:`recipe_seconds`), from the best
    supervised trial of its ``model``; None when that model has none."""
    base = next((t for t in supervised_trials(study) if t.user_attrs.get("model") == model), None)
    return None if base is None else _estimate(space, base, pseudo, teacher_seconds, pool_ratio)


def around_best(study: optuna.study.Study, space: SearchSpace) -> dict[str, Any] | None:
    """Phase 2 after the recipes: the best supervised configuration's model and
    hyperparameters, the knobs left to the sampler."""
    best = [t for t in supervised_trials(study) if can_learn_from_pool(space, t)]
    if not best:
        return None
    spec, _, params = space.decode_trial(best[0])
    return space.study_params(spec, params)


def pseudo_trials(study: optuna.study.Study) -> list[FrozenTrial]:
    """Complete trials with pseudo-labels, best first."""
    return complete_trials(study, pseudo=True)


def around_best_if_promising(
    study: optuna.study.Study, space: SearchSpace, **affordable: Any
) -> dict[str, Any] | None:
    """Phase 2 after the recipes: tune the knobs around the best configuration while some
    pseudo-labelled trial beats the best supervised one and the knobs still fit in the time
    left (:func:`knobs_out_of_reach`); otherwise give the time back to the supervised search
    (a trial with ``sample_rate=0`` of the next competitive model, :func:`next_model`, with
    ``affordable`` its keywords)."""
    maximize = maximizing(study)
    pseudo, supervised = pseudo_trials(study), supervised_trials(study)
    promising = pseudo and (
        not supervised or better(pseudo[0].value, supervised[0].value, maximize)
    )
    if promising and not knobs_out_of_reach(study):
        return around_best(study, space)
    if space.pseudo_only:
        return None
    return {**(next_model(study, space, **affordable) or {}), "sample_rate": 0.0}


def knobs_out_of_reach(study: optuna.study.Study) -> bool:
    """Whether the sampler's pseudo-labelling knobs no longer fit in the time left: the
    latest trial, or ``KNOB_REFUSALS`` pseudo-labelled trials in all, were not started
    because they could not end before the deadline. The time left only shrinks, so the
    rest goes to the supervised search rather than to sampling knobs that do not fit in it
    (one 110-s search spent 34 s alternating between refused knobs and supervised trials
    pruned after one fold)."""
    trials = study.get_trials(deepcopy=False)
    refused = [t for t in trials if TOO_DEAR in t.user_attrs]
    knobs = [t for t in refused if t.user_attrs.get("sample_rate", 0.0) > 0]
    return (bool(trials) and TOO_DEAR in trials[-1].user_attrs) or len(knobs) >= KNOB_REFUSALS


def recipes_hopeless(study: optuna.study.Study) -> bool:
    """True once ``RECIPE_PATIENCE`` recipes ran and none beat the best supervised trial of
    its own model: the rest of the list is skipped (a recipe on a large table is dear)."""
    tried = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.user_attrs.get(ENQUEUED) == "schedule"
        and t.user_attrs.get("sample_rate", 0.0) > 0
        and t.state.is_finished()
    ]
    if len(tried) < RECIPE_PATIENCE:
        return False
    maximize = maximizing(study)
    best = best_per_model(supervised_trials(study), maximize)
    return not any(
        t.state == TrialState.COMPLETE
        and t.user_attrs.get("model") in best
        and better(t.value, best[t.user_attrs["model"]].value, maximize)
        for t in tried
    )


class Queue:
    """What the next trials try: ``items`` in order (those already in the study skipped,
    the rest dropped once ``give_up(study)`` says so), then whatever
    ``fallback(study, space)`` proposes (None: the sampler decides).

    With ``seconds`` (each item's estimated time) and ``seconds_left`` (a callable), an item
    estimated to take more than ``TIME_LEFT_SHARE`` of the time left is skipped: a trial that
    would use the rest of the budget leaves nothing to compare it with.
    """

    def __init__(
        self,
        items: list[dict[str, Any]],
        fallback: Any,
        space: SearchSpace,
        give_up: Any = None,
        *,
        seconds: list[float] | None = None,
        seconds_left: Any = None,
    ) -> None:
        # (parameters, estimated seconds) pairs, in order.
        estimates = seconds if seconds is not None else [0.0] * len(items)
        self.items = list(zip(items, estimates, strict=True))
        self.fallback = fallback
        self.space = space
        self.give_up = give_up
        self.seconds_left = seconds_left

    def next(self, study: optuna.study.Study) -> dict[str, Any] | None:
        tried = [t.params for t in study.get_trials(deepcopy=False)]
        if self.items and self.give_up is not None and self.give_up(study):
            self.items = []
        while self.items:
            item, seconds = self.items.pop(0)
            if any(_same(item, params) for params in tried):
                continue
            if within_time_left(seconds, self.seconds_left):
                return item
        return self.fallback(study, self.space)


def _same(item: dict[str, Any], params: dict[str, Any]) -> bool:
    return all(name in params and params[name] == value for name, value in item.items())
