"""Rows far outside the labelled rows' feature range: where predictions are extrapolations.

A cross-validation estimate is measured on rows like the labelled ones. New rows whose
numeric features lie far outside that range get predictions no fold ever checked: on UCI
skillcraft one test row, 110 times the largest labelled value of a feature, cost a search 22%
of its hold-out RMSE while its CV estimate looked fine (benchmarks/RESULTS.md). This module
finds such rows so that ``tune``, ``pseudoboost tune`` and ``pseudoboost predict`` (whose
saved model keeps the labelled range) can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

FAR = 1.0  # beyond the labelled range by more than this many times its width


class ExtrapolationWarning(UserWarning):
    """Rows to predict lie far outside the labelled rows' feature range."""


@dataclass(frozen=True)
class Extrapolation:
    """New rows far outside the labelled range, and the farthest value among them."""

    n_rows: int
    n_total: int
    column: str
    value: float
    low: float
    high: float

    def message(self) -> str:
        """One line for the user."""
        return (
            f"{self.n_rows} of {self.n_total} rows to predict have a numeric feature far outside "
            f"the labelled rows' range (farthest: {self.column} = {self.value:.6g}, labelled "
            f"{self.low:.6g} to {self.high:.6g}); their predictions are extrapolations that "
            "the CV score does not measure"
        )


def feature_range(X_labelled: Any) -> dict[Any, tuple[float, float]]:
    """The (min, max) of each numeric column of ``X_labelled`` that is not constant, keyed by
    column label (position for an array); missing values are ignored. A constant column has
    no range to leave. What :func:`beyond_range` compares new rows with, and what a saved
    model keeps to check the rows it is asked to predict.

    Examples
    --------
    >>> feature_range(np.array([[0.0, 2.0], [1.0, 2.0]]))
    {0: (0.0, 1.0)}
    """
    labelled = _numeric(X_labelled)
    if labelled is None:
        return {}
    low, high = labelled.min(), labelled.max()
    return {c: (float(low[c]), float(high[c])) for c in labelled.columns if high[c] > low[c]}


def far_outside(X_labelled: Any, X_new: Any, far: float = FAR) -> Extrapolation | None:
    """The rows of ``X_new`` with a numeric feature beyond the range of ``X_labelled`` by more
    than ``far`` times that range's width (None when there are none): :func:`beyond_range`
    of :func:`feature_range`.

    Parameters
    ----------
    X_labelled, X_new : array-like or DataFrame with the same columns
        Only numeric columns are compared; missing values are ignored.
    far : float, default=FAR

    Returns
    -------
    Extrapolation or None

    Examples
    --------
    >>> import numpy as np
    >>> far_outside(np.array([[0.0], [1.0]]), np.array([[0.5], [3.5]])).n_rows
    1
    >>> far_outside(np.array([[0.0], [1.0]]), np.array([[1.9]])) is None
    True
    """
    return beyond_range(feature_range(X_labelled), X_new, far)


def beyond_range(
    ranges: dict[Any, tuple[float, float]], X_new: Any, far: float = FAR
) -> Extrapolation | None:
    """The rows of ``X_new`` with a numeric feature beyond its ``ranges`` entry (from
    :func:`feature_range`) by more than ``far`` times that range's width; None when there
    are none. Columns without an entry are left out."""
    new = _numeric(X_new)
    if new is None or len(new) == 0:
        return None
    columns = set(new.columns)
    shared = [c for c in ranges if c in columns]
    if not shared:
        return None
    low = pd.Series({c: ranges[c][0] for c in shared}, dtype=float)
    high = pd.Series({c: ranges[c][1] for c in shared}, dtype=float)
    new = new[shared]
    # How far each value lies beyond the labelled range, in widths of it (0 inside, NaN kept).
    widths = (new - high).where(new > high, (low - new).clip(lower=0.0)) / (high - low)
    rows = (widths > far).any(axis=1)
    if not rows.any():
        return None
    row, column = widths.stack().idxmax()
    return Extrapolation(
        n_rows=int(rows.sum()),
        n_total=len(new),
        column=str(column),
        value=float(new.at[row, column]),
        low=float(low[column]),
        high=float(high[column]),
    )


def _numeric(X: Any) -> pd.DataFrame | None:
    """The numeric columns of ``X`` as floats, positions as labels (None when there are none)."""
    if hasattr(X, "toarray"):  # sparse: left alone (densifying it could take the memory)
        return None
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if frame.ndim != 2:
        return None
    numeric = frame.select_dtypes(include="number")  # not text, categories or booleans
    if numeric.shape[1] == 0:
        return None
    return numeric.astype(float).reset_index(drop=True)
