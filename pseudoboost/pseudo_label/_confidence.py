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

The uncertainty is the labeller's: the ``teacher`` when one is given (its trees, its
``return_std``, or fold clones of it), else the round's model. The pseudo-labels are the
labeller's predictions, as for random selection, so the two rules differ only in which rows
they take; with ``label_source="teachers"`` (either selection) they are the mean of the fold
teachers instead, a bagged prediction.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import validate_data

from pseudoboost.models._estimators import ClippedRegressor
from pseudoboost.pseudo_label._base import Selection, SelectionContext
from pseudoboost.pseudo_label._labels import (
    context_teachers,
    n_to_select,
    pseudo_labels,
    teacher_predictions,
)
from pseudoboost.pseudo_label._rows import n_rows

# Forests whose trees each predict the target: their spread is the uncertainty.
_FORESTS = (RandomForestRegressor, ExtraTreesRegressor)


def _final_step(model: Any) -> tuple[Any, Any]:
    """The last estimator of a Pipeline (or the model itself) and the steps before it.

    A :class:`~pseudoboost.models.ClippedRegressor` is looked through: its regressor (the
    fitted one when it is fitted: a forest or ``return_std`` model) gives the uncertainty.
    """
    head = None
    if isinstance(model, Pipeline):
        model, head = model.steps[-1][1], model[:-1]
    if isinstance(model, ClippedRegressor):
        inner, inner_head = _final_step(getattr(model, "regressor_", model.regressor))
        if head is None:
            return inner, inner_head
        return inner, head if inner_head is None else Pipeline(
            [("head", head), ("inner", inner_head)]
        )
    return model, head


def _has_return_std(model: Any) -> bool:
    predict = getattr(model, "predict", None)
    if predict is None:
        return False
    try:
        return "return_std" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        return False


def has_native_uncertainty(model: Any) -> bool:
    """Whether ``model`` (fitted or not) gives its own uncertainty: a forest's tree spread or
    a ``return_std`` prediction, so confidence selection needs no fold teachers."""
    final, _ = _final_step(model)
    return isinstance(final, _FORESTS) or _has_return_std(final)


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
    is_forest = isinstance(final, _FORESTS) and hasattr(final, "estimators_")
    if not is_forest and not _has_return_std(final):
        return None
    Xt = head.transform(X) if head is not None else X
    if is_forest:
        # As the forest's own predict: its columns checked and float32 (its trees' dtype)
        # once; each tree then says whether it may see missing values.
        Xt = validate_data(
            final, Xt, reset=False, dtype=np.float32, accept_sparse="csr", ensure_all_finite=False
        )
        per_tree = np.stack([tree.predict(Xt) for tree in final.estimators_])
        if per_tree.ndim != 2:  # multi-output forests: no single spread
            return None
        return per_tree.std(axis=0), "tree_spread"
    _, std = final.predict(Xt, return_std=True)
    return np.asarray(std, dtype=float).reshape(-1), "return_std"


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


def select_confidence(estimator: Any, context: SelectionContext) -> Selection:
    """Take the ``round(sample_rate * n_pool)`` candidates with the smallest uncertainty.

    With ``estimator.uncertainty_threshold`` set, only candidates whose uncertainty is at most
    ``uncertainty_threshold * std(y_labeled)`` are eligible; when none is, nothing is selected
    (the loop then stops with ``"no_change"``). Ties keep the pool order. The uncertainty is
    the round's labeller's (``context.labeller``, or fold clones of its prototype).
    """
    candidates = context.candidates
    n_candidates = n_rows(candidates)
    k = n_to_select(estimator.sample_rate, context.n_pool, n_candidates)
    native = native_uncertainty(context.labeller, candidates)
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
