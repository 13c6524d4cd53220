"""``infer_task``: one rule for the task of a target, used by tune, compare and the CLI."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from pseudoboost.pseudo_label._targets import UNLABELED

#: The most distinct integer values a numeric target may hold and still be read as classes.
MAX_CLASSES = 20


def infer_task(y: Any) -> str:
    """``"regression"`` or ``"classification"``, guessed from the targets.

    One rule, shared by :func:`pseudoboost.tune`, :func:`pseudoboost.compare` and the
    ``pseudoboost`` command line, so that the same target gets the same task everywhere:

    1. Text, booleans, categorical dtypes and other non-numeric values: classification
       (``None`` and NaN among them mark unlabelled rows).
    2. A missing value (NaN, ``None``) among numbers: regression, whose unlabelled marker it
       is (classification marks unlabelled rows with ``-1``).
    3. A number that is not a whole number (2.5): regression.
    4. Whole numbers, integer or float (a rating 1.0 to 5.0), leaving out the ``-1`` that
       marks unlabelled rows: classification when they take at most ``MAX_CLASSES`` (20)
       distinct values, regression when they take more (sales counts).

    So ``-1`` in a few-valued whole-number target is the unlabelled marker, never a class,
    and a float target such as ``[1.0, 3.0, -1.0, 5.0]`` is a classification with a pool.
    The rule is a guess: pass ``task=`` (``--task`` on the command line) when it guesses
    wrong, e.g. for a count with few values or a class code with more than 20.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Targets, labelled and unlabelled.

    Returns
    -------
    {"regression", "classification"}

    Examples
    --------
    >>> from pseudoboost.tuning import infer_task
    >>> infer_task([2.5, 3.1, 0.7])
    'regression'
    >>> infer_task([1.0, 5.0, 3.0, -1.0])
    'classification'
    >>> infer_task(range(100))
    'regression'
    >>> infer_task(["cat", "dog", None])
    'classification'
    """
    if isinstance(y, (pd.Series, pd.Index)) and isinstance(y.dtype, pd.CategoricalDtype):
        return "classification"
    values = _numeric_values(y)
    if values is None:
        return "classification"
    if np.isnan(values).any():
        return "regression"
    if not np.all(values == np.round(values)):
        return "regression"
    labelled = values[values != UNLABELED]
    return "classification" if np.unique(labelled).size <= MAX_CLASSES else "regression"


def _numeric_values(y: Any) -> np.ndarray | None:
    """``y`` as floats (NaN for a missing value), or None when it holds anything but numbers."""
    if isinstance(y, (pd.Series, pd.Index, pd.DataFrame)):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel()
    if y.dtype.kind in "iuf":
        return y.astype(float)
    if y.dtype.kind != "O":
        return None  # text, booleans, dates
    values = np.empty(y.shape[0], dtype=float)
    for i, value in enumerate(y):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            values[i] = np.nan
        elif isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            values[i] = float(value)
        else:
            return None
    if np.isnan(values).all():
        return None  # nothing but missing values says nothing about the task
    return values
