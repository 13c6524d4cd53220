"""Cross-validation splitters shared by tuning and comparison, so both see the same folds."""

from __future__ import annotations

from typing import Any

from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
)


def make_cv(cv: int | Any, *, n_repeats: int = 1, task: str, random_state: int | None) -> Any:
    """Return a CV splitter: shuffled (Stratified)KFold, repeated when ``n_repeats > 1``.

    Parameters
    ----------
    cv : int or splitter
        Number of folds, or a scikit-learn splitter / iterable used as given.
    n_repeats : int, default=1
        Repetitions of the k-fold split with different shuffles.
    task : {"regression", "classification"}
        Classification gets stratified folds.
    random_state : int or None
        Seed of the shuffles.
    """
    if not isinstance(cv, int):
        return check_cv(cv)
    if cv < 2:
        raise ValueError(f"cv must be at least 2 folds, got {cv}.")
    stratified = task == "classification"
    if n_repeats > 1:
        klass = RepeatedStratifiedKFold if stratified else RepeatedKFold
        return klass(n_splits=cv, n_repeats=n_repeats, random_state=random_state)
    klass = StratifiedKFold if stratified else KFold
    return klass(n_splits=cv, shuffle=True, random_state=random_state)
