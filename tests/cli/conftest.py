"""Helpers for the CLI tests: small generated CSV files and a subprocess runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def run_cli(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``python -m pseudoboost ARGS`` in ``cwd`` and capture its output."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "pseudoboost", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def listing(folder: Path) -> list[str]:
    """Every path under ``folder`` (to check that nothing was written)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def make_tables(
    n_train: int = 120, n_test: int = 40, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small Kaggle-like regression table: an id, numbers with gaps, a category."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    size = rng.normal(10, 3, n)
    size[rng.random(n) < 0.1] = np.nan
    colour = rng.choice(["red", "green", "blue"], n)
    price = rng.uniform(1, 5, n)
    target = 3 * np.nan_to_num(size, nan=10) + 5 * (colour == "red") + price + rng.normal(0, 1, n)
    frame = pd.DataFrame(
        {
            "row_id": [f"r{i:04d}" for i in range(n)],
            "size": size,
            "colour": colour,
            "price": price,
            "sales": target,
        }
    )
    train = frame.iloc[:n_train].reset_index(drop=True)
    test = frame.iloc[n_train:].drop(columns="sales").reset_index(drop=True)
    return train, test


@pytest.fixture(name="run_cli", scope="session")
def run_cli_fixture():
    """:func:`run_cli`: the CLI in a subprocess."""
    return run_cli


@pytest.fixture
def run_main(capsys, monkeypatch):
    """The CLI in this process (``main(argv)``), for the cheaper extra cases: same result shape
    as :func:`run_cli`."""
    from pseudoboost.cli import main

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)

    return run


@pytest.fixture(name="make_tables", scope="session")
def make_tables_fixture():
    """:func:`make_tables`."""
    return make_tables


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """train.csv and test.csv of :func:`make_tables` in a fresh folder."""
    train, test = make_tables()
    paths = {"dir": tmp_path, "train": tmp_path / "train.csv", "test": tmp_path / "test.csv"}
    train.to_csv(paths["train"], index=False)
    test.to_csv(paths["test"], index=False)
    return paths
