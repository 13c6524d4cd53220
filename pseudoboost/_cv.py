"""Cross-validation shared by tuning and comparison: the splitters, so both see the same
folds, and the fit-and-score step of one fold, so both score a fold the same way."""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
)

from pseudoboost.pseudo_label._rows import take_rows


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_n_repeats(n_repeats: Any) -> int:
    """``n_repeats`` as an int, or the ValueError ``tune`` and ``compare`` both raise."""
    if not _is_integer(n_repeats) or n_repeats < 1:
        raise ValueError(
            f"n_repeats must be a positive integer (1 = a single k-fold split), got {n_repeats!r}."
        )
    return int(n_repeats)


def make_cv(cv: int | Any, *, n_repeats: int = 1, task: str, random_state: int | None) -> Any:
    """Return a CV splitter: shuffled (Stratified)KFold, repeated when ``n_repeats > 1``.

    Parameters
    ----------
    cv : int or splitter
        Number of folds (any integer type, e.g. ``np.int64``; not a bool), or a
        scikit-learn splitter / iterable of splits used as given.
    n_repeats : int, default=1
        Repetitions of an integer ``cv`` with different shuffles. A splitter brings its own
        repeats, so ``n_repeats > 1`` with a splitter is an error rather than ignored.
    task : {"regression", "classification"}
        Classification gets stratified folds.
    random_state : int or None
        Seed of the shuffles.

    Raises
    ------
    ValueError
        For ``n_repeats`` that is not a positive integer, ``cv`` below 2 folds or a bool,
        and ``n_repeats > 1`` with a splitter.

    Examples
    --------
    >>> import numpy as np
    >>> from pseudoboost._cv import make_cv
    >>> make_cv(np.int64(3), task="regression", random_state=0)
    KFold(n_splits=3, random_state=0, shuffle=True)
    """
    n_repeats = check_n_repeats(n_repeats)
    if isinstance(cv, bool):
        raise ValueError(f"cv must be a number of folds (at least 2) or a splitter, got {cv!r}.")
    if not _is_integer(cv):
        if n_repeats > 1:
            raise ValueError(
                f"n_repeats={n_repeats} repeats an integer cv; a splitter is used as given "
                f"({cv!r}): leave n_repeats at 1 or give the repeats to the splitter, e.g. "
                "RepeatedKFold(n_splits=5, n_repeats=3)."
            )
        return check_cv(cv)
    cv = int(cv)
    if cv < 2:
        raise ValueError(f"cv must be at least 2 folds, got {cv}.")
    stratified = task == "classification"
    if n_repeats > 1:
        klass = RepeatedStratifiedKFold if stratified else RepeatedKFold
        return klass(n_splits=cv, n_repeats=n_repeats, random_state=random_state)
    klass = StratifiedKFold if stratified else KFold
    return klass(n_splits=cv, shuffle=True, random_state=random_state)


@dataclass
class FoldFit:
    """One fold's fitted clone and what ``tune`` and ``compare`` read from it."""

    estimator: Any
    X_test: Any
    score: float
    n_pseudo: int
    seconds: float


def fit_fold(
    estimator: Any, X: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray, metric: Any
) -> FoldFit:
    """Fit a clone of ``estimator`` on the ``train`` rows and score it on the ``test`` rows.

    Parameters
    ----------
    estimator : estimator
        Unfitted; it is cloned, so the caller's object is never fitted.
    X : array-like or DataFrame
    y : ndarray
    train, test : ndarray of int
        Row positions.
    metric : pseudoboost._scoring.Metric
        Scores in its natural sign.

    Returns
    -------
    FoldFit
        ``n_pseudo`` is the pseudo-labelled rows of the final model (of the
        pseudo-labelling estimator itself or, for a wrapper such as a label encoder, of the
        estimator it wraps); ``seconds`` the time of ``fit``.
    """
    fitted = clone(estimator)
    start = time.perf_counter()
    fitted.fit(take_rows(X, train), y[train])
    seconds = time.perf_counter() - start
    X_test = take_rows(X, test)
    score = metric.score(fitted, X_test, y[test])
    inner = fitted if hasattr(fitted, "n_pseudo_") else getattr(fitted, "estimator_", None)
    return FoldFit(fitted, X_test, score, int(getattr(inner, "n_pseudo_", 0)), seconds)
