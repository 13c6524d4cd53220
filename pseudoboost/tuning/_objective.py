"""Cross-validating one candidate, and the Optuna objective built on it."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from threadpoolctl import threadpool_limits

from pseudoboost._class_labels import LabelEncodedClassifier
from pseudoboost._cv import fit_fold
from pseudoboost._scoring import Metric
from pseudoboost.models import ModelSpec
from pseudoboost.pseudo_label import PseudoLabelClassifier, PseudoLabelRegressor
from pseudoboost.pseudo_label._rows import n_rows
from pseudoboost.tuning._space import SearchSpace, compose, pseudo_defaults
from pseudoboost.tuning._storage import heartbeat_storage

SEED_KEYS = ("random_state", "random_seed")
logger = logging.getLogger("pseudoboost.tuning")


@dataclass
class Member:
    """One trial's candidate in a weighted ensemble of trials."""

    spec: ModelSpec
    pseudo: dict[str, Any]
    params: dict[str, Any]
    weight: float
    trial: int


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
    ensemble : list of Member
        The supervised phase's ensemble, the teacher of ``teacher="ensemble"`` trials
        (empty until that phase has run).
    """

    X: Any
    y: np.ndarray
    pool: Any
    splits: list[tuple[np.ndarray, np.ndarray]]
    task: str
    metric: Metric
    preprocessor: Any
    random_state: int | None
    ensemble: list[Member] = field(default_factory=list)

    @property
    def n_pool(self) -> int:
        return 0 if self.pool is None else n_rows(self.pool)

    @property
    def n_fit(self) -> int:
        """Rows of the smallest fit a trial makes (a fold's training rows)."""
        return min(len(train) for train, _ in self.splits)


def single_threaded() -> threadpool_limits:
    """OpenMP and BLAS limited to one thread: trials run in parallel processes instead.

    Without it, HistGradientBoosting's OpenMP threads spin against other processes on a busy
    machine (a 10-iteration fit took 7 s instead of 0.03 s on 2 loaded cores).
    """
    return threadpool_limits(limits=1)


def build_model(problem: Problem, spec: ModelSpec, params: dict[str, Any]) -> Any:
    """``make_pipeline(preprocessor, model)`` with the tune seed, unfitted."""
    params = dict(params)
    for key in SEED_KEYS:
        if key in spec.default_params and key not in params and problem.random_state is not None:
            params[key] = problem.random_state
    return compose(spec.make_estimator(**params), problem.preprocessor)


def build_ensemble(problem: Problem, members: list[Member]) -> Any:
    """The members averaged with their weights (a single member: itself). A pseudo-labelled
    member is its pseudo-labelling estimator, a supervised one its pipeline."""
    from pseudoboost.ensemble import WeightedEnsembleRegressor

    def member(m: Member) -> Any:
        if m.pseudo.get("sample_rate", 0) == 0:
            return build_model(problem, m.spec, m.params)
        return build_estimator(problem, m.spec, m.pseudo, m.params)

    if len(members) == 1:
        return member(members[0])
    return WeightedEnsembleRegressor(
        [(f"trial_{m.trial}", member(m)) for m in members], weights=[m.weight for m in members]
    )


def build_estimator(
    problem: Problem, spec: ModelSpec, pseudo: dict[str, Any], params: dict[str, Any]
) -> Any:
    """``PseudoLabel*(make_pipeline(preprocessor, model), unlabeled=pool, **knobs)``, unfitted."""
    model = build_model(problem, spec, params)
    knobs = {**pseudo_defaults(problem.task), **pseudo}
    if problem.task == "regression":
        teacher = None
        if knobs["teacher"] == "ensemble" and knobs["sample_rate"] > 0 and problem.ensemble:
            teacher = build_ensemble(problem, problem.ensemble)
        return PseudoLabelRegressor(
            model,
            teacher=teacher,
            unlabeled=problem.pool,
            sample_rate=knobs["sample_rate"],
            selection=knobs["selection"],
            pseudo_weight=knobs["pseudo_weight"],
            max_iter=knobs["max_iter"],
            label_source=knobs["label_source"],
            random_state=problem.random_state,
        )
    rate = knobs["sample_rate"]
    selection = "random" if rate == 0 else knobs["selection"]
    classifier = PseudoLabelClassifier(
        model,
        unlabeled=problem.pool,
        selection=selection,
        threshold=knobs["threshold"],
        k_best=max(1, round(rate * problem.n_pool)) if selection == "k_best" else None,
        sample_rate=rate if selection == "random" else None,
        balance_classes=bool(knobs["balance_classes"]),
        pseudo_weight=knobs["pseudo_weight"],
        max_iter=knobs["max_iter"],
        random_state=problem.random_state,
    )
    if problem.y.dtype.kind in "iub":
        return classifier
    # Text (or float) labels: fitted on codes 0..k-1, predicted in the user's labels.
    return LabelEncodedClassifier(classifier)


class OutOfBudget(optuna.TrialPruned):
    """The search's deadline passed between two folds, or the trial was estimated to end
    after it: the trial stops like a pruned one."""


TOO_DEAR = "too_dear"  # user attribute: the estimated seconds of a trial not started


def seconds_per_fold(trial: optuna.trial.FrozenTrial) -> float | None:
    """A trial's measured seconds per fold it scored (None when it scored none)."""
    folds = len(trial.user_attrs.get("fold_scores") or ())
    return float(trial.user_attrs.get("fit_seconds", 0.0)) / folds if folds else None


def supervised_trial_seconds(
    trials: list[optuna.trial.FrozenTrial], model: str, n_folds: int
) -> float | None:
    """A supervised trial's estimated seconds: ``n_folds`` times the median seconds per fold
    of ``model``'s supervised trials so far; None when it has none (its default runs)."""
    per_fold = [
        seconds
        for t in trials
        if t.user_attrs.get("model") == model
        and t.user_attrs.get("sample_rate", 0.0) == 0
        and (seconds := seconds_per_fold(t)) is not None
    ]
    return float(np.median(per_fold)) * n_folds if per_fold else None


def ran_out_of_time(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether ``trial`` was a supervised trial not started because it could not end before
    the deadline: nothing the search would try next fits in the time left either (the
    cheapest trials were tried long before), so the search stops there."""
    return TOO_DEAR in trial.user_attrs and trial.user_attrs.get("sample_rate", 0.0) == 0


BASELINE_SHARE = 1 / 3  # of the folds a trial runs before it is held to the baseline


def behind_baseline(scores: list[float], baseline: Any, greater_is_better: bool) -> bool:
    """Whether a trial, after a third of the folds or more, scores worse on average than the
    baseline's scores on the same folds.

    A pseudo-labelled trial is returned only when a paired test over all folds says it
    beats the best supervised one; one that is behind it on the first third rarely
    recovers, and the time it would take goes back to the search.
    """
    done = len(scores)
    if baseline is None or done < max(2, math.ceil(BASELINE_SHARE * len(baseline))):
        return False
    gap = float(np.mean(scores)) - float(np.mean(baseline[:done]))
    return gap < 0 if greater_is_better else gap > 0


def cross_validate(
    problem: Problem,
    estimator: Any,
    *,
    trial: optuna.trial.Trial | None = None,
    return_oof: bool = False,
    deadline: float | None = None,
    fold_predictions: list[np.ndarray] | None = None,
    baseline: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """Score one candidate (an unfitted estimator) on every fold, in the metric's natural sign.

    With ``trial``, each fold's running mean is reported and the trial is pruned when the
    pruner says so (``optuna.TrialPruned`` propagates); the fold scores so far are kept in
    the trial's user attributes. Past ``deadline`` (a ``time.perf_counter()`` value), or when
    the mean time of the folds so far says the next would end after it, the next fold is not
    started (:class:`OutOfBudget`). A list given as ``fold_predictions``
    receives each fold's test-row predictions (for the ensemble of trials). With
    ``baseline`` (another candidate's scores on the same folds) a trial that is behind it
    after a third of the folds is pruned (:func:`behind_baseline`).

    Returns
    -------
    fold_scores : ndarray of shape (n_folds,)
    oof : ndarray of shape (n_labelled,) or None
        Out-of-fold predictions when ``return_oof``: the mean over repeats for regression,
        the last repeat's label for classification (an object array); NaN where a row was never
        in a test fold.
    n_pseudo : list of int
        Pseudo-labelled rows used by each fold's final model.
    """
    scores: list[float] = []
    n_pseudo: list[int] = []
    oof_sum = np.zeros(len(problem.y), dtype=float)
    oof_count = np.zeros(len(problem.y), dtype=float)
    oof_labels = np.full(len(problem.y), np.nan, dtype=object)
    started = time.perf_counter()
    for step, (train, test) in enumerate(problem.splits):
        if deadline is not None:
            # A fold is not started past the deadline, nor when the folds so far say it
            # would end after it (one 120-s search took 155 s; slow sampled folds the likely
            # cause, benchmarks/RESULTS.md).
            now = time.perf_counter()
            per_fold = (now - started) / step if step else 0.0
            if now + per_fold > deadline:
                raise OutOfBudget(f"budget spent after {step} folds")
        with single_threaded():
            fold = fit_fold(estimator, problem.X, problem.y, train, test, problem.metric)
        scores.append(fold.score)
        n_pseudo.append(fold.n_pseudo)
        if return_oof or fold_predictions is not None:
            prediction = np.asarray(fold.estimator.predict(fold.X_test))
        if fold_predictions is not None:
            fold_predictions.append(prediction)
        if return_oof:
            if problem.task == "classification":
                oof_labels[test] = list(prediction)  # the last repeat wins for labels
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
            if behind_baseline(scores, baseline, problem.metric.greater_is_better):
                raise optuna.TrialPruned(
                    f"pruned after fold {step + 1}: running mean {np.mean(scores):.6g} is "
                    f"behind the baseline's {np.mean(baseline[: step + 1]):.6g} on those folds"
                )
    oof = None
    if return_oof:
        if problem.task == "classification":
            oof = oof_labels
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                oof = np.where(oof_count > 0, oof_sum / np.maximum(oof_count, 1), np.nan)
    return np.asarray(scores, dtype=float), oof, n_pseudo


def describe(spec_name: str, pseudo: dict[str, Any], params: dict[str, Any]) -> str:
    """A trial's candidate on one line: model, knobs when pseudo-labelling, hyperparameters."""
    shown = {**(pseudo if pseudo.get("sample_rate", 0) > 0 else {}), **params}
    text = ", ".join(f"{k}={_short(v)}" for k, v in shown.items())
    return f"{spec_name}({text})"


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


class Objective:
    """The Optuna objective: sample a candidate, cross-validate it, return the mean score.

    It is a plain picklable object so that worker processes can run it. Each trial records
    user attributes ``model``, ``sample_rate``, ``phase``, ``fold_scores``, ``n_pseudo``
    and ``fit_seconds``; a candidate whose model raises records ``error``, logs one line
    (the traceback only at DEBUG level of the ``pseudoboost`` logger) and fails (the study
    goes on). Each complete regression trial's test-fold predictions are kept in
    ``fold_predictions`` (this process's trials only) for the ensemble of trials.

    Parameters
    ----------
    problem : Problem
    space : SearchSpace
    supervised : bool
        The first phase: ``sample_rate`` is 0 and no knob is sampled.
    deadline : float or None
        ``time.perf_counter()`` after which no further fold starts. A supervised trial whose
        model's trials so far say it would end after the deadline is not started
        (:class:`OutOfBudget`, its estimate in the user attribute ``too_dear``).
    storage : optuna storage or None
        The study's storage: a database storage with heartbeats gets each trial's first
        heartbeat before any work.

    Attributes
    ----------
    baseline : ndarray or None
        Fold scores that pseudo-labelled trials (``sample_rate > 0``) must keep up with (the
        best supervised trial's, set by the search before its pseudo-labelling phase); None:
        no such check.
    estimate : callable or None
        ``estimate(model name, pseudo-labelling knobs)``: a pseudo-labelled trial's estimated
        seconds (or None). With a ``deadline``, a trial estimated to end after it is not
        started (:class:`OutOfBudget`, its estimate in the user attribute ``too_dear``): a
        single fold of a dear recipe (an ensemble of fold teachers, several rounds of
        self-training) can otherwise run far past the budget. None: no such check.
    """

    def __init__(
        self,
        problem: Problem,
        space: SearchSpace,
        *,
        supervised: bool = False,
        deadline: float | None = None,
        storage: Any = None,
    ) -> None:
        self.problem = problem
        self.storage = storage
        self.space = space
        self.supervised = supervised
        self.deadline = deadline
        self.fold_predictions: dict[int, list[np.ndarray]] = {}
        self.baseline: np.ndarray | None = None
        self.estimate: Callable[[str, dict[str, Any]], float | None] | None = None

    def __call__(self, trial: optuna.trial.Trial) -> float:
        _record_first_heartbeat(self.storage, trial)
        spec, pseudo, params = self.space.sample(trial, supervised=self.supervised)
        trial.set_user_attr("model", spec.name)
        trial.set_user_attr("sample_rate", float(pseudo["sample_rate"]))
        trial.set_user_attr("phase", "supervised" if self.supervised else "pseudo")
        self._raise_if_too_dear(trial, spec.name, pseudo)
        start = time.perf_counter()
        try:
            estimator = build_estimator(self.problem, spec, pseudo, params)
            folds: list[np.ndarray] | None = [] if self.problem.task == "regression" else None
            scores, _, n_pseudo = cross_validate(
                self.problem,
                estimator,
                trial=trial,
                deadline=self.deadline,
                fold_predictions=folds,
                baseline=self.baseline if pseudo["sample_rate"] > 0 else None,
            )
        except optuna.TrialPruned:
            trial.set_user_attr("fit_seconds", time.perf_counter() - start)
            raise
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            trial.set_user_attr("error", message[:2000])
            trial.set_user_attr("fit_seconds", time.perf_counter() - start)
            logger.warning(
                "Trial %d failed: %s: %s",
                trial.number,
                describe(spec.name, pseudo, params),
                message.splitlines()[0][:300] if message else "",
            )
            logger.debug("Trial %d traceback", trial.number, exc_info=True)
            raise
        trial.set_user_attr("fit_seconds", time.perf_counter() - start)
        trial.set_user_attr("n_pseudo", n_pseudo)
        mean = float(np.mean(scores))
        if not np.isfinite(mean):
            trial.set_user_attr("error", f"non-finite score {mean}")
            logger.warning(
                "Trial %d failed: %s: non-finite score %s",
                trial.number,
                describe(spec.name, pseudo, params),
                mean,
            )
            raise ValueError(f"the model scored {mean} (non-finite)")
        if folds is not None:
            self.fold_predictions[trial.number] = folds
        return mean

    def _raise_if_too_dear(
        self, trial: optuna.trial.Trial, model: str, pseudo: dict[str, Any]
    ) -> None:
        """:class:`OutOfBudget` when the trial is estimated to end after the deadline: a
        pseudo-labelled trial by ``estimate``, a supervised one by its model's trials so far
        (a trial stopped between folds by the deadline is not scored: its time is lost)."""
        if self.deadline is None:
            return
        if pseudo["sample_rate"] > 0:
            seconds = None if self.estimate is None else self.estimate(model, pseudo)
        else:
            trials = trial.study.get_trials(deepcopy=False)
            seconds = supervised_trial_seconds(trials, model, len(self.problem.splits))
        left = self.deadline - time.perf_counter()
        if seconds is not None and seconds > left:
            trial.set_user_attr(TOO_DEAR, float(seconds))
            raise OutOfBudget(f"estimated {seconds:.3g} s, {max(left, 0.0):.3g} s left")


def _record_first_heartbeat(storage: Any, trial: optuna.trial.Trial) -> None:
    """Write the trial's first heartbeat before any work.

    Optuna's heartbeat thread writes it too, but a worker killed before that thread first ran
    would leave a RUNNING trial with no heartbeat, which no grace period ever marks stale, so
    the study would wait for it forever (seen under load in the SIGKILL tests).
    """
    storage = heartbeat_storage(storage)
    if storage is not None:  # the trial's id from public storage calls (Trial keeps it private)
        study_id = storage.get_study_id_from_name(trial.study.study_name)
        storage.record_heartbeat(
            storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
        )
