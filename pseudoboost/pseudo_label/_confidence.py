"""Confidence-aware selection for regression: pseudo-label the rows the model is surest of.

The uncertainty of a prediction is a standard deviation in target units, estimated in the
cheapest way the estimator allows:

- ``"tree_spread"``: a random forest or extra-trees model (alone or last in a Pipeline): the
  spread of its trees' predictions, from the fitted model at no refit cost.
- ``"return_std"``: a model whose ``predict`` takes ``return_std`` (BayesianRidge,
  ARDRegression, GaussianProcessRegressor): its predictive standard deviation.
- ``"teachers"``: any other regressor: ``n_teachers`` clones are fitted on the K-fold training
  subsets of the labelled rows (each misses a different 1/K of them) and the spread of their
  predictions is the uncertainty. This costs ``n_teachers`` extra fits per round.

The pseudo-labels are the predictions of the round's model, as for random selection, so the
two rules differ only in which rows they take; with ``label_source="teachers"`` (either
selection) they are the mean of the fold teachers instead, a bagged prediction.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.ensemble._forest import ForestRegressor
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from pseudoboost.pseudo_label._base import Selection, SelectionContext
from pseudoboost.pseudo_label._rows import n_rows, take_rows


def _final_step(model: Any) -> tuple[Any, Any]:
    """The last estimator of a Pipeline (or the model itself) and the steps before it."""
    if isinstance(model, Pipeline):
        return model.steps[-1][1], model[:-1]
    return model, None


def _has_return_std(model: Any) -> bool:
    predict = getattr(model, "predict", None)
    if predict is None:
        return False
    try:
        return "return_std" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        return False


def native_uncertainty(model: Any, X: Any) -> tuple[np.ndarray, str] | None:
    """The fitted ``model``'s own uncertainty on ``X``, or None when it has none.

    Returns
    -------
    std : ndarray of shape (n_samples,)
        Standard deviation of each prediction.
    method : {"tree_spread", "return_std"}
        Which estimate was used.
    """
    final, head = _final_step(model)
    is_forest = isinstance(final, ForestRegressor) and hasattr(final, "estimators_")
    if not is_forest and not _has_return_std(final):
        return None
    Xt = head.transform(X) if head is not None else X
    if is_forest:
        Xt = final._validate_X_predict(Xt)
        per_tree = np.stack([tree.predict(Xt, check_input=False) for tree in final.estimators_])
        if per_tree.ndim != 2:  # multi-output forests: no single spread
            return None
        return per_tree.std(axis=0), "tree_spread"
    _, std = final.predict(Xt, return_std=True)
    return np.asarray(std, dtype=float).reshape(-1), "return_std"


def _subset_fit_params(fit_params: dict, n_samples: int, indices: np.ndarray) -> dict:
    """Fit parameters for a subset of the labelled rows: per-row arrays are indexed."""
    subset = {}
    for key, value in fit_params.items():
        if (
            hasattr(value, "shape")
            and getattr(value, "ndim", 0) >= 1
            and n_rows(value) == n_samples
        ):
            subset[key] = take_rows(value, indices)
        else:
            subset[key] = value
    return subset


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

    Teacher ``k`` is fitted on the labelled rows outside fold ``k`` of a shuffled K-fold split
    (K = ``n_teachers``, drawn from ``rng``); per-row fit parameters (e.g. ``sample_weight``)
    are subset with the rows.

    Returns
    -------
    ndarray of shape (n_teachers, n_samples)

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
    for train, _ in folds.split(np.zeros((n_labeled, 1))):
        teacher = clone(estimator).fit(
            take_rows(X_labeled, train),
            y_labeled[train],
            **_subset_fit_params(fit_params, n_labeled, train),
        )
        predictions.append(np.asarray(teacher.predict(X), dtype=float).reshape(-1))
    return np.stack(predictions)


def teacher_uncertainty(
    estimator: Any,
    X_labeled: Any,
    y_labeled: np.ndarray,
    X: Any,
    n_teachers: int,
    rng: np.random.RandomState,
    fit_params: dict | None = None,
) -> np.ndarray:
    """Standard deviation over the teachers of :func:`teacher_predictions`, one per row of X."""
    return teacher_predictions(estimator, X_labeled, y_labeled, X, n_teachers, rng, fit_params).std(
        axis=0
    )


def context_teachers(estimator: Any, context: SelectionContext, X: Any) -> np.ndarray:
    """:func:`teacher_predictions` on ``X`` for a PseudoLabelRegressor's round."""
    return teacher_predictions(
        estimator.estimator,
        context.X_labeled,
        context.y_labeled,
        X,
        estimator.n_teachers,
        context.rng,
        context.fit_params,
    )


def pseudo_labels(
    estimator: Any,
    context: SelectionContext,
    positions: np.ndarray,
    teachers: np.ndarray | None = None,
) -> np.ndarray:
    """Targets for the candidates at ``positions``, by ``estimator.label_source``.

    ``"model"``: the round's model predicts them. ``"teachers"``: the mean of the fold
    teachers (``teachers``, their predictions on all candidates, when already computed).
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
    labels = context.model.predict(take_rows(context.candidates, positions))
    return np.asarray(labels, dtype=float).reshape(-1)


def select_confidence(estimator: Any, context: SelectionContext) -> Selection:
    """Take the ``round(sample_rate * n_pool)`` candidates with the smallest uncertainty.

    With ``estimator.uncertainty_threshold`` set, only candidates whose uncertainty is at most
    ``uncertainty_threshold * std(y_labeled)`` are eligible; when none is, nothing is selected
    (the loop then stops with ``"no_change"``). Ties keep the pool order.
    """
    from pseudoboost.pseudo_label._regressor import n_to_select

    candidates = context.candidates
    n_candidates = n_rows(candidates)
    k = n_to_select(estimator.sample_rate, context.n_pool, n_candidates)
    native = native_uncertainty(context.model, candidates)
    teachers = None  # teachers' predictions on every candidate, when the ranking needs them
    if native is not None:
        std, method = native
    else:
        teachers = context_teachers(estimator, context, candidates)
        std, method = teachers.std(axis=0), "teachers"
    order = np.argsort(std, kind="stable")
    info: dict = {
        "selection": "confidence",
        "label_source": estimator.label_source,
        "uncertainty": method,
    }
    if teachers is not None or estimator.label_source == "teachers":
        info["n_teachers"] = int(estimator.n_teachers)
    if estimator.uncertainty_threshold is not None:
        bar = float(estimator.uncertainty_threshold * np.std(context.y_labeled))
        n_eligible = int(np.searchsorted(std[order], bar, side="right"))
        k = min(k, n_eligible)
        info["uncertainty_bar"] = bar
        info["n_eligible"] = n_eligible
    positions = np.sort(order[:k])
    chosen = std[positions]
    info["mean_uncertainty"] = float(chosen.mean()) if k else float("nan")
    info["max_uncertainty"] = float(chosen.max()) if k else float("nan")
    return Selection(positions, pseudo_labels(estimator, context, positions, teachers), info)
