"""What ``tune`` returns: the best supervised model, the ensemble of trials, or pseudo-labels.

Three candidates are scored on the same folds:

- the best supervised trial;
- the weighted ensemble of the best supervised trials (Caruana et al., 2004: greedy
  selection with replacement over their test-fold predictions). Its per-fold scores are
  nested: the weights scored on fold ``f`` are chosen on the other folds' rows only, so the
  estimate never saw fold ``f``'s targets;
- the best pseudo-labelled trial.

The better supervised candidate by mean is the *baseline*. The pseudo-labelled candidate is
returned only when it beats the baseline by Nadeau and Bengio's corrected paired t-test at
level ``alpha`` over the folds: the best of many trials on small, noisy folds wins by luck
otherwise, and a pseudo-labelled model is dearer to refit and to trust.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial
from sklearn.base import BaseEstimator, RegressorMixin

from pseudoboost.comparison._stats import corrected_ttest
from pseudoboost.tuning._objective import (
    Member,
    Objective,
    Problem,
    build_estimator,
    cross_validate,
)
from pseudoboost.tuning._phases import best_first, better, pseudo_trials, supervised_trials
from pseudoboost.tuning._space import SearchSpace

# Candidate trials for the ensemble, at most PER_MODEL per model. Twelve rather than eight:
# nested CV of the ensemble, same searches (benchmarks/RESULTS.md, vs_peers23): protein seed 0
# 0.4788 -> 0.4766 (with 8, the best two trials of four tree models filled the list and left
# out the network); bike, elevators and pol the same (their best model's second trial matters:
# taking every model's best before any second, instead, cost pol 3.58 -> 3.68).
MAX_MEMBERS = 12
PER_MODEL = 2
ENSEMBLE_ITERATIONS = 25


@dataclass
class Candidate:
    """One thing ``tune`` could return, with its per-fold scores on the shared folds."""

    kind: str  # "supervised", "ensemble", "pseudo", "pseudo_ensemble" or "same_model"
    scores: np.ndarray
    trial: FrozenTrial | None = None
    members: list[Member] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))


class _Fixed(RegressorMixin, BaseEstimator):
    """A stand-in regressor whose ``predict`` returns given values (to reuse a scorer)."""

    def __init__(self, values: np.ndarray | None = None) -> None:
        self.values = values

    def predict(self, X: Any) -> np.ndarray:
        return self.values


def score_predictions(problem: Problem, y: np.ndarray, predictions: np.ndarray) -> float:
    """The metric of ``predictions`` against ``y``, in its natural sign."""
    return problem.metric.score(_Fixed(predictions), np.zeros((len(y), 1)), y)


def _loss(problem: Problem):
    """Lower-is-better loss on predictions for the ensemble's greedy selection."""
    if problem.metric.name == "rmse":  # the default metric, without a scorer call per step
        return lambda y, p: float(np.sqrt(np.mean((y - p) ** 2)))
    sign = -1.0 if problem.metric.greater_is_better else 1.0
    return lambda y, p: sign * score_predictions(problem, y, p)


def trial_fold_predictions(
    problem: Problem, space: SearchSpace, objective: Objective, trial: FrozenTrial
) -> list[np.ndarray]:
    """A trial's test-fold predictions: kept by the objective, or recomputed."""
    kept = objective.fold_predictions.get(trial.number)
    if kept is not None:
        return kept
    folds: list[np.ndarray] = []
    estimator = build_estimator(problem, *space.decode_trial(trial))
    cross_validate(problem, estimator, fold_predictions=folds)
    objective.fold_predictions[trial.number] = folds
    return folds


def ensemble_pool(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    """The ensemble's candidate trials: the best first, at most ``PER_MODEL`` per model and
    phase."""
    chosen: list[FrozenTrial] = []
    per_model: Counter[tuple] = Counter()
    for trial in trials:
        key = (trial.user_attrs.get("model"), trial.user_attrs.get("sample_rate", 0.0) > 0)
        if per_model[key] < PER_MODEL:
            chosen.append(trial)
            per_model[key] += 1
        if len(chosen) == MAX_MEMBERS:
            break
    return chosen


def refit_estimate(problem: Problem, trial: FrozenTrial) -> float:
    """Seconds to refit ``trial``'s estimator on every labelled row: its mean time per fold
    (``fit_seconds`` covers all folds, pseudo-labelling included) scaled to the rows."""
    per_fold = float(trial.user_attrs.get("fit_seconds", 0.0)) / len(problem.splits)
    return per_fold * len(problem.y) / max(problem.n_fit, 1)


def ensemble_candidate(
    problem: Problem,
    space: SearchSpace,
    objective: Objective,
    trials: list[FrozenTrial],
    kind: str = "ensemble",
    refit_seconds: float | None = None,
) -> Candidate | None:
    """The weighted ensemble of ``trials`` (best first) with nested per-fold scores.

    With ``refit_seconds``, the members' estimated refit times (:func:`refit_estimate`)
    sum to at most that (``ensemble_selection``'s ``max_cost``), so returning the ensemble
    does not overrun the budget. None when fewer than two trials take part, or for
    classification.
    """
    from pseudoboost.ensemble import ensemble_selection

    if problem.task != "regression":
        return None
    pool = ensemble_pool(trials)
    if len(pool) < 2:
        return None
    folds = [trial_fold_predictions(problem, space, objective, t) for t in pool]
    loss = _loss(problem)
    budget = {}
    if refit_seconds is not None:
        budget = {"costs": [refit_estimate(problem, t) for t in pool], "max_cost": refit_seconds}
    tests = [test for _, test in problem.splits]
    scores = []
    for f, test in enumerate(tests):
        others = [g for g in range(len(tests)) if g != f]
        rows = np.concatenate([tests[g] for g in others])
        keep = ~np.isin(rows, test)  # never choose weights on fold f's targets
        stacked = np.stack([np.concatenate([p[g] for g in others])[keep] for p in folds])
        weights = ensemble_selection(
            stacked, problem.y[rows[keep]], loss=loss, n_iter=ENSEMBLE_ITERATIONS, **budget
        )
        blend = weights @ np.stack([p[f] for p in folds])
        scores.append(score_predictions(problem, problem.y[test], blend))
    rows = np.concatenate(tests)
    stacked = np.stack([np.concatenate(p) for p in folds])
    weights = ensemble_selection(
        stacked, problem.y[rows], loss=loss, n_iter=ENSEMBLE_ITERATIONS, **budget
    )
    members = [
        Member(spec, pseudo, params, float(w), t.number)
        for t, w in zip(pool, weights, strict=True)
        if w > 0
        for spec, pseudo, params in [space.decode_trial(t)]
    ]
    if len(members) < 2:
        return None
    return Candidate(kind, np.asarray(scores, dtype=float), members=members)


def fold_scores(trial: FrozenTrial) -> np.ndarray:
    return np.asarray(trial.user_attrs["fold_scores"], dtype=float)


def on_every_fold(trials: list[FrozenTrial], n_folds: int) -> list[FrozenTrial]:
    """The trials scored on all ``n_folds`` folds (a resumed study may hold others)."""
    return [t for t in trials if len(t.user_attrs.get("fold_scores", [])) == n_folds]


def _beats(candidate: Candidate, other: Candidate, maximize: bool) -> bool:
    return better(candidate.mean, other.mean, maximize)


@dataclass
class Choice:
    """The outcome: what is returned, the supervised baseline, and the pseudo-label test."""

    chosen: Candidate
    baseline: Candidate
    pseudo: Candidate | None
    p_value: float | None


def paired_p_value(problem: Problem, candidate: Candidate, baseline: Candidate) -> float:
    """One-sided corrected t-test p-value that ``candidate`` beats ``baseline``."""
    diffs = candidate.scores - baseline.scores
    if np.allclose(diffs, 0):
        return 1.0
    n_test = np.mean([len(test) for _, test in problem.splits])
    n_train = np.mean([len(train) for train, _ in problem.splits])
    alternative = "greater" if problem.metric.greater_is_better else "less"
    return float(corrected_ttest(diffs, n_train, n_test, alternative=alternative).p_value)


def choose(
    study: optuna.study.Study,
    problem: Problem,
    space: SearchSpace,
    objective: Objective,
    *,
    alpha: float,
    refit_seconds: float | None = None,
) -> Choice:
    """Pick the candidate to return (see the module docstring); ``refit_seconds`` bounds
    the ensembles' estimated refit time (:func:`ensemble_candidate`)."""
    n_folds = len(problem.splits)
    maximize = problem.metric.greater_is_better
    supervised = on_every_fold(supervised_trials(study), n_folds)
    pseudo_list = on_every_fold(pseudo_trials(study), n_folds)
    if not supervised:  # sample_rate fixed above 0: the same model without pseudo-labels
        best = pseudo_list[0]
        pseudo = Candidate("pseudo", fold_scores(best), best)
        spec, _, params = space.decode_trial(best)
        scores, _, _ = cross_validate(
            problem, build_estimator(problem, spec, {"sample_rate": 0.0}, params)
        )
        baseline = Candidate("same_model", scores, best)
        return Choice(pseudo, baseline, pseudo, paired_p_value(problem, pseudo, baseline))
    baseline = Candidate("supervised", fold_scores(supervised[0]), supervised[0])
    ensemble = ensemble_candidate(
        problem, space, objective, supervised, refit_seconds=refit_seconds
    )
    if ensemble is not None and _beats(ensemble, baseline, maximize):
        baseline = ensemble
    if not pseudo_list:
        return Choice(baseline, baseline, None, None)
    pseudo = Candidate("pseudo", fold_scores(pseudo_list[0]), pseudo_list[0])
    # Pseudo-labelled trials also join an ensemble: a distilled student adds diversity.
    ranked = best_first([*supervised, *pseudo_list], maximize)
    mixed = ensemble_candidate(
        problem, space, objective, ranked, kind="pseudo_ensemble", refit_seconds=refit_seconds
    )
    if (
        mixed is not None
        and any(m.pseudo.get("sample_rate", 0) > 0 for m in mixed.members)
        and _beats(mixed, pseudo, maximize)
    ):
        pseudo = mixed
    p_value = paired_p_value(problem, pseudo, baseline)
    chosen = pseudo if _beats(pseudo, baseline, maximize) and p_value < alpha else baseline
    return Choice(chosen, baseline, pseudo, p_value)
