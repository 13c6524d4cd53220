"""Caruana et al. (2004) ensemble selection over out-of-fold predictions.

Greedy forward selection with replacement: start from the best single model, then add, one
at a time, the model that most lowers the loss of the running average. The weights are the
selection counts, normalised. This is the "ensemble selection from libraries of models" of
Caruana, Niculescu-Mizil, Crew and Ksikes (ICML 2004), which AutoGluon uses for its
WeightedEnsemble.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.metrics import log_loss, root_mean_squared_error
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

Loss = Callable[[np.ndarray, np.ndarray], float]


def _check_predictions(predictions: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``predictions`` as a float array of 2 or 3 dimensions and ``y`` aligned with it."""
    predictions = np.asarray(predictions, dtype=float)
    if predictions.ndim not in (2, 3):
        raise ValueError(
            "predictions must have shape (n_models, n_samples) for regression or "
            "(n_models, n_samples, n_classes) for class probabilities; got an array of "
            f"shape {predictions.shape}."
        )
    if predictions.shape[0] == 0:
        raise ValueError("predictions must hold at least one model; got 0.")
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != predictions.shape[1]:
        raise ValueError(
            f"y must have shape (n_samples,) = ({predictions.shape[1]},) to match "
            f"predictions of shape {predictions.shape}; got shape {y.shape}."
        )
    return predictions, y


def _usable_rows(predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of rows predicted by every model (no NaN) and with a known (non-NaN) target."""
    finite = ~np.isnan(predictions).reshape(predictions.shape[0], predictions.shape[1], -1)
    usable = finite.all(axis=(0, 2))
    if y.dtype.kind == "f":
        usable &= ~np.isnan(y)
    return usable


def _default_loss(predictions: np.ndarray, y: np.ndarray) -> Loss:
    """RMSE for 2-D predictions; log-loss over the probability columns for 3-D ones."""
    if predictions.ndim == 2:
        return root_mean_squared_error
    n_classes = predictions.shape[2]
    classes = np.unique(y)
    if classes.shape[0] == n_classes:
        labels = classes
    elif classes.dtype.kind in "iu" and classes.min() >= 0 and classes.max() < n_classes:
        labels = np.arange(n_classes)
    else:
        raise ValueError(
            f"Cannot match the {n_classes} probability columns to the {classes.shape[0]} "
            "classes found in y: give y as the column index of each row's class, or pass "
            "an explicit loss."
        )
    return partial(log_loss, labels=labels)


def _blend(weights: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Weighted average over the first axis (the models)."""
    return np.tensordot(weights, predictions, axes=1)


def _select(
    predictions: np.ndarray,
    y: np.ndarray,
    loss: Loss,
    n_iter: int,
    random_state: Any,
    costs: np.ndarray | None = None,
    max_cost: float | None = None,
) -> np.ndarray:
    """The greedy loop on clean rows; returns the weights."""
    n_models = predictions.shape[0]
    rng = None if random_state is None else check_random_state(random_state)
    chosen_set = np.zeros(n_models, dtype=bool)

    def affordable() -> np.ndarray:
        """Models already in the ensemble, or whose cost still fits ``max_cost``."""
        if costs is None or max_cost is None:
            return np.ones(n_models, dtype=bool)
        fits = chosen_set | (costs[chosen_set].sum() + costs <= max_cost)
        if not fits.any():  # nothing fits: the cheapest model alone
            fits[np.argmin(costs)] = True
        return fits

    def pick(losses: np.ndarray) -> int:
        losses = np.where(np.isnan(losses), np.inf, losses)
        if rng is None:
            return int(np.argmin(losses))  # the lowest index among equal losses
        return int(rng.choice(np.flatnonzero(losses == losses.min())))

    # Caruana et al.'s step 4: of the nested ensembles built along the way, keep the one with
    # the lowest loss on the selection rows (the shortest among equals).
    history = np.empty(n_iter, dtype=np.intp)
    running_sum = np.zeros_like(predictions[0])
    best_loss, best_size = np.inf, 1
    for step in range(n_iter):
        eligible = affordable()
        candidate_losses = np.array(
            [
                float(loss(y, (running_sum + predictions[j]) / (step + 1)))
                if eligible[j]
                else np.inf
                for j in range(n_models)
            ]
        )
        chosen = pick(candidate_losses)
        chosen_set[chosen] = True
        history[step] = chosen
        running_sum += predictions[chosen]
        if candidate_losses[chosen] < best_loss:
            best_loss, best_size = candidate_losses[chosen], step + 1
    counts = np.bincount(history[:best_size], minlength=n_models)
    return counts / best_size


@validate_params(
    {
        "predictions": ["array-like"],
        "y": ["array-like"],
        "loss": [callable, None],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "costs": ["array-like", None],
        "max_cost": [Interval(Real, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def ensemble_selection(
    predictions: Any,
    y: Any,
    *,
    loss: Loss | None = None,
    n_iter: int = 25,
    random_state: Any = None,
    costs: Any = None,
    max_cost: float | None = None,
) -> np.ndarray:
    """Choose ensemble weights by greedy forward selection with replacement (Caruana et al.).

    Start from the model with the lowest loss; then, ``n_iter - 1`` times, add the model
    (possibly one already chosen) whose addition gives the running average the lowest loss.
    As in the paper, the ensemble returned is the best of the nested ensembles built along
    the way (the shortest among equals), so on the rows it was chosen on its loss is never
    worse than the best single model's. Each model's weight is the number of times it was
    chosen divided by the size of that ensemble.

    The weights are chosen on the same predictions they are judged on, so the loss of the
    weighted average on these rows is an optimistic estimate of its loss on new data; use
    :func:`nested_ensemble_scores` for an honest one.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples) or (n_models, n_samples, n_classes)
        Out-of-fold predictions of each model: regression values, or class probabilities.
        NaN marks a row a model did not predict (a row in no test fold).
    y : array-like of shape (n_samples,)
        Targets. With probabilities, either the class labels (whose sorted values match the
        columns, as a classifier's ``classes_``) or each row's column index.
    loss : callable, default=None
        ``loss(y_true, y_pred) -> float``, lower is better; ``y_pred`` has the shape of one
        model's predictions on the usable rows. None: root mean squared error for
        regression, log-loss for probabilities.
    n_iter : int >= 1, default=25
        Number of selection steps (the largest ensemble, counting repeats).
    random_state : int, RandomState instance or None, default=None
        How ties between models with the same loss are broken. None (unlike most
        scikit-learn functions, this does not mean the global random state): the model with
        the lowest index wins, so the result is deterministic. A seed or RandomState: one of
        the tied models is drawn at random (AutoGluon's rule), reproducible for a fixed seed.
    costs : array-like of shape (n_models,), default=None
        What including each model costs (e.g. the seconds to refit it), counted once per
        model however often it is chosen.
    max_cost : float >= 0, default=None
        With ``costs``: a model may join only while the summed cost of the distinct models
        chosen stays at most ``max_cost`` (when no model fits, the cheapest is used alone).
        None: no limit.

    Returns
    -------
    weights : ndarray of shape (n_models,)
        Non-negative weights that sum to one; a model never chosen gets 0.

    Raises
    ------
    ValueError
        If the shapes do not match, or no row is predicted by every model.

    See Also
    --------
    nested_ensemble_scores : a cross-validated score of the selected ensemble.
    WeightedEnsembleRegressor : fit the members and predict with these weights.

    Notes
    -----
    Rows where any model's prediction is NaN, and rows whose target is NaN, are ignored.

    References
    ----------
    R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble selection from
    libraries of models", ICML 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from pseudoboost.ensemble import ensemble_selection
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> predictions = np.array([y + 1.0, y - 1.0, np.full(4, 1.5)])
    >>> ensemble_selection(predictions, y, n_iter=10)
    array([0.5, 0.5, 0. ])
    """
    predictions, y = _check_predictions(predictions, y)
    usable = _usable_rows(predictions, y)
    if not usable.any():
        raise ValueError(
            "No row is predicted by every model: each row has a NaN prediction or target."
        )
    predictions, y = predictions[:, usable], y[usable]
    if loss is None:
        loss = _default_loss(predictions, y)
    if costs is not None:
        costs = np.asarray(costs, dtype=float)
        if costs.shape != (predictions.shape[0],) or not np.all(costs >= 0):
            raise ValueError(
                f"costs must be {predictions.shape[0]} non-negative numbers, one per model; "
                f"got {costs!r}."
            )
    return _select(predictions, y, loss, n_iter, random_state, costs, max_cost)


def _check_folds(folds: Iterable[Any], n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``folds`` as a list of (train, test) integer index arrays within ``range(n_samples)``."""
    checked = []
    for k, fold in enumerate(folds):
        try:
            train, test = fold
        except (TypeError, ValueError):
            raise ValueError(
                f"Each fold must be a (train_indices, test_indices) pair; fold {k} is not."
            ) from None
        train, test = np.asarray(train), np.asarray(test)
        for name, idx in (("train", train), ("test", test)):
            if idx.ndim != 1 or idx.shape[0] == 0 or idx.dtype.kind not in "iu":
                raise ValueError(
                    f"The {name} indices of fold {k} must be a non-empty 1-D array of "
                    f"integers; got {idx!r}."
                )
            if idx.min() < 0 or idx.max() >= n_samples:
                raise ValueError(
                    f"The {name} indices of fold {k} must lie in [0, {n_samples}); got "
                    f"values from {idx.min()} to {idx.max()}."
                )
        checked.append((train, test))
    if not checked:
        raise ValueError("folds must hold at least one (train, test) pair; got none.")
    return checked


@validate_params(
    {
        "predictions": ["array-like"],
        "y": ["array-like"],
        "folds": "no_validation",
        "score": [callable],
        "loss": [callable, None],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def nested_ensemble_scores(
    predictions: Any,
    y: Any,
    folds: Iterable[tuple[Any, Any]],
    *,
    score: Callable[[np.ndarray, np.ndarray], float],
    loss: Loss | None = None,
    n_iter: int = 25,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-validated scores of ensemble selection, with the weights chosen inside each fold.

    Scoring the weighted average of the out-of-fold predictions with weights chosen on those
    same predictions is optimistic: the selection has seen the targets it is scored on (the
    more models and steps, the more it can overfit them). Here, for each fold, the weights
    are chosen by :func:`ensemble_selection` on the out-of-fold predictions of the fold's
    training rows only (for K-fold: every row not in its test rows), and the weighted
    prediction is scored on its test rows, which the selection did not see.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples) or (n_models, n_samples, n_classes)
        Out-of-fold predictions of each model, made with these ``folds``: regression values
        or class probabilities. NaN marks a row that is in no test fold.
    y : array-like of shape (n_samples,)
        Targets (see :func:`ensemble_selection`).
    folds : iterable of (train_indices, test_indices)
        The folds the out-of-fold predictions were made with, as integer row positions,
        for example ``list(KFold(5).split(X))``.
    score : callable
        ``score(y_true, y_pred) -> float`` computed on each fold's test rows, in whatever
        orientation the caller wants (it is only reported, never optimised).
    loss : callable, default=None
        The loss the selection minimises (see :func:`ensemble_selection`). None: RMSE for
        regression, log-loss for probabilities (with the classes of all of ``y``).
    n_iter : int >= 1, default=25
        Number of selection steps.
    random_state : int, RandomState instance or None, default=None
        Tie-breaking of the selection (see :func:`ensemble_selection`).

    Returns
    -------
    scores : ndarray of shape (n_folds,)
        The score of each fold's ensemble on that fold's test rows.
    weights : ndarray of shape (n_models,)
        The weights chosen on all rows, the ones to use for the final ensemble.

    Raises
    ------
    ValueError
        If a fold's test rows have a NaN prediction or target, or its training rows have
        none usable.

    See Also
    --------
    ensemble_selection : the selection run in each fold.

    Notes
    -----
    The nesting covers the choice of weights, not the models: the out-of-fold prediction of
    a training row of fold ``k`` was made by a model that was fitted on rows that include
    fold ``k``'s test rows. Removing that (small) remaining optimism would need the base
    models refitted inside each fold.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import mean_absolute_error
    >>> from sklearn.model_selection import KFold
    >>> from pseudoboost.ensemble import nested_ensemble_scores
    >>> rng = np.random.RandomState(0)
    >>> y = rng.normal(size=40)
    >>> predictions = np.stack([y + rng.normal(scale=s, size=40) for s in (0.5, 0.5, 2.0)])
    >>> scores, weights = nested_ensemble_scores(
    ...     predictions, y, list(KFold(4).split(y)), score=mean_absolute_error
    ... )
    >>> scores.round(2), weights
    (array([0.32, 0.21, 0.3 , 0.17]), array([0.52, 0.44, 0.04]))
    """
    predictions, y = _check_predictions(predictions, y)
    folds = _check_folds(folds, predictions.shape[1])
    usable = _usable_rows(predictions, y)
    if loss is None and usable.any():
        # One loss for every fold, so the classes of the log-loss do not vary with the fold.
        loss = _default_loss(predictions[:, usable], y[usable])

    scores = np.empty(len(folds))
    for k, (train, test) in enumerate(folds):
        if not usable[test].all():
            raise ValueError(
                f"Fold {k} has test rows with a NaN prediction or target: the predictions "
                "must be the out-of-fold predictions made with these folds."
            )
        selection_rows = train[usable[train]]
        if selection_rows.shape[0] == 0:
            raise ValueError(f"Fold {k} has no training row with a usable prediction.")
        weights = _select(
            predictions[:, selection_rows], y[selection_rows], loss, n_iter, random_state
        )
        scores[k] = float(score(y[test], _blend(weights, predictions[:, test])))

    weights = ensemble_selection(
        predictions, y, loss=loss, n_iter=n_iter, random_state=random_state
    )
    return scores, weights
