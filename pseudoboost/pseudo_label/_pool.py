"""Building the unlabelled pool: rows of X with a missing target, then ``unlabeled``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pseudoboost.pseudo_label._rows import concat_rows, n_rows, take_rows


def as_pool_like(unlabeled: Any, X: Any) -> Any:
    """Return ``unlabeled`` in the same container and column order as ``X``.

    No copy is made when ``unlabeled`` already matches (same type, same column order).

    Raises
    ------
    ValueError
        When the columns (or number of features) differ, naming the culprits.
    """
    if isinstance(X, pd.DataFrame):
        if isinstance(unlabeled, pd.DataFrame):
            missing = [c for c in X.columns if c not in unlabeled.columns]
            extra = [c for c in unlabeled.columns if c not in X.columns]
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing columns {missing}")
                if extra:
                    parts.append(f"unexpected columns {extra}")
                raise ValueError(
                    f"`unlabeled` must have the same columns as X: it has {' and '.join(parts)}. "
                    "Select X's columns in the unlabelled table (unlabeled[X.columns])."
                )
            if list(unlabeled.columns) == list(X.columns):
                return unlabeled
            return unlabeled[list(X.columns)]
        array = np.asarray(unlabeled)
        _check_width(array, X.shape[1])
        return pd.DataFrame(array, columns=X.columns).astype(X.dtypes.to_dict(), errors="ignore")
    if isinstance(unlabeled, pd.DataFrame):
        unlabeled = unlabeled.to_numpy()
    elif not hasattr(unlabeled, "shape"):
        unlabeled = np.asarray(unlabeled)
    if hasattr(X, "ndim") and X.ndim > 2:
        if tuple(unlabeled.shape[1:]) != tuple(X.shape[1:]):
            raise ValueError(
                f"`unlabeled` rows have shape {tuple(unlabeled.shape[1:])} but X rows have shape "
                f"{tuple(X.shape[1:])}: pass unlabelled samples shaped like X."
            )
        return unlabeled
    _check_width(unlabeled, X.shape[1])
    return unlabeled


def _check_width(unlabeled: Any, n_features: int) -> None:
    if unlabeled.ndim != 2 or unlabeled.shape[1] != n_features:
        got = unlabeled.shape[1] if unlabeled.ndim == 2 else f"shape {unlabeled.shape}"
        raise ValueError(
            f"`unlabeled` has {got} features but X has {n_features}: pass unlabelled rows with "
            "the same columns as X."
        )


def build_pool(X: Any, unlabeled_rows: np.ndarray, unlabeled: Any) -> Any | None:
    """The pool: rows of ``X`` at ``unlabeled_rows`` followed by ``unlabeled``.

    Returns None when both are empty. ``unlabeled`` is used as is (no copy) when X has no
    unlabelled rows.
    """
    from_x = take_rows(X, unlabeled_rows) if unlabeled_rows.size else None
    extra = as_pool_like(unlabeled, X) if unlabeled is not None else None
    if extra is not None and n_rows(extra) == 0:
        extra = None
    if from_x is None:
        return extra
    if extra is None:
        return from_x
    return concat_rows(from_x, extra)
