"""A study-wide trial budget that several worker processes share exactly.

``tune(..., total_trials=N)`` in any number of processes, on one machine or many, joined on
one database study, stops when the study holds N finished trials in all. Trials count once:

- COMPLETE, PRUNED, and FAIL trials whose model raised count;
- a trial of a worker that died (marked FAIL by the heartbeat check) does not count when it is
  queued to run again (its retry counts instead); past the retry limit it counts as failed;
- a *surplus* trial does not count: when two workers start the last trial at the same moment,
  the one with the higher trial number sees that the trials before it already fill the budget
  and stops at once, recorded as FAIL with the user attribute ``surplus=True`` and no model fit.

A worker that finds the budget filled by trials still running elsewhere waits (polling, and
failing stale trials through the heartbeat) instead of leaving: if such a worker dies, its trial
is retried here, so the study still ends with N finished trials.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.storages import fail_stale_trials
from optuna.trial import FrozenTrial, TrialState

from pseudoboost.tuning._objective import ran_out_of_time
from pseudoboost.tuning._storage import heartbeat_storage

SURPLUS_ATTR = "surplus"
POLL_SECONDS = 0.5


class BudgetFilled(Exception):
    """Raised inside a surplus trial: the study already has its ``total_trials``."""


@dataclass(frozen=True)
class BudgetStatus:
    """Counting trials of a study: finished, running and queued (waiting)."""

    finished: int
    running: int
    waiting: int


def counting_trials(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    """The trials that use the budget: all but surplus trials and retried dead-worker trials."""
    retried = {number for t in trials for number in t.system_attrs.get("retry_history", ())}
    return [
        t
        for t in trials
        if not t.user_attrs.get(SURPLUS_ATTR)
        and not (t.state == TrialState.FAIL and t.number in retried)
    ]


def budget_status(study: optuna.study.Study) -> BudgetStatus:
    """How many counting trials of ``study`` are finished, running and waiting."""
    counting = counting_trials(study.get_trials(deepcopy=False))
    return BudgetStatus(
        finished=sum(t.state.is_finished() for t in counting),
        running=sum(t.state == TrialState.RUNNING for t in counting),
        waiting=sum(t.state == TrialState.WAITING for t in counting),
    )


class BudgetedObjective:
    """Wrap an objective so that a trial beyond the study's budget stops before any work.

    A trial's rank is the number of counting trials with a smaller trial number (numbers are
    given by the storage, in creation order, so two workers never get the same rank).
    """

    def __init__(self, objective: Callable[[optuna.trial.Trial], float], total_trials: int):
        self.objective = objective
        self.total_trials = total_trials

    def __call__(self, trial: optuna.trial.Trial) -> float:
        trials = trial.study.get_trials(deepcopy=False)
        rank = sum(t.number < trial.number for t in counting_trials(trials))
        if rank >= self.total_trials:
            trial.set_user_attr(SURPLUS_ATTR, True)
            raise BudgetFilled(
                f"the study already has its {self.total_trials} trials (surplus trial, "
                "nothing was fitted)"
            )
        return self.objective(trial)


def optimize_with_budget(
    study: optuna.study.Study,
    objective: Callable[[optuna.trial.Trial], float],
    *,
    total_trials: int,
    storage: Any = None,
    n_trials: int | None = None,
    timeout: float | None = None,
    callbacks: Sequence[Callable[[optuna.study.Study, FrozenTrial], None]] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> int:
    """Run trials of ``study`` until it has ``total_trials`` finished counting trials.

    ``n_trials`` and ``timeout`` also bound this call, which also ends when a trial was not
    started because the time left could not hold it (:func:`ran_out_of_time`). ``storage``
    is the study's storage: with heartbeats, trials of dead workers are failed and retried,
    and this call waits for trials running elsewhere. Returns the trials this call ran.
    Exceptions of the objective are recorded as failed trials (the study goes on).
    """
    guarded = BudgetedObjective(objective, total_trials)
    heartbeat = heartbeat_storage(storage) is not None
    ran_trials: list[FrozenTrial] = []
    every_callback = [*(callbacks or []), lambda _, trial: ran_trials.append(trial)]
    start = time.monotonic()
    ran = 0
    while n_trials is None or ran < n_trials:
        if timeout is not None and time.monotonic() - start >= timeout:
            break
        if heartbeat:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                fail_stale_trials(study)  # a dead worker's trial: FAIL, and queued again
        status = budget_status(study)
        if status.finished >= total_trials:
            break
        if status.waiting == 0 and status.finished + status.running >= total_trials:
            if not heartbeat:
                break  # nothing would ever notice a dead worker: leave the rest to them
            time.sleep(poll_seconds)  # the last trials run elsewhere; retry one if it dies
            continue
        study.optimize(guarded, n_trials=1, catch=(Exception,), callbacks=every_callback)
        ran += 1
        if ran_trials and ran_out_of_time(ran_trials[-1]):
            break  # the time left cannot hold a trial
    return ran
