"""Shared fixtures: the location of ../shared/data and quick skips when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PSEUDOBOOST_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def bigmart_dir() -> Path:
    """Folder with the real Big Mart train.csv and test.csv; skip when absent."""
    path = SHARED_DATA / "bigmart"
    if not (path / "train.csv").is_file() or not (path / "test.csv").is_file():
        pytest.skip(
            f"real Big Mart files not found in {path} (../shared/data is not beside the repo)"
        )
    return path


@pytest.fixture(scope="session")
def mnist_5k_path() -> Path:
    """The real 5,000-image MNIST subset; skip when absent."""
    path = SHARED_DATA / "mnist" / "mnist_5k.npz"
    if not path.is_file():
        pytest.skip(f"MNIST subset not found at {path} (../shared/data is not beside the repo)")
    return path


@pytest.fixture(scope="session")
def uci_dir() -> Path:
    """Folder with the six UCI regression tables (csv.gz); skip when absent."""
    path = SHARED_DATA / "uci"
    if not (path / "parkinsons.csv.gz").is_file():
        pytest.skip(f"UCI tables not found in {path} (../shared/data is not beside the repo)")
    return path
