"""Row operations that keep the user's container type (ndarray, sparse matrix or DataFrame).

The meta-estimators never convert X: a DataFrame with categorical columns reaches the inner
estimator as a DataFrame, so LightGBM, XGBoost and HistGradientBoosting keep their native
categorical handling.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp


def n_rows(X: Any) -> int:
    """Number of rows of an array-like."""
    return X.shape[0] if hasattr(X, "shape") else len(X)


def take_rows(X: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` (positions) of ``X``, in the same container type."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[indices]
    if isinstance(X, list):
        return [X[i] for i in indices]
    return X[indices]


def concat_rows(top: Any, bottom: Any) -> Any:
    """Stack ``bottom`` under ``top``; categorical columns keep a categorical dtype.

    ``pd.concat`` turns two categorical columns whose categories differ into ``object``,
    which LightGBM and XGBoost then reject, so the categories are unioned first.
    """
    if isinstance(top, pd.DataFrame):
        bottom = _align_categories(top, bottom)
        top = _align_categories(bottom, top)
        return pd.concat([top, bottom], axis=0, ignore_index=True)
    if isinstance(top, pd.Series):
        return pd.concat([top, bottom], axis=0, ignore_index=True)
    if sp.issparse(top):
        return sp.vstack([top, bottom], format=top.format)
    return np.concatenate([np.asarray(top), np.asarray(bottom)], axis=0)


def concat_selected(top: Any, source: Any, indices: np.ndarray) -> Any:
    """``concat_rows(top, take_rows(source, indices))`` without the intermediate copy.

    For ndarrays the result is allocated once and the selected rows are gathered straight
    into it, which keeps peak memory at one augmented table instead of one and a half.
    """
    if (
        isinstance(top, np.ndarray)
        and isinstance(source, np.ndarray)
        and top.shape[1:] == source.shape[1:]
    ):
        n_top = top.shape[0]
        out = np.empty((n_top + indices.size, *top.shape[1:]), dtype=np.result_type(top, source))
        out[:n_top] = top
        # mode="clip" makes np.take write into `out` directly (mode="raise" buffers a copy);
        # the indices are positions the loop produced, so clipping never changes them.
        np.take(source, indices, axis=0, out=out[n_top:], mode="clip")
        return out
    return concat_rows(top, take_rows(source, indices))


def _align_categories(reference: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Give ``frame``'s categorical columns the union of both frames' categories."""
    changed = {}
    for column in reference.columns:
        ref_dtype = reference[column].dtype
        if not isinstance(ref_dtype, pd.CategoricalDtype) or column not in frame:
            continue
        own = frame[column].dtype
        own_categories = own.categories if isinstance(own, pd.CategoricalDtype) else pd.Index([])
        categories = ref_dtype.categories.union(own_categories, sort=False)
        if not isinstance(own, pd.CategoricalDtype) or not own.categories.equals(categories):
            changed[column] = frame[column].astype(
                pd.CategoricalDtype(categories, ordered=ref_dtype.ordered)
            )
    return frame.assign(**changed) if changed else frame


def concat_targets(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Stack two 1-D target arrays, upcasting to a common dtype."""
    return np.concatenate([np.asarray(top), np.asarray(bottom)], axis=0)
