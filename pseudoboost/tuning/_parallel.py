"""Running trials in worker processes that share one database storage."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Sequence

import optuna
from optuna.trial import TrialState

from pseudoboost._logging import TrialLogFilter, install_filter, optuna_handlers
from pseudoboost.tuning._budget import POLL_SECONDS

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def make_sampler(seed: int | None) -> optuna.samplers.BaseSampler:
    """The seeded TPE sampler every study uses (constant liar keeps parallel workers apart)."""
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


def split_trials(n_trials: int | None, n_jobs: int) -> list[int | None]:
    """Share ``n_trials`` between ``n_jobs`` workers as evenly as possible."""
    if n_trials is None:
        return [None] * n_jobs
    base, extra = divmod(n_trials, n_jobs)
    return [base + (1 if i < extra else 0) for i in range(n_jobs) if base or i < extra]


def _worker(
    url: str,
    study_name: str,
    objective: Callable,
    n_trials: int | None,
    timeout: float | None,
    seed: int | None,
    pruner: optuna.pruners.BasePruner,
    total_trials: int | None = None,
) -> int:
    """Body of one worker process: load the shared study and optimise; trials started."""
    import warnings

    from pseudoboost.tuning._storage import open_storage

    # Failed trials are reported on one line by the objective, not with Optuna's traceback.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    # Ctrl-C reaches every worker: no traceback per worker for the trial it stopped.
    install_filter(optuna_handlers(root=True), TrialLogFilter())
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    storage = open_storage(url)
    study = optuna.load_study(
        study_name=study_name, storage=storage, sampler=make_sampler(seed), pruner=pruner
    )
    before = len(study.get_trials(deepcopy=False))
    try:
        if total_trials is not None:
            from pseudoboost.tuning._budget import optimize_with_budget

            optimize_with_budget(
                study, objective, total_trials=total_trials, storage=storage, timeout=timeout
            )
        else:
            study.optimize(objective, n_trials=n_trials, timeout=timeout, catch=(Exception,))
    except KeyboardInterrupt:
        pass
    return len(study.get_trials(deepcopy=False)) - before


def run_parallel(
    study: optuna.study.Study,
    url: str,
    objective: Callable,
    *,
    n_trials: int | None,
    n_jobs: int,
    total_trials: int | None = None,
    timeout: float | None,
    random_state: int | None,
    pruner: optuna.pruners.BasePruner,
    callbacks: Sequence[Callable] | None,
) -> None:
    """Run ``n_trials`` trials of ``study`` in ``n_jobs`` worker processes.

    Workers are loky processes (joblib's), so scripts need no ``if __name__ == "__main__"``
    guard and user factories defined in ``__main__`` pickle. The calling process polls the
    storage and calls each ``callbacks(study, trial)`` once per newly finished trial. On
    KeyboardInterrupt the workers get SIGINT (Optuna marks their running trial failed), are
    stopped, and the interrupt propagates; finished trials stay in the storage.
    """
    from joblib.externals.loky import ProcessPoolExecutor

    seen = {t.number for t in study.get_trials(deepcopy=False, states=FINISHED)}

    def notify() -> None:
        if not callbacks:
            return
        for trial in study.get_trials(deepcopy=False, states=FINISHED):
            if trial.number not in seen:
                seen.add(trial.number)
                for callback in callbacks:
                    callback(study, trial)

    counts = split_trials(n_trials, n_jobs)
    executor = ProcessPoolExecutor(max_workers=len(counts))
    futures: list = []
    try:
        futures = [
            executor.submit(
                _worker,
                url,
                study.study_name,
                objective,
                count,
                timeout,
                None if random_state is None else random_state + 1 + index,
                pruner,
                total_trials,
            )
            for index, count in enumerate(counts)
        ]
        while not all(future.done() for future in futures):
            time.sleep(POLL_SECONDS)
            notify()
        notify()
        for future in futures:
            error = future.exception()
            if error is not None:
                raise RuntimeError(
                    f"A tuning worker process failed: {type(error).__name__}: {error}"
                ) from error
    except KeyboardInterrupt:
        for pid in list(getattr(executor, "_processes", {})):
            try:
                os.kill(pid, signal.SIGINT)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(f.done() for f in futures):
            time.sleep(0.1)
        executor.shutdown(wait=True, kill_workers=True)
        raise
    executor.shutdown(wait=True)
