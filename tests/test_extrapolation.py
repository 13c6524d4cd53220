"""Rows to predict far outside the labelled rows' range: found, and said by tune and the CLI."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pseudoboost import tune
from pseudoboost._extrapolation import far_outside
from pseudoboost.tuning import ExtrapolationWarning


def _labelled():
    return pd.DataFrame(
        {
            "hours": [0.0, 5.0, 10.0, 2.0],
            "flag": [1.0, 1.0, 1.0, 1.0],  # constant: no range to leave
            "city": ["a", "b", "a", "c"],  # text: not compared
        }
    )


def test_rows_beyond_the_labelled_range_by_more_than_its_width_are_found():
    new = pd.DataFrame(
        {
            "hours": [20.0, 20.5, -10.5, np.nan, 3.0],  # 20 is exactly one width above
            "flag": [7.0, 1.0, 1.0, 1.0, 9.0],
            "city": ["z", "a", "a", "b", "a"],
        }
    )
    shift = far_outside(_labelled(), new)
    assert (shift.n_rows, shift.n_total) == (2, 5)
    assert (shift.column, shift.value, shift.low, shift.high) == ("hours", 20.5, 0.0, 10.0)
    assert shift.message() == (
        "2 of 5 rows to predict have a numeric feature far outside the labelled rows' range "
        "(farthest: hours = 20.5, labelled 0 to 10); their predictions are extrapolations "
        "that the CV score does not measure"
    )
    assert far_outside(_labelled(), new.iloc[[0, 3, 4]]) is None
    assert far_outside(_labelled(), new, far=2.0) is None


def test_the_farthest_value_is_reported_relative_to_its_columns_width():
    labelled = np.array([[0.0, 0.0], [1.0, 100.0]])
    # Column 1 is 400 above its range of 100 (4 widths); column 0 is 9 above its range of 1.
    shift = far_outside(labelled, np.array([[10.0, 50.0], [0.5, 500.0]]))
    assert (shift.n_rows, shift.column, shift.value) == (2, "0", 10.0)


def test_tune_warns_when_the_pool_lies_far_outside_the_labelled_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, 2.0, 0.5] + rng.normal(0, 0.1, 60)
    pool = rng.normal(size=(30, 3))
    kwargs = {"model": "ridge", "n_trials": 2, "cv": 2, "n_repeats": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtrapolationWarning)
        tune(X, y, unlabeled=pool, **kwargs)
    pool[4, 1] = 1000.0
    with pytest.warns(ExtrapolationWarning, match=r"^1 of 30 rows to predict .* = 1000, "):
        tune(X, y, unlabeled=pool, **kwargs)
