"""Helpers of the scale tests (a unique module name: test folders are not packages)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest

WORKER = Path(__file__).with_name("_worker.py")
sys.path.insert(0, str(WORKER.parent))

import _worker  # noqa: E402  (the same data and model as the worker processes)


class Worker:
    """A ``tests/scale/_worker.py`` process and the trials it reported finishing."""

    def __init__(self, process: subprocess.Popen, ran_file: Path, log: Path) -> None:
        self.process = process
        self.ran_file = ran_file
        self.log = log

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        assert code == 0, f"worker exited with {code}:\n{self.log.read_text()[-3000:]}"
        return code

    def ran(self) -> list[dict]:
        if not self.ran_file.exists():
            return []
        return [json.loads(line) for line in self.ran_file.read_text().splitlines() if line]


def start_worker(storage: str, study_name: str, folder: Path, index: int, **options: Any) -> Worker:
    """Start ``_worker.py`` with ``--option value`` for each keyword."""
    ran_file, log = folder / f"ran-{index}.jsonl", folder / f"worker-{index}.log"
    command = [sys.executable, str(WORKER), "--storage", storage, "--study-name", study_name]
    command += ["--ran-file", str(ran_file)]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    with open(log, "w") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    return Worker(process, ran_file, log)


def tune_here(storage: str, study_name: str, total_trials: int, monkeypatch) -> list[int]:
    """Run the workers' tune call in this process (short heartbeats); trial numbers it ran."""
    import pseudoboost.tuning._storage as storage_module
    from pseudoboost import tune

    monkeypatch.setattr(storage_module, "HEARTBEAT_INTERVAL", 1)
    monkeypatch.setattr(storage_module, "GRACE_PERIOD", 3)
    ran: list[int] = []
    X, y, pool = _worker.make_data()
    tune(
        X,
        y,
        unlabeled=pool,
        model=_worker.model_spec(),
        total_trials=total_trials,
        cv=2,
        n_repeats=1,
        storage=storage,
        study_name=study_name,
        random_state=0,
        pruner="none",
        refit=False,
        callbacks=[lambda study, trial: ran.append(trial.number)],
    )
    return ran


def load_trials(url: str, study_name: str) -> list[optuna.trial.FrozenTrial]:
    """All trials of a stored study, read through a storage that is closed afterwards."""
    storage = optuna.storages.RDBStorage(url)
    try:
        return optuna.load_study(study_name=study_name, storage=storage).get_trials()
    finally:
        storage.remove_session()
        storage.engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 0.1 s; fail the test with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
