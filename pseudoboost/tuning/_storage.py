"""Turning ``storage=`` into an Optuna storage, with heartbeats for databases."""

from __future__ import annotations

import importlib.util
import os
import random
import time
import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage, RDBStorage, RetryHeartbeatStaleTrialCallback

# A worker that dies (killed, out of memory) leaves its trial RUNNING; with heartbeats the
# next trial to start marks it stale and queues its parameters to run again (up to 3 times).
HEARTBEAT_INTERVAL = 60
GRACE_PERIOD = 180
MAX_RETRY = 3
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SCHEMA_RACE_RETRIES = 5


def storage_url(storage: str | os.PathLike) -> str:
    """The database URL of ``storage``: a ``*.db`` path becomes ``sqlite:///<absolute path>``."""
    text = os.fspath(storage)
    if "://" not in text and text.lower().endswith(SQLITE_SUFFIXES):
        return "sqlite:///" + str(Path(text).expanduser().resolve())
    return text


def _with_installed_driver(url: str) -> str:
    """Point a bare ``postgresql://`` URL at psycopg2 when psycopg (3) is not installed.

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; the ``dev`` extra installs
    psycopg2-binary, so the URL is rewritten to ``postgresql+psycopg2://`` in that case.
    """
    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None:
        if importlib.util.find_spec("psycopg2") is not None:
            return "postgresql+psycopg2://" + url[len("postgresql://") :]
    return url


def _lost_schema_race(error: Exception) -> bool:
    """Whether ``error`` says another process created Optuna's tables, or stamped their
    schema version, at the same moment (PostgreSQL, SQLite and MySQL wordings)."""
    text = str(error).lower()
    return any(
        words in text
        for words in (
            "already exists",
            "duplicate key",
            "uniqueviolation",
            "duplicatetable",
            "unique constraint failed",
            "duplicate entry",
        )
    )


def redact(url: str) -> str:
    """``url`` with any password hidden, for messages and reports."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def open_storage(storage: Any) -> BaseStorage | None:
    """Open ``storage`` (None, a path ending in .db, a database URL or a storage object).

    Database storages get heartbeats and a retry of trials whose worker died.

    Raises
    ------
    ValueError
        When the URL cannot be opened, with a one-line reason.
    """
    if storage is None or isinstance(storage, BaseStorage):
        return storage
    if not isinstance(storage, (str, os.PathLike)):
        raise TypeError(
            "storage must be None, a path ending in .db, a database URL or an Optuna storage, "
            f"got {type(storage).__name__}."
        )
    url = _with_installed_driver(storage_url(storage))
    if "://" not in url:
        raise ValueError(
            f"Cannot open the Optuna storage {url!r}: give a path ending in .db, a "
            "'sqlite:///...' URL or another database URL such as 'postgresql://user@host/db'."
        )
    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        # Several worker processes share one SQLite file: wait for locks instead of failing.
        engine_kwargs["connect_args"] = {"timeout": 60}
    else:
        engine_kwargs["pool_pre_ping"] = True
    try:
        for attempt in range(SCHEMA_RACE_RETRIES + 1):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    return RDBStorage(
                        url,
                        engine_kwargs=engine_kwargs,
                        heartbeat_interval=HEARTBEAT_INTERVAL,
                        grace_period=GRACE_PERIOD,
                        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                            max_retry=MAX_RETRY
                        ),
                    )
            except Exception as error:
                # Workers started together on an empty database all create Optuna's tables;
                # the losers of that race see "already exists" and succeed on a second try.
                if attempt == SCHEMA_RACE_RETRIES or not _lost_schema_race(error):
                    raise
                time.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
    except Exception as error:  # sqlalchemy raises many types; the user needs one line.
        cause = error.__cause__ if isinstance(error, ImportError) else None
        reason = " ".join(f"{error} ({cause})".split() if cause else str(error).split()).split(
            " (Background on this error"
        )[0]
        reason = reason.split("[SQL:")[0].strip() or type(error).__name__
        raise ValueError(f"Cannot open the Optuna storage {redact(url)!r}: {reason}") from None


def is_shareable(storage: BaseStorage | None) -> bool:
    """Whether separate processes can share ``storage`` (anything but memory)."""
    return storage is not None and not isinstance(storage, optuna.storages.InMemoryStorage)


def heartbeat_storage(storage: Any) -> RDBStorage | None:
    """``storage`` when it records trial heartbeats (a database storage opened with a
    heartbeat interval), else None; Optuna's public RDBStorage API only."""
    if isinstance(storage, RDBStorage) and storage.get_heartbeat_interval() is not None:
        return storage
    return None
