"""Where pseudo-labels come from, shared by every regression selection rule.

- :func:`n_to_select`: how many rows a round takes (``round(sample_rate * n_pool)``).
- :func:`fold_predictions`: K clones of an estimator fitted on the K-fold training subsets of
  the labelled rows (the "fold teachers"), with their predictions on new rows and their
  out-of-fold predictions on the labelled rows.
- :func:`pseudo_labels`: the targets given to chosen candidates, by ``label_source``: the
  round's labeller (the fitted ``teacher_``, else the round's model) or the mean of the fold
  teachers.

The selection modules (``_confidence``, ``_coreg``) and the estimators import from here, and
this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold

from pseudoboost.pseudo_label._base import SelectionContext
from pseudoboost.pseudo_label._rows import n_rows, take_rows


def n_to_select(sample_rate: float, n_pool: int, n_candidates: int) -> int:
    """``round(sample_rate * n_pool)`` rows, at most the candidates left."""
    return int(min(round(sample_rate * n_pool), n_candidates))


def subset_fit_params(fit_params: dict, n_samples: int, indices: np.ndarray) -> dict:
    """Fit parameters for a subset of the labelled rows: sample weights are indexed.

    Sample weights (``sample_weight``, or a Pipeline's ``<step>__sample_weight``) are the only
    parameters aligned with the rows; the others (``eval_set``, ``eval_X``, callbacks) pass
    unchanged, even when they happen to have ``n_samples`` rows.
    """
    subset = {}
    for key, value in fit_params.items():
        is_weight = key == "sample_weight" or key.endswith("__sample_weight")
        if is_weight and value is not None and n_rows(value) == n_samples:
            subset[key] = take_rows(value, indices)
        else:
            subset[key] = value
    return subset


def fold_predictions(
    estimator: Any,
    X_labeled: Any,
    y_labeled: np.ndarray,
    X: Any | None,
    n_teachers: int,
    rng: np.random.RandomState,
    fit_params: dict | None = None,
    *,
    out_of_fold: bool = False,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Fit ``n_teachers`` clones of ``estimator`` on K-fold subsets of the labelled rows.

    Teacher ``k`` is fitted on the labelled rows outside fold ``k`` of a shuffled K-fold split
    (K = ``n_teachers``, its seed drawn from ``rng``); sample weights are subset with the
    rows, other fit parameters pass unchanged (see :func:`subset_fit_params`).

    Parameters
    ----------
    estimator : regressor
        Unfitted prototype, cloned for each fold.
    X_labeled, y_labeled : array-like
        The labelled rows.
    X : array-like or None
        Rows every teacher predicts; None for none.
    n_teachers : int
        Number of folds and teachers.
    rng : numpy.random.RandomState
        Draws the folds' seed (one draw).
    fit_params : dict, default=None
        Fit parameters of the labelled rows.
    out_of_fold : bool, default=False
        Also return each labelled row's prediction by the teacher that did not see it.

    Returns
    -------
    predictions : ndarray of shape (n_teachers, n_samples) or None
        Predictions on ``X`` (None when ``X`` is None).
    oof : ndarray of shape (n_labeled,) or None
        Out-of-fold predictions on the labelled rows (None unless ``out_of_fold``).

    Raises
    ------
    ValueError
        When there are fewer labelled rows than teachers.
    """
    n_labeled = n_rows(X_labeled)
    if n_labeled < n_teachers:
        raise ValueError(
            f"Teachers are fitted on n_teachers={n_teachers} folds of the labelled rows, which "
            f"needs at least {n_teachers} labelled rows, got {n_labeled}: lower n_teachers or "
            "label more rows."
        )
    fit_params = fit_params or {}
    seed = rng.randint(np.iinfo(np.int32).max)
    folds = KFold(n_splits=n_teachers, shuffle=True, random_state=seed)
    predictions = []
    oof = np.empty(n_labeled, dtype=float) if out_of_fold else None
    for train, test in folds.split(np.zeros((n_labeled, 1))):
        teacher = clone(estimator).fit(
            take_rows(X_labeled, train),
            y_labeled[train],
            **subset_fit_params(fit_params, n_labeled, train),
        )
        if X is not None:
            predictions.append(np.asarray(teacher.predict(X), dtype=float).reshape(-1))
        if oof is not None:
            oof[test] = np.asarray(teacher.predict(take_rows(X_labeled, test)), dtype=float)
    return (np.stack(predictions) if X is not None else None), oof


def teacher_predictions(
    estimator: Any,
    X_labeled: Any,
    y_labeled: np.ndarray,
    X: Any,
    n_teachers: int,
    rng: np.random.RandomState,
    fit_params: dict | None = None,
) -> np.ndarray:
    """Predictions on ``X`` of ``n_teachers`` clones of ``estimator`` fitted on K-fold subsets.

    See :func:`fold_predictions`.

    Returns
    -------
    ndarray of shape (n_teachers, n_samples)
    """
    predictions, _ = fold_predictions(
        estimator, X_labeled, y_labeled, X, n_teachers, rng, fit_params
    )
    return predictions


def teacher_source(estimator: Any, context: SelectionContext) -> tuple[Any, dict]:
    """The unfitted labeller to clone for fold teachers, and its labelled rows' fit parameters.

    The ``teacher`` when the fit has one (with the teacher's own fit parameters), else the
    ``estimator`` (with the student's).
    """
    if context.teacher is not None:
        return estimator.teacher, context.teacher_fit_params
    return estimator.estimator, context.fit_params


def context_teachers(
    estimator: Any, context: SelectionContext, X: Any, *, out_of_fold: bool = False
) -> Any:
    """:func:`fold_predictions` of the round's labeller on ``X`` for a PseudoLabelRegressor.

    Returns the predictions only, or ``(predictions, oof)`` with ``out_of_fold=True``.
    """
    source, fit_params = teacher_source(estimator, context)
    predictions, oof = fold_predictions(
        source,
        context.X_labeled,
        context.y_labeled,
        X,
        estimator.n_teachers,
        context.rng,
        fit_params,
        out_of_fold=out_of_fold,
    )
    return (predictions, oof) if out_of_fold else predictions


def predict_candidates(
    context: SelectionContext, positions: np.ndarray | None = None
) -> np.ndarray:
    """The round's labeller's predictions on the candidates (all, or those at ``positions``)."""
    rows = context.candidates if positions is None else take_rows(context.candidates, positions)
    return np.asarray(context.labeller.predict(rows), dtype=float).reshape(-1)


def pseudo_labels(
    estimator: Any,
    context: SelectionContext,
    positions: np.ndarray,
    teachers: np.ndarray | None = None,
) -> np.ndarray:
    """Targets for the candidates at ``positions``, by ``estimator.label_source``.

    ``"model"``: the round's labeller predicts them (``teacher_`` when there is one, else the
    round's model). ``"teachers"``: the mean of the fold teachers (``teachers``, their
    predictions on all candidates, when already computed).
    """
    if positions.size == 0:
        return np.empty(0, dtype=float)
    if estimator.label_source == "teachers":
        if teachers is None:
            teachers = context_teachers(
                estimator, context, take_rows(context.candidates, positions)
            )
            return teachers.mean(axis=0)
        return teachers[:, positions].mean(axis=0)
    return predict_candidates(context, positions)
