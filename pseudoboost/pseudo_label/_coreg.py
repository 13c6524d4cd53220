"""COREG-style selection for regression: keep pseudo-labels that help their labelled neighbours.

COREG (Zhou & Li, 2005) accepts an unlabelled row ``x_u`` with its pseudo-label ``y_u`` when
a kNN regressor retrained with ``(x_u, y_u)`` has a lower squared error on ``x_u``'s labelled
neighbours. Retraining per candidate is what makes COREG slow; here the retrained kNN is
written in closed form, so the rule costs nothing per candidate beyond a neighbour search:

- Each labelled row ``j`` has an out-of-fold prediction ``h_j`` (from ``n_teachers`` clones of
  the labeller fitted on K-fold subsets of the labelled rows, computed once per fit) and so a
  residual ``r_j = y_j - h_j``: what the model gets wrong there on unseen data.
- A kNN regressor with ``k`` neighbours that gains ``(x_u, y_u)`` among the neighbours of
  ``x_j`` moves its prediction there by ``w (y_u - h_j)`` with ``w = 1 / (k + 1)``.
- The score of ``x_u`` is the drop in the squared error of its ``k`` nearest labelled rows
  ``N(u)``::

      reduction(u) = sum_{j in N(u)} r_j^2 - (r_j - w (y_u - h_j))^2

  positive when the pseudo-label pulls the neighbours' predictions towards their true targets.

A round takes the ``round(sample_rate * n_pool)`` candidates with the largest positive
reduction; candidates with a non-positive reduction are never taken, and a round where none is
positive selects nothing (the loop stops with ``"no_change"``). Neighbours are found by
Euclidean distance on the labeller's features (the output of a Pipeline's steps before the
last one, else X's numeric columns), standardised with the labelled rows' mean and standard
deviation. The cost per round is one neighbour search, O(n_candidates * k) to score, and
``n_teachers`` fits once per fit (every round with ``label_source="teachers"``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.sparsefuncs import mean_variance_axis

from pseudoboost.pseudo_label._base import Selection, SelectionContext
from pseudoboost.pseudo_label._confidence import _final_step
from pseudoboost.pseudo_label._labels import context_teachers, n_to_select, predict_candidates
from pseudoboost.pseudo_label._rows import n_rows

#: Labelled neighbours scored per candidate (fewer when there are fewer labelled rows).
COREG_NEIGHBORS = 5


def coreg_reductions(
    y_neighbors: np.ndarray, oof_neighbors: np.ndarray, labels: np.ndarray, weight: float
) -> np.ndarray:
    """Drop in the neighbours' squared error when each candidate joins with its pseudo-label.

    Parameters
    ----------
    y_neighbors : ndarray of shape (n_candidates, k)
        Targets of each candidate's labelled neighbours.
    oof_neighbors : ndarray of shape (n_candidates, k)
        Their out-of-fold predictions.
    labels : ndarray of shape (n_candidates,)
        The candidates' pseudo-labels.
    weight : float
        Share of the way each neighbour's prediction moves to the pseudo-label
        (``1 / (k + 1)`` for a kNN regressor with ``k`` neighbours).

    Returns
    -------
    ndarray of shape (n_candidates,)
        ``sum_j r_j^2 - (r_j - weight * (label - oof_j))^2`` with ``r_j = y_j - oof_j``;
        positive when the pseudo-label lowers the neighbours' error.
    """
    residuals = y_neighbors - oof_neighbors
    shift = weight * (labels[:, None] - oof_neighbors)
    return (residuals**2 - (residuals - shift) ** 2).sum(axis=1)


def _numeric(X: Any) -> Any:
    """``X`` as a float matrix (dense, or CSR when sparse): numeric columns of a DataFrame."""
    if isinstance(X, pd.DataFrame):
        numeric = X.select_dtypes(include=["number", "bool"])
        if numeric.shape[1] == 0:
            raise ValueError(
                "selection='coreg' measures distances between rows on numeric features, but X "
                "has no numeric column: pass a Pipeline whose first steps encode the columns "
                "(its transformed features are used), or choose another selection."
            )
        return numeric.to_numpy(dtype=float, na_value=np.nan)
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=float)
    X = np.asarray(X)
    X = X.reshape(X.shape[0], -1)
    try:
        return X.astype(float)
    except (TypeError, ValueError):
        raise ValueError(
            "selection='coreg' measures distances between rows on numeric features, but X has "
            "non-numeric values: pass numeric X, or a Pipeline whose first steps encode them "
            "(its transformed features are used)."
        ) from None


def neighbor_features(model: Any, X_labeled: Any, candidates: Any) -> tuple[Any, Any]:
    """The labelled rows and the candidates in the space where neighbours are searched.

    The features the fitted ``model``'s last step sees when it is a Pipeline, else the
    numeric columns of X; standardised with the labelled rows' mean and standard deviation
    (sparse matrices are only scaled), missing values set to the labelled mean.

    Returns
    -------
    Z_labeled : ndarray or CSR matrix of shape (n_labeled, n_features)
    Z_candidates : ndarray or CSR matrix of shape (n_candidates, n_features)
    """
    _, head = _final_step(model)
    if head is not None:
        X_labeled, candidates = head.transform(X_labeled), head.transform(candidates)
    Z_lab, Z_cand = _numeric(X_labeled), _numeric(candidates)
    if sp.issparse(Z_lab) or sp.issparse(Z_cand):
        Z_lab, Z_cand = sp.csr_matrix(Z_lab), sp.csr_matrix(Z_cand)
        _, variance = mean_variance_axis(Z_lab, axis=0)
        scale = np.sqrt(variance)
        scale[~(scale > 0)] = 1.0
        inverse = sp.diags(1.0 / scale)
        return Z_lab @ inverse, Z_cand @ inverse
    with warnings.catch_warnings():  # an all-missing column warns "Mean of empty slice"
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(Z_lab, axis=0)
        scale = np.nanstd(Z_lab, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return (
        np.nan_to_num((Z_lab - mean) / scale, nan=0.0),
        np.nan_to_num((Z_cand - mean) / scale, nan=0.0),
    )


def select_coreg(estimator: Any, context: SelectionContext) -> Selection:
    """Take the candidates whose pseudo-label most lowers their labelled neighbours' error.

    At most ``round(sample_rate * n_pool)`` candidates, only those with a positive reduction
    (see :func:`coreg_reductions`), the largest first; ties keep the pool order.
    """
    candidates = context.candidates
    n_candidates = n_rows(candidates)
    y_lab = context.y_labeled
    info: dict = {"selection": "coreg", "label_source": estimator.label_source}
    if estimator.label_source == "teachers":
        teachers, oof = context_teachers(estimator, context, candidates, out_of_fold=True)
        labels = teachers.mean(axis=0)
        info["n_teachers"] = int(estimator.n_teachers)
    else:
        oof = context.cache.get("coreg_oof")
        if oof is None:  # the labelled rows do not change between rounds: fit the folds once
            _, oof = context_teachers(estimator, context, None, out_of_fold=True)
            context.cache["coreg_oof"] = oof
            info["n_teachers"] = int(estimator.n_teachers)
        labels = predict_candidates(context)
    Z_lab, Z_cand = neighbor_features(context.labeller, context.X_labeled, candidates)
    k = min(COREG_NEIGHBORS, y_lab.shape[0])
    neighbors = NearestNeighbors(n_neighbors=k).fit(Z_lab).kneighbors(Z_cand, return_distance=False)
    reductions = coreg_reductions(y_lab[neighbors], oof[neighbors], labels, 1.0 / (k + 1))

    n_eligible = int((reductions > 0).sum())
    n_take = min(n_to_select(estimator.sample_rate, context.n_pool, n_candidates), n_eligible)
    order = np.argsort(-reductions, kind="stable")
    positions = np.sort(order[:n_take])
    chosen = reductions[positions]
    info["n_neighbors"] = k
    info["n_eligible"] = n_eligible
    info["mean_reduction"] = float(chosen.mean()) if n_take else float("nan")
    info["min_reduction"] = float(chosen.min()) if n_take else float("nan")
    return Selection(positions, labels[positions], info)
