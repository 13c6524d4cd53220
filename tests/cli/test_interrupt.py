"""Ctrl-C inside the study's storage code, and two processes opening a new study database.

The Ctrl-C here is a real SIGINT raised in this process at a chosen moment (while a trial's
result is being written), so these cases are deterministic; ``test_commands.py`` has the
end-to-end one, a Ctrl-C sent to a ``pseudoboost tune`` subprocess at a random moment.
"""

from __future__ import annotations

import signal
import threading
import time

import optuna
import pytest
from optuna.storages import RDBStorage
from optuna.storages._rdb import storage as rdb_storage
from optuna.trial import TrialState

from pseudoboost.cli._commands import _open_storage
from pseudoboost.cli._interrupt import GracefulInterrupt

TUNE = ("tune", "--train", "train.csv", "--test", "test.csv", "--target", "sales")
TUNE += ("--model", "ridge", "--n-trials", "50", "--cv", "2", "--study-name", "s", "--out", "run")


@pytest.fixture(autouse=True)
def _terminal_ctrl_c():
    """SIGINT at Python's default handler, as in a terminal. A shell starts background jobs
    with SIGINT ignored, and the CLI leaves an ignored SIGINT alone
    (``test_an_ignored_ctrl_c_stays_ignored``): without this, five of these tests failed
    when pytest ran as a background job."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _tune(run_main, folder):
    try:
        return run_main(*TUNE, cwd=folder)
    except KeyboardInterrupt:  # let pytest go on: this is the test's own Ctrl-C
        pytest.fail("KeyboardInterrupt escaped main()")


def _interrupt_third_result(monkeypatch, then_raise: BaseException | None = None) -> list[int]:
    """Press Ctrl-C as the third trial's COMPLETE state is being written (before the write);
    ``then_raise`` is raised instead of writing. Returns the ids of the trials written."""
    write = RDBStorage.set_trial_state_values
    written: list[int] = []

    def set_trial_state_values(self, trial_id, state, values=None):
        if state == TrialState.COMPLETE and len(written) == 2:
            signal.raise_signal(signal.SIGINT)
            if then_raise is not None:
                raise then_raise
        result = write(self, trial_id, state, values)
        if state == TrialState.COMPLETE:
            written.append(trial_id)
        return result

    monkeypatch.setattr(RDBStorage, "set_trial_state_values", set_trial_state_values)
    return written


def test_ctrl_c_while_a_result_is_written_keeps_that_trial(files, run_main, monkeypatch):
    written = _interrupt_third_result(monkeypatch)
    result = _tune(run_main, files["dir"])
    assert result.returncode == 130, result.stderr
    assert "interrupted;" in result.stderr and "Run the same command again" in result.stderr
    assert "Traceback" not in result.stderr
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{files['dir']}/run/study.db")
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(written) >= 3 and len(complete) >= 3
    assert study.trials[2].state == TrialState.COMPLETE


def test_an_error_after_ctrl_c_is_reported_as_the_interrupt(files, run_main, monkeypatch):
    # As Optuna's trial loop did when Ctrl-C cut its write: AssertionError("Should not reach.").
    _interrupt_third_result(monkeypatch, then_raise=AssertionError("Should not reach."))
    result = _tune(run_main, files["dir"])
    assert result.returncode == 130, result.stderr
    assert "interrupted;" in result.stderr
    assert "Traceback" not in result.stderr and "Should not reach" not in result.stderr


# A function of a library's own module, as the storage's code is.
_LIBRARY: dict = {"__name__": "optuna.storages.fake", "signal": signal, "time": time}
exec(
    "def write(steps, presses=1):\n"
    "    for _ in range(presses):\n"
    "        signal.raise_signal(signal.SIGINT)\n"
    "    for _ in range(steps):\n"
    "        time.sleep(0.01)\n"
    "    return 'written'\n",
    _LIBRARY,
)


def test_ctrl_c_waits_for_library_code_then_stops():
    results = []
    with pytest.raises(KeyboardInterrupt), GracefulInterrupt() as interrupt:
        results.append(_LIBRARY["write"](20))
        for _ in range(500):  # the interrupt lands here, outside the library
            time.sleep(0.01)
        results.append("not interrupted")
    assert results == ["written"] and interrupt.requested
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_stops_library_code_at_once():
    results = []
    with pytest.raises(KeyboardInterrupt), GracefulInterrupt():
        results.append(_LIBRARY["write"](20, presses=2))
    assert results == []


def test_ctrl_c_outside_library_code_stops_at_once():
    with pytest.raises(KeyboardInterrupt), GracefulInterrupt() as interrupt:
        signal.raise_signal(signal.SIGINT)
        pytest.fail("not interrupted")
    assert interrupt.requested


def test_two_processes_opening_a_new_study_database(tmp_path, monkeypatch):
    """Both stamp Optuna's schema version at once (held together at that step); the loser's
    "UNIQUE constraint failed: alembic_version" must not fail the command."""
    stamp = rdb_storage._VersionManager._set_alembic_revision
    races = []

    def stamp_together(self, revision):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        try:
            return stamp(self, revision)
        except Exception:
            races.append(revision)
            raise

    monkeypatch.setattr(rdb_storage._VersionManager, "_set_alembic_revision", stamp_together)
    for attempt in range(3):
        barrier = threading.Barrier(2, timeout=10)
        path = tmp_path / f"study{attempt}.db"
        opened, errors = [], []

        def open_it(path=path, opened=opened, errors=errors):
            try:
                opened.append(_open_storage(path))
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=open_it) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and len(opened) == 2
        assert all(s.get_all_studies() == [] for s in opened)
    assert races, "the two openings never raced; the test no longer tests the race"


def test_an_ignored_ctrl_c_stays_ignored():
    """A background job's SIGINT is ignored; the command must not start answering it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with GracefulInterrupt() as interrupt:
            signal.raise_signal(signal.SIGINT)
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN and not interrupt.requested
    finally:
        signal.signal(signal.SIGINT, previous)
