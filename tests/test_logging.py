"""The one log filter: Ctrl-C's failed trial is not logged, other records lose their traceback."""

from __future__ import annotations

import logging
import sys

from pseudoboost._logging import TrialLogFilter, filtered, install_filter


def _record(error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        exc_info = sys.exc_info()
    return logging.LogRecord("optuna", logging.WARNING, "", 0, "Trial 3 failed", None, exc_info)


def test_interrupts_are_dropped_and_tracebacks_kept_unless_asked():
    assert TrialLogFilter().filter(_record(KeyboardInterrupt())) is False
    assert TrialLogFilter(tracebacks=False).filter(_record(KeyboardInterrupt())) is False
    kept = _record(ValueError("bad"))
    assert TrialLogFilter().filter(kept) is True and kept.exc_info is not None
    one_line = _record(ValueError("bad"))
    assert TrialLogFilter(tracebacks=False).filter(one_line) is True
    assert one_line.exc_info is None and one_line.exc_text is None


def test_install_once_and_filtered_only_inside_the_block():
    handler = logging.StreamHandler()
    install_filter([handler], TrialLogFilter())
    install_filter([handler], TrialLogFilter())
    assert len(handler.filters) == 1
    other = logging.StreamHandler()
    log_filter = TrialLogFilter(tracebacks=False)
    with filtered([other], log_filter):
        assert other.filters == [log_filter]
    assert other.filters == []
