"""Which targets mark a row as unlabelled: one rule for the estimators, tuning and comparison."""

from __future__ import annotations

from typing import Any

import numpy as np

#: Class label of an unlabelled row (scikit-learn's semi-supervised convention).
UNLABELED = -1


def unlabeled_mask(y: Any, task: str) -> np.ndarray:
    """Boolean mask of unlabelled rows: NaN targets in regression, ``-1`` in classification.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Targets.
    task : {"regression", "classification"}
        The learning task.

    Returns
    -------
    ndarray of bool, shape (n_samples,)
    """
    y = np.asarray(y)
    if task == "regression":
        return np.isnan(y) if y.dtype.kind == "f" else np.zeros(y.shape[0], dtype=bool)
    if y.dtype.kind in "iuf":
        return y == UNLABELED
    if y.dtype.kind == "O":
        return np.array([isinstance(v, (int, float)) and v == UNLABELED for v in y], dtype=bool)
    return np.zeros(y.shape[0], dtype=bool)
