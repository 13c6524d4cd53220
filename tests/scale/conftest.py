"""Fixtures of the scale tests: the PostgreSQL server of CI and worker processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from _scale_helpers import Worker, start_worker

POSTGRES_ENV = "PSEUDOBOOST_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of an empty PostgreSQL database; skip when none is configured."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: `source .ci/postgres.sh` starts a throw-away "
            "PostgreSQL server and sets it (.ci/run does this)"
        )
    return url


@pytest.fixture
def study_name() -> str:
    """A fresh study name, so tests never see each other's trials on a shared server."""
    return f"scale-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def spawn_worker(tmp_path: Path) -> Callable[..., Worker]:
    """Start ``_worker.py`` processes; any still running at the end of the test is killed."""
    started: list[Worker] = []

    def spawn(storage: str, study_name: str, **options: object) -> Worker:
        worker = start_worker(storage, study_name, tmp_path, len(started), **options)
        started.append(worker)
        return worker

    yield spawn
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()
