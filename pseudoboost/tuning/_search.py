"""Running the two phases of a search, and summarising it into a :class:`TuneResult`."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState

from pseudoboost.pseudo_label import PseudoLabelRegressor
from pseudoboost.tuning._budget import optimize_with_budget
from pseudoboost.tuning._choose import (
    Candidate,
    Choice,
    choose,
    ensemble_candidate,
    refit_estimate,
)
from pseudoboost.tuning._grow import grow, growth_factor
from pseudoboost.tuning._objective import (
    Member,
    Objective,
    Problem,
    build_ensemble,
    build_estimator,
    cross_validate,
    logger,
    ran_out_of_time,
    single_threaded,
)
from pseudoboost.tuning._parallel import run_parallel
from pseudoboost.tuning._phases import (
    ENQUEUED,
    Queue,
    alternative_or_next_model,
    around_best_if_promising,
    model_defaults,
    next_alternative,
    pseudo_trial_seconds,
    recipe_items,
    recipes_hopeless,
    split_budget,
    supervised_trials,
)
from pseudoboost.tuning._result import TuneResult, fold_spread
from pseudoboost.tuning._space import SearchSpace

TEACHER_ATTR = "teacher_ensemble"  # study user attribute: [[trial number, weight], ...]


class Search:
    """One call's search over a study: the supervised phase, then pseudo-labelling.

    Parameters
    ----------
    study : optuna.study.Study
    problem : Problem
    space : SearchSpace
    deadline : float or None
        ``time.perf_counter()`` at which the search stops (no fold starts after it, and no
        trial that its model's trials so far say would end after it).
    n_jobs : int
        Worker processes; above 1 each opens the study's storage from its URL.
    storage : optuna storage or None
        The study's storage (None: in memory).
    random_state : int or None
        Seeds the workers' samplers.
    pruner : optuna pruner
    callbacks : list of callables or None
        The user's study callbacks.
    """

    def __init__(
        self,
        study: optuna.study.Study,
        problem: Problem,
        space: SearchSpace,
        *,
        deadline: float | None,
        n_jobs: int,
        storage: Any,
        random_state: int | None,
        pruner: optuna.pruners.BasePruner,
        callbacks: Sequence[Callable] | None,
    ) -> None:
        self.study = study
        self.problem = problem
        self.space = space
        self.deadline = deadline
        self.n_jobs = n_jobs
        self.storage = storage
        self.random_state = random_state
        self.pruner = pruner
        self.callbacks = list(callbacks or [])
        self.out_of_time = False  # a trial was refused: the time left could not hold it
        self.objective = Objective(
            problem, space, supervised=True, deadline=deadline, storage=storage
        )

    def run(self, *, n_trials: int | None, total_trials: int | None, timeout: float | None) -> None:
        """The supervised phase, then pseudo-labelling (``_phases`` says what each tries).

        ``sample_rate`` fixed to 0 by the user: only the first phase; fixed above 0: only
        the second, with no recipes (they need the first phase's models).
        """
        end = self.deadline
        if total_trials is not None:
            # A study-wide budget shared by worker processes: one joint search, as each
            # worker cannot know when the others have finished the supervised phase.
            self.objective.supervised = False
            self._optimize(None, total_trials, None if end is None else _seconds_left(end))
            return
        first_trials, first_seconds = split_budget(n_trials, timeout)
        if self.space.supervised_only:
            first_trials, first_seconds = n_trials, timeout
        items, seconds, rest_trials = [], [], n_trials
        if not self.space.pseudo_only:
            fallback = functools.partial(alternative_or_next_model, **self._affordable(end))
            queue = Queue(model_defaults(self.space), fallback, self.space)
            first_end = None if end is None else end - timeout + first_seconds
            self._phase(queue, first_trials, first_end)
            if self.space.supervised_only:
                return
            if n_trials is None:
                self._finish_schedule(end, None)
            else:
                first_trials += self._finish_schedule(end, n_trials - first_trials)
            self.problem.ensemble = self._teacher_ensemble()
            self.objective.baseline = self._baseline()
            teacher_seconds, pool_ratio = self._teacher_seconds(), self._pool_ratio()
            if self.n_jobs == 1:  # workers' objectives are pickled: no study in them
                self.objective.estimate = functools.partial(
                    pseudo_trial_seconds,
                    self.study,
                    self.space,
                    teacher_seconds=teacher_seconds,
                    pool_ratio=pool_ratio,
                )
            items, seconds = recipe_items(self.study, self.space, teacher_seconds, pool_ratio)
            rest_trials = None if n_trials is None else n_trials - first_trials
        self.objective.supervised = False
        if rest_trials is None or rest_trials >= 1:
            queue = Queue(
                items,
                functools.partial(around_best_if_promising, **self._affordable(end)),
                self.space,
                recipes_hopeless,
                seconds=seconds,
                seconds_left=None if end is None else lambda: _seconds_left(end),
            )
            self._phase(queue, rest_trials, end)

    def _affordable(self, end: float | None) -> dict[str, Any]:
        """:func:`next_alternative`'s budget keywords for a search that ends at ``end``."""
        seconds_left = None if end is None else functools.partial(_seconds_left, end)
        return {"seconds_left": seconds_left, "n_folds": len(self.problem.splits)}

    def _finish_schedule(self, end: float | None, limit: int | None) -> int:
        """Run the models' default configurations that the supervised phase did not reach
        (one slow model can take its whole share), until ``end`` or ``limit`` trials:
        pseudo-labelling around the best models starts only once every model was scored.
        Under a time budget (no ``limit``) the alternatives that :func:`next_alternative`
        finds affordable run too; under a trial budget each would take a pseudo-labelled
        trial's place. Returns the trials run."""
        if self.n_jobs > 1:
            return 0
        fallback = (
            functools.partial(next_alternative, **self._affordable(end))
            if limit is None
            else lambda study, space: None
        )
        queue = Queue(model_defaults(self.space), fallback, self.space)
        done = 0
        while (limit is None or done < limit) and self._time_left(end):
            params = queue.next(self.study)
            if params is None:
                break
            self._run_one(params)
            done += 1
        return done

    def _phase(self, queue: Queue, n_trials: int | None, end: float | None) -> None:
        """Run trials until ``n_trials`` or ``end``, asking ``queue`` what each tries."""
        if self.n_jobs > 1:
            # Worker processes would each queue the same items at once (duplicate trials),
            # so the sampler alone chooses their trials.
            timeout = None if end is None else _seconds_left(end)
            if timeout != 0.0:
                self._optimize(n_trials, None, timeout)
            return
        done = 0
        while (n_trials is None or done < n_trials) and self._time_left(end):
            self._run_one(queue.next(self.study))
            done += 1

    def _time_left(self, end: float | None) -> bool:
        """Whether a trial may start: before ``end``, and no trial was refused because the
        time left could not hold it (:func:`ran_out_of_time`: the search ends there)."""
        return not self.out_of_time and (end is None or time.perf_counter() < end)

    def _run_one(self, params: dict[str, Any] | None) -> None:
        """Run one trial, of ``params`` (enqueued) or the sampler's choice."""
        if params is not None:
            self.study.enqueue_trial(params, user_attrs={ENQUEUED: "schedule"})
        self.study.optimize(
            self.objective, n_trials=1, catch=(Exception,), callbacks=self.callbacks
        )
        self.out_of_time = ran_out_of_time(self.study.get_trials(deepcopy=False)[-1])

    def _optimize(
        self, n_trials: int | None, total_trials: int | None, timeout: float | None
    ) -> None:
        if self.n_jobs > 1:
            run_parallel(
                self.study,
                self.storage.url,
                self.objective,
                n_trials=n_trials,
                total_trials=total_trials,
                n_jobs=self.n_jobs,
                timeout=timeout,
                random_state=self.random_state,
                pruner=self.pruner,
                callbacks=self.callbacks,
            )
        else:
            optimize_with_budget(
                self.study,
                self.objective,
                total_trials=total_trials,
                storage=self.storage,
                timeout=timeout,
                callbacks=self.callbacks,
            )

    def _teacher_seconds(self) -> float | None:
        """Seconds the ensemble teacher's members took to cross-validate (None: no ensemble)."""
        if not self.problem.ensemble:
            return None
        trials = self.study.get_trials(deepcopy=False)
        return sum(
            float(trials[m.trial].user_attrs.get("fit_seconds", 0.0)) for m in self.problem.ensemble
        )

    def _baseline(self) -> np.ndarray | None:
        """The best supervised trial's fold scores, which pseudo-labelled trials must keep
        up with (None when it has none for every fold)."""
        best = supervised_trials(self.study)
        scores = best[0].user_attrs.get("fold_scores") if best else None
        if scores is None or len(scores) != len(self.problem.splits):
            return None
        return np.asarray(scores, dtype=float)

    def _pool_ratio(self) -> float:
        """Pool rows a trial may pseudo-label per labelled training row."""
        return self.problem.n_pool / max(self.problem.n_fit, 1)

    def _teacher_ensemble(self) -> list[Member]:
        """The supervised phase's ensemble, stored in the study so that a resumed study's
        ``teacher="ensemble"`` trials keep the teacher they were scored with."""
        stored = self.study.user_attrs.get(TEACHER_ATTR)
        if stored is not None:
            return self.members(stored)
        # Only trials whose fold predictions this process holds: recomputing other workers'
        # trials here would stall every worker at the phase boundary.
        kept = [
            t for t in supervised_trials(self.study) if t.number in self.objective.fold_predictions
        ]
        candidate = ensemble_candidate(self.problem, self.space, self.objective, kept)
        members = [] if candidate is None else candidate.members
        self.study.set_user_attr(TEACHER_ATTR, [[m.trial, m.weight] for m in members])
        return members

    def members(self, stored: list[list[float]]) -> list[Member]:
        """Members from ``[[trial number, weight], ...]``."""
        trials = {t.number: t for t in self.study.get_trials(deepcopy=False)}
        members = []
        for number, weight in stored:
            spec, pseudo, params = self.space.decode_trial(trials[int(number)])
            members.append(Member(spec, pseudo, params, float(weight), int(number)))
        return members


def _seconds_left(end: float) -> float:
    return max(end - time.perf_counter(), 0.0)


def candidate_estimator(
    problem: Problem, space: SearchSpace, candidate: Candidate, growth: float = 1.0
) -> Any:
    """The unfitted estimator of a candidate (an ensemble is wrapped with ``sample_rate=0``),
    its forests ``growth`` times their searched size (:func:`~._grow.grow`)."""
    if candidate.members:
        return PseudoLabelRegressor(
            build_ensemble(problem, grown_members(space, candidate.members, growth)),
            unlabeled=problem.pool,
            sample_rate=0.0,
            random_state=problem.random_state,
        )
    spec, pseudo, params = space.decode_trial(candidate.trial)
    return build_estimator(problem, spec, pseudo, grow(space, spec, params, growth))


def grown_members(space: SearchSpace, members: list[Member], growth: float) -> list[Member]:
    """``members`` with their forests ``growth`` times their searched size."""
    return [dataclasses.replace(m, params=grow(space, m.spec, m.params, growth)) for m in members]


def candidate_params(
    space: SearchSpace, candidate: Candidate, growth: float = 1.0
) -> dict[str, Any]:
    """What ``candidate_estimator(..., growth)`` returns, in the study's names."""
    if candidate.members:
        return {
            "model": "ensemble",
            "sample_rate": 0.0,
            "members": [
                {
                    "trial": m.trial,
                    "model": m.spec.name,
                    "weight": m.weight,
                    "pseudo": m.pseudo,
                    "params": m.params,
                }
                for m in grown_members(space, candidate.members, growth)
            ],
        }
    spec, pseudo, params = space.decode_trial(candidate.trial)
    return space.flat(spec, pseudo, grow(space, spec, params, growth))


def _grown_params(space: SearchSpace, candidate: Candidate, growth: float) -> dict[str, Any]:
    """A single trial's model hyperparameters, unprefixed, its forest grown."""
    spec, _, params = space.decode_trial(candidate.trial)
    return grow(space, spec, params, growth)


def refit_growth(
    study: optuna.study.Study,
    problem: Problem,
    space: SearchSpace,
    candidate: Candidate,
    end: float | None,
) -> float:
    """:func:`~._grow.growth_factor` of ``candidate``'s refit with the time left until
    ``end``: its trials' estimated refit times (:func:`~._choose.refit_estimate`)."""
    if end is None:
        return 1.0
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    if candidate.members:
        parts = [(m.spec, trials[m.trial]) for m in candidate.members]
    else:
        parts = [(space.decode_trial(candidate.trial)[0], candidate.trial)]
    refits = [(spec, refit_estimate(problem, trial)) for spec, trial in parts]
    return growth_factor(refits, _seconds_left(end))


def _out_of_fold(
    problem: Problem, objective: Objective, candidate: Candidate, estimator: Any
) -> np.ndarray:
    """The candidate's out-of-fold predictions, from the kept test-fold predictions when
    every one is at hand (regression), else by cross-validating it again."""
    if candidate.members:
        numbers = [m.trial for m in candidate.members]
        weights = np.array([m.weight for m in candidate.members])
    else:
        numbers, weights = [candidate.trial.number], np.ones(1)
    kept = [objective.fold_predictions.get(number) for number in numbers]
    if any(k is None for k in kept):
        _, oof, _ = cross_validate(problem, estimator, return_oof=True)
        return oof
    total = np.zeros(len(problem.y))
    count = np.zeros(len(problem.y))
    for f, (_, test) in enumerate(problem.splits):
        blend = sum(w * k[f] for w, k in zip(weights / weights.sum(), kept, strict=True))
        np.add.at(total, test, blend)
        np.add.at(count, test, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _raise_if_empty(study: optuna.study.Study) -> None:
    trials = study.get_trials(deepcopy=False)
    if any(t.state == TrialState.COMPLETE for t in trials):
        return
    failed = [t for t in trials if t.state == TrialState.FAIL]
    first = next((t.user_attrs["error"] for t in failed if "error" in t.user_attrs), None)
    detail = f" The first error: {first}" if first else ""
    raise RuntimeError(
        f"No trial of study {study.study_name!r} completed ({len(failed)} failed, "
        f"{sum(t.state == TrialState.PRUNED for t in trials)} pruned).{detail}"
    )


def refit_budget(
    end: float | None, deadline: float | None, now: float | None = None
) -> float | None:
    """Seconds an ensemble's refits may take: the time left until ``end``, but at least the
    time kept for the refit (``end - deadline``), so that a last trial which ran past the
    search's ``deadline`` does not also shrink the ensemble. None without a budget."""
    if end is None:
        return None
    now = time.perf_counter() if now is None else now
    kept = 0.0 if deadline is None else end - deadline
    return max(end - now, kept, 0.0)


def summarise(
    search: Search, n_before: int, *, refit: bool, alpha: float, end: float | None = None
) -> TuneResult:
    """Choose what to return (``_choose``), refit it, and describe the search.

    With ``end`` (``time.perf_counter()`` at which the whole budget ends), an ensemble takes
    only members whose estimated refits fit in the time left, or in the time kept for the
    refit (``end`` minus the search's deadline) when the last trial ran past the deadline: an
    overrun of the search must not also cost the ensemble (``choose``); the returned
    forests then grow with what is left (:func:`refit_growth`).
    """
    study, problem, space = search.study, search.problem, search.space
    _raise_if_empty(study)
    trials = study.get_trials(deepcopy=False)
    failed = [t for t in trials[n_before:] if t.state == TrialState.FAIL]
    if failed:
        logger.warning(
            "%d of %d trials failed (see each line above).", len(failed), len(trials) - n_before
        )
    try:
        if not problem.ensemble and study.user_attrs.get(TEACHER_ATTR):
            problem.ensemble = search.members(study.user_attrs[TEACHER_ATTR])
        refit_seconds = None if not refit else refit_budget(end, search.deadline)
        choice = choose(
            study, problem, space, search.objective, alpha=alpha, refit_seconds=refit_seconds
        )
    except (KeyError, ValueError) as error:
        raise ValueError(
            f"The trials of study {study.study_name!r} do not fit this search space ({error}): "
            "it was tuned over another space; use another study_name."
        ) from None
    estimator = candidate_estimator(problem, space, choice.chosen)
    oof = _out_of_fold(problem, search.objective, choice.chosen, estimator)
    best_estimator = pool_predictions = None
    growth = refit_growth(study, problem, space, choice.chosen, end) if refit else 1.0
    if refit:
        with single_threaded():
            best_estimator = candidate_estimator(problem, space, choice.chosen, growth)
            best_estimator.fit(problem.X, problem.y)
        if problem.pool is not None:
            pool_predictions = np.asarray(best_estimator.predict(problem.pool))
    result = _result(search, choice, n_before, oof, best_estimator, pool_predictions, growth)
    result.alpha = alpha
    return result


def _result(
    search: Search,
    choice: Choice,
    n_before: int,
    oof: np.ndarray,
    best_estimator: Any,
    pool_predictions: np.ndarray | None,
    growth: float = 1.0,
) -> TuneResult:
    study, problem, space = search.study, search.problem, search.space
    trials = study.get_trials(deepcopy=False)
    chosen, baseline, pseudo = choice.chosen, choice.baseline, choice.pseudo
    return TuneResult(
        best_params=candidate_params(space, chosen, growth),
        refit_growth=growth,
        best_score=chosen.mean,
        best_score_std=fold_spread(chosen.scores),
        cv_scores=chosen.scores,
        oof_predictions=oof,
        supervised_score=baseline.mean,
        supervised_score_std=fold_spread(baseline.scores),
        supervised_cv_scores=baseline.scores,
        best_estimator_=best_estimator,
        pool_predictions=pool_predictions,
        study=study,
        metric=problem.metric.name,
        greater_is_better=problem.metric.greater_is_better,
        task=problem.task,
        n_trials=sum(t.state.is_finished() for t in trials[n_before:]),
        n_complete=sum(t.state == TrialState.COMPLETE for t in trials),
        n_pruned=sum(t.state == TrialState.PRUNED for t in trials),
        n_failed=sum(t.state == TrialState.FAIL for t in trials),
        chosen=chosen.kind,
        baseline=baseline.kind,
        pseudo_score=None if pseudo is None else pseudo.mean,
        pseudo_cv_scores=None if pseudo is None else pseudo.scores,
        pseudo_p_value=choice.p_value,
        best_model_params={} if chosen.trial is None else _grown_params(space, chosen, growth),
        best_trial=None if chosen.trial is None else chosen.trial.number,
        n_labelled=int(len(problem.y)),
        n_pool=problem.n_pool,
        n_folds=len(problem.splits),
    )
