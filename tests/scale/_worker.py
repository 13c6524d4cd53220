"""One tuning worker process for the scale tests: ``python tests/scale/_worker.py ...``.

It joins (or creates) a study with ``pseudoboost.tune`` on tiny data and appends the number
and state of every trial it finished to ``--ran-file``. With ``--hang-after-trials N``, the
first fit after this process finished N trials writes ``--in-fit-file`` and hangs, so a test can
kill the worker in the middle of a trial. With ``--barrier PATH``, the worker writes
``PATH.<pid>`` once imported and waits for ``PATH`` to exist, so tests start workers together.
Heartbeats are shortened (``--heartbeat``/``--grace``) so a dead worker is noticed in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge

HANG = False
IN_FIT_FILE: Path | None = None


class SleepyRidge(Ridge):
    """Ridge whose fit hangs once ``HANG`` is set (a stand-in for a long trial)."""

    def fit(self, X, y, sample_weight=None):
        if HANG:
            IN_FIT_FILE.write_text(str(os.getpid()))
            time.sleep(600)
        return super().fit(X, y, sample_weight=sample_weight)


def make_data():
    """The same tiny table in every worker: 100 labelled rows, 60 unlabelled."""
    X, y = make_regression(n_samples=160, n_features=5, noise=10.0, random_state=0)
    return X[:100], y[:100], X[100:]


def model_spec():
    from optuna.distributions import FloatDistribution

    from pseudoboost.models import ModelSpec

    return ModelSpec(
        "sleepy_ridge",
        "regression",
        SleepyRidge,
        {"alpha": FloatDistribution(1e-3, 1e3, log=True)},
        {},
        "Ridge that can be told to hang",
    )


def main() -> None:
    global HANG, IN_FIT_FILE
    parser = argparse.ArgumentParser()
    parser.add_argument("--storage", required=True)
    parser.add_argument("--study-name", required=True)
    parser.add_argument("--total-trials", type=int)
    parser.add_argument("--n-trials", type=int)
    parser.add_argument("--ran-file", type=Path, required=True)
    parser.add_argument("--hang-after-trials", type=int)
    parser.add_argument("--in-fit-file", type=Path)
    parser.add_argument("--barrier", type=Path)
    parser.add_argument("--heartbeat", type=int, default=1)
    parser.add_argument("--grace", type=int, default=3)
    args = parser.parse_args()
    IN_FIT_FILE = args.in_fit_file
    HANG = args.hang_after_trials == 0
    n_finished = 0

    import pseudoboost.tuning._storage as storage_module
    from pseudoboost import tune

    storage_module.HEARTBEAT_INTERVAL = args.heartbeat
    storage_module.GRACE_PERIOD = args.grace

    def record(study, trial):
        global HANG
        nonlocal n_finished
        with open(args.ran_file, "a") as handle:
            handle.write(json.dumps({"number": trial.number, "state": trial.state.name}) + "\n")
        n_finished += 1
        if args.hang_after_trials is not None and n_finished >= args.hang_after_trials:
            HANG = True

    X, y, pool = make_data()
    if args.barrier is not None:
        Path(f"{args.barrier}.{os.getpid()}").touch()
        while not args.barrier.exists():
            time.sleep(0.05)
    tune(
        X,
        y,
        unlabeled=pool,
        model=model_spec(),
        n_trials=args.n_trials,
        total_trials=args.total_trials,
        cv=2,
        n_repeats=1,
        storage=args.storage,
        study_name=args.study_name,
        random_state=0,
        pruner="none",
        refit=False,
        callbacks=[record],
    )


if __name__ == "__main__":
    main()
