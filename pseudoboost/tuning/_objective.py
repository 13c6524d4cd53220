"""Cross-validating one candidate, and the Optuna objective built on it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.storages._heartbeat import is_heartbeat_enabled
from threadpoolctl import threadpool_limits

from pseudoboost._scoring import Metric
from pseudoboost.models import ModelSpec
from pseudoboost.pseudo_label import PseudoLabelClassifier, PseudoLabelRegressor
from pseudoboost.pseudo_label._rows import n_rows, take_rows
from pseudoboost.tuning._space import SearchSpace, compose, pseudo_defaults

SEED_KEYS = ("random_state", "random_seed")


@dataclass
class Problem:
    """The data and folds every trial sees (pickled once into each worker process).

    Attributes
    ----------
    X, y : array-like
        The labelled rows only.
    pool : array-like or None
        The unlabelled pool (raw: a ``preprocessor`` is fitted inside each fold).
    splits : list of (train, test) index arrays
        The folds, fixed once so that every trial and the supervised baseline share them.
    task : str
    metric : Metric
    preprocessor : transformer or None
    random_state : int or None
    """

    X: Any
    y: np.ndarray
    pool: Any
    splits: list[tuple[np.ndarray, np.ndarray]]
    task: str
    metric: Metric
    preprocessor: Any
    random_state: int | None

    @property
    def n_pool(self) -> int:
        return 0 if self.pool is None else n_rows(self.pool)


def single_threaded() -> threadpool_limits:
    """OpenMP and BLAS limited to one thread: trials run in parallel processes instead.

    Without it, HistGradientBoosting's OpenMP threads spin against other processes on a busy
    machine (a 10-iteration fit took 7 s instead of 0.03 s on 2 loaded cores).
    """
    return threadpool_limits(limits=1)


def build_estimator(
    problem: Problem, spec: ModelSpec, pseudo: dict[str, Any], params: dict[str, Any]
) -> Any:
    """``PseudoLabel*(make_pipeline(preprocessor, model), unlabeled=pool, **knobs)``, unfitted."""
    params = dict(params)
    for key in SEED_KEYS:
        if key in spec.default_params and key not in params and problem.random_state is not None:
            params[key] = problem.random_state
    model = compose(spec.make_estimator(**params), problem.preprocessor)
    knobs = {**pseudo_defaults(problem.task), **pseudo}
    if problem.task == "regression":
        return PseudoLabelRegressor(
            model,
            unlabeled=problem.pool,
            sample_rate=knobs["sample_rate"],
            selection=knobs["selection"],
            pseudo_weight=knobs["pseudo_weight"],
            max_iter=knobs["max_iter"],
            random_state=problem.random_state,
        )
    rate = knobs["sample_rate"]
    if rate == 0 or knobs["selection"] == "random":
        selection, k_best = "random", None
    else:
        selection, k_best = "k_best", max(1, round(rate * problem.n_pool))
    return PseudoLabelClassifier(
        model,
        unlabeled=problem.pool,
        selection=selection,
        k_best=k_best,
        sample_rate=rate if selection == "random" else None,
        pseudo_weight=knobs["pseudo_weight"],
        max_iter=knobs["max_iter"],
        random_state=problem.random_state,
    )


def cross_validate(
    problem: Problem,
    spec: ModelSpec,
    pseudo: dict[str, Any],
    params: dict[str, Any],
    *,
    trial: optuna.trial.Trial | None = None,
    return_oof: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """Score one candidate on every fold, in the metric's natural sign.

    With ``trial``, each fold's running mean is reported and the trial is pruned when the
    pruner says so (``optuna.TrialPruned`` propagates); the fold scores so far are kept in
    the trial's user attributes.

    Returns
    -------
    fold_scores : ndarray of shape (n_folds,)
    oof : ndarray of shape (n_labelled,) or None
        Out-of-fold predictions (averaged over repeats) when ``return_oof``.
    n_pseudo : list of int
        Pseudo-labelled rows used by each fold's final model.
    """
    scores: list[float] = []
    n_pseudo: list[int] = []
    oof_sum = oof_count = None
    if return_oof:
        oof_sum = np.zeros(len(problem.y), dtype=float)
        oof_count = np.zeros(len(problem.y), dtype=float)
        oof_values: np.ndarray | None = None
    for step, (train, test) in enumerate(problem.splits):
        estimator = build_estimator(problem, spec, pseudo, params)
        with single_threaded():
            estimator.fit(take_rows(problem.X, train), problem.y[train])
        X_test = take_rows(problem.X, test)
        scores.append(problem.metric.score(estimator, X_test, problem.y[test]))
        n_pseudo.append(int(estimator.n_pseudo_))
        if return_oof:
            prediction = np.asarray(estimator.predict(X_test))
            if problem.task == "classification":
                if oof_values is None:
                    oof_values = np.empty(len(problem.y), dtype=prediction.dtype)
                oof_values[test] = prediction  # last repeat wins for labels
            else:
                oof_sum[test] += prediction
            oof_count[test] += 1
        if trial is not None:
            trial.set_user_attr("fold_scores", [float(s) for s in scores])
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                raise optuna.TrialPruned(
                    f"pruned after fold {step + 1}: running mean {np.mean(scores):.6g}"
                )
    oof = None
    if return_oof:
        if problem.task == "classification":
            oof = oof_values
        else:
            with np.errstate(invalid="ignore"):
                oof = oof_sum / oof_count
    return np.asarray(scores, dtype=float), oof, n_pseudo


class Objective:
    """The Optuna objective: sample a candidate, cross-validate it, return the mean score.

    It is a plain picklable object so that worker processes can run it. Each trial records
    user attributes ``model``, ``sample_rate``, ``fold_scores``, ``n_pseudo`` and
    ``fit_seconds``; a candidate whose model raises records ``error`` and fails (the study
    goes on).
    """

    def __init__(self, problem: Problem, space: SearchSpace) -> None:
        self.problem = problem
        self.space = space

    def __call__(self, trial: optuna.trial.Trial) -> float:
        _record_first_heartbeat(trial)
        spec, pseudo, params = self.space.sample(trial)
        trial.set_user_attr("model", spec.name)
        trial.set_user_attr("sample_rate", float(pseudo["sample_rate"]))
        start = time.perf_counter()
        try:
            scores, _, n_pseudo = cross_validate(self.problem, spec, pseudo, params, trial=trial)
        except optuna.TrialPruned:
            trial.set_user_attr("fit_seconds", time.perf_counter() - start)
            raise
        except Exception as error:
            trial.set_user_attr("error", f"{type(error).__name__}: {error}"[:2000])
            raise
        trial.set_user_attr("fit_seconds", time.perf_counter() - start)
        trial.set_user_attr("n_pseudo", n_pseudo)
        mean = float(np.mean(scores))
        if not np.isfinite(mean):
            trial.set_user_attr("error", f"non-finite score {mean}")
            raise ValueError(f"the model scored {mean} (non-finite)")
        return mean


def _record_first_heartbeat(trial: optuna.trial.Trial) -> None:
    """Write the trial's first heartbeat before any work.

    Optuna's heartbeat thread writes it too, but a worker killed before that thread first ran
    would leave a RUNNING trial with no heartbeat, which no grace period ever marks stale, so
    the study would wait for it forever (seen under load in the SIGKILL tests).
    """
    storage = trial.study._storage
    if is_heartbeat_enabled(storage):
        storage.record_heartbeat(trial._trial_id)
