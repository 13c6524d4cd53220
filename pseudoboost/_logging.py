"""The log filter that keeps Optuna's failed-trial records short and Ctrl-C quiet.

Ctrl-C reaches every process of a run; the calling process already says what happened and
how to resume, so the "Trial N failed ... KeyboardInterrupt" traceback Optuna logs for the
interrupted trial (once per worker process) is noise. The command line also shortens every
other failed-trial record to its one line.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator


class TrialLogFilter(logging.Filter):
    """Drop log records of a KeyboardInterrupt; with ``tracebacks=False``, strip the others'.

    Parameters
    ----------
    tracebacks : bool, default=True
        Keep the traceback of the records it lets through. False makes each one line (the
        record's message) for every handler that prints it.

    Examples
    --------
    >>> import logging
    >>> record = logging.LogRecord("optuna", logging.WARNING, "", 0, "failed", None, None)
    >>> try:
    ...     raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     import sys
    ...     record.exc_info = sys.exc_info()
    >>> TrialLogFilter().filter(record)
    False
    """

    def __init__(self, *, tracebacks: bool = True) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, KeyboardInterrupt):
            return False
        if not self.tracebacks:
            record.exc_info = None
            record.exc_text = None
        return True


def optuna_handlers(*, root: bool = False) -> list[logging.Handler]:
    """The handlers of Optuna's logger, and of the root logger with ``root=True``."""
    handlers = list(logging.getLogger("optuna").handlers)
    if root:
        handlers += logging.getLogger().handlers
    return handlers


def install_filter(handlers: Iterable[logging.Handler], log_filter: TrialLogFilter) -> None:
    """Add ``log_filter`` to each handler that has no :class:`TrialLogFilter` yet."""
    for handler in handlers:
        if not any(isinstance(f, TrialLogFilter) for f in handler.filters):
            handler.addFilter(log_filter)


@contextlib.contextmanager
def filtered(handlers: Iterable[logging.Handler], log_filter: TrialLogFilter) -> Iterator[None]:
    """Add ``log_filter`` to ``handlers`` for the duration of the block."""
    handlers = list(handlers)
    for handler in handlers:
        handler.addFilter(log_filter)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(log_filter)
