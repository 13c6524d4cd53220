"""Ctrl-C during ``tune``: wait for the study's database write in progress, then stop.

A KeyboardInterrupt raised inside Optuna's storage code can abandon a write half-done: the
trial whose result was being saved is lost, Optuna's ``_run_trial`` then fails on its own
cleanup (``UnboundLocalError``, ``AssertionError: Should not reach``), and a transaction left
open by the interrupted session keeps SQLite locked, so the next write waits for the
60-second busy timeout and fails with "database is locked". Each of these surfaced as a
traceback instead of the command's one-line message.

:class:`GracefulInterrupt` is the SIGINT handler ``tune`` runs under: while the main thread
is in Optuna's or SQLAlchemy's code (reached from pseudoboost's, e.g. a trial's result or a
user attribute being written) the interrupt waits; it is raised as soon as control is back in
pseudoboost's code (the objective, the progress callback, the search loop). A second Ctrl-C
while one waits stops at once.
"""

from __future__ import annotations

import _thread
import signal
import threading
import time
from types import FrameType, TracebackType

# Code that must not be interrupted halfway: the study's storage and what it calls.
_LIBRARIES = ("optuna", "sqlalchemy", "alembic")
_POLL_SECONDS = 0.02


def in_library_code(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs Optuna's or SQLAlchemy's code called from pseudoboost's.

    The stack is read from the innermost frame outwards up to the first ``pseudoboost`` frame:
    a trial's model fitting (scikit-learn under the objective) is not library code; a
    storage write made by the objective or by Optuna after the objective returned is.
    """
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module == "pseudoboost" or module.startswith("pseudoboost."):
            return False
        if module.split(".", 1)[0] in _LIBRARIES:
            return True
        frame = frame.f_back
    return False


class GracefulInterrupt:
    """A context manager that installs the deferring SIGINT handler.

    It does so in the main thread when SIGINT raises KeyboardInterrupt (Python's default);
    otherwise it changes nothing.

    Attributes
    ----------
    requested : bool
        Whether Ctrl-C was pressed inside the block: an exception that escapes the block
        afterwards is the interrupt's consequence, not a failure of its own.
    """

    def __init__(self) -> None:
        self.requested = False
        self._waiting = False
        self._poked = False
        self._watchers: list[threading.Thread] = []
        self._previous: object = None

    def __enter__(self) -> GracefulInterrupt:
        # Only in place of Python's own handler: a SIGINT ignored (a background job) or
        # handled by the caller stays as it is.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._waiting = False
        for watcher in self._watchers:
            watcher.join()
        # A nudge the watcher sent just before it stopped runs this handler at the next
        # bytecode; let it (a no-op now) before the previous handler takes over.
        deadline = time.monotonic() + 1.0
        while self._poked and time.monotonic() < deadline:
            pass
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        nudged, self._poked = self._poked, False
        if nudged and not self._waiting:
            return  # a late nudge: the interrupt was raised already
        if self._waiting and not nudged:
            self._waiting = False  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = True
        if in_library_code(frame):
            if not self._waiting:
                self._waiting = True
                self._watchers.append(threading.Thread(target=self._watch, daemon=True))
                self._watchers[-1].start()
            return
        self._waiting = False
        raise KeyboardInterrupt

    def _watch(self) -> None:
        """Nudge the main thread until it leaves the library code (the handler checks)."""
        while self._waiting:
            time.sleep(_POLL_SECONDS)
            if self._waiting and not self._poked:
                self._poked = True
                _thread.interrupt_main(signal.SIGINT)
