"""One infer_task: the same target gets the same task in tune, compare and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pseudoboost.tuning
from pseudoboost import compare
from pseudoboost._task import MAX_CLASSES, infer_task
from pseudoboost.cli import _data
from pseudoboost.tuning import _tune

rng = np.random.default_rng(0)
N = 150
SALES = rng.permutation(np.arange(N) % 100)  # integer counts, 100 distinct values
RATING = rng.integers(1, 6, N).astype(float)  # 1.0 .. 5.0
RATING_POOL = np.where(np.arange(N) % 5 == 0, -1.0, RATING)  # -1.0 marks unlabelled rows
PRICES = rng.uniform(1, 100, N).round(2)
PRICES_POOL = np.where(np.arange(N) % 5 == 0, np.nan, PRICES)
WORDS = rng.choice(["cat", "dog", "owl"], N).astype(object)
FLAGS = rng.random(N) < 0.5

CASES = [
    ("sales counts", SALES, "regression"),
    ("a float rating", RATING, "classification"),
    ("a float rating with -1.0 for unlabelled rows", RATING_POOL, "classification"),
    ("prices", PRICES, "regression"),
    ("prices with NaN for unlabelled rows", PRICES_POOL, "regression"),
    ("integer classes", np.arange(N) % 3, "classification"),
    (
        "integer classes with -1",
        np.where(np.arange(N) % 4 == 0, -1, np.arange(N) % 3),
        "classification",
    ),
    ("strings", WORDS, "classification"),
    ("strings with None", np.where(np.arange(N) % 5 == 0, None, WORDS), "classification"),
    ("booleans", FLAGS, "classification"),
]


@pytest.mark.parametrize(("name", "y", "task"), CASES, ids=[c[0] for c in CASES])
def test_infer_task(name, y, task):
    assert infer_task(y) == task
    assert infer_task(list(y)) == task
    assert infer_task(pd.Series(y)) == task


def test_the_class_bound():
    whole = np.arange(MAX_CLASSES, dtype=float)
    assert infer_task(whole) == "classification"
    assert infer_task(np.append(whole, MAX_CLASSES)) == "regression"
    assert infer_task(np.append(whole, -1.0)) == "classification"  # -1 is no class
    assert infer_task(pd.Series(["a", "b"], dtype="category")) == "classification"
    assert infer_task(pd.Series([1, 2, None], dtype="Int64")) == "regression"


def test_tune_uses_the_shared_rule():
    assert _tune.infer_task is infer_task
    assert pseudoboost.tuning.infer_task is infer_task


def _compare_task(y):
    X = np.column_stack([np.arange(N), np.arange(N) % 7]).astype(float)
    model = "knn"  # a name: the target decides the task
    summary = compare(X, y, models=model, sample_rates=(0,), cv=2, n_repeats=1)
    return summary.attrs["task"]


def _cli_task(y):
    train = pd.DataFrame({"x": np.arange(N), "target": y})
    y_column = train["target"]
    if y_column.dtype == object:
        train["target"] = y_column.where(y_column.notna(), None)
    test = pd.DataFrame({"x": np.arange(10)})
    return _data.prepare(train, test, {}, target="target").task


@pytest.mark.parametrize(("name", "y", "task"), CASES, ids=[c[0] for c in CASES])
def test_compare_and_cli_agree_with_infer_task(name, y, task):
    assert _compare_task(y) == task
    assert _cli_task(y) == task


def test_minus_one_is_never_a_real_target_in_compare():
    summary = compare(
        np.arange(N, dtype=float)[:, None],
        RATING_POOL,
        models="knn",
        sample_rates=(0, 1.0),
        cv=2,
        n_repeats=1,
    )
    # the 30 rows marked -1.0 are the pool of every fold, not a sixth class
    assert summary.attrs["task"] == "classification"
    assert summary.attrs["n_train"] + summary.attrs["n_test"] == N - 30
    assert summary["n_pseudo_mean"].tolist()[1] == 30


def test_minus_one_is_never_a_class_in_the_cli():
    train = pd.DataFrame({"x": np.arange(N), "rating": RATING_POOL})
    inputs = _data.prepare(train, pd.DataFrame({"x": [1]}), {}, target="rating")
    assert inputs.task == "classification"
    assert inputs.classes == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert (inputs.y == -1).sum() == 30


def test_estimators_decide_the_task_in_compare():
    from sklearn.linear_model import Ridge

    X = np.arange(N, dtype=float)[:, None]
    summary = compare(X, RATING, models=[Ridge()], sample_rates=(0,), cv=2, n_repeats=1)
    assert summary.attrs["task"] == "regression"
