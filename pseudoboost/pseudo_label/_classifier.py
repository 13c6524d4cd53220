"""PseudoLabelClassifier: confidence-thresholded pseudo-labelling around any classifier."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from pseudoboost.pseudo_label._base import BasePseudoLabel, Selection, SelectionContext
from pseudoboost.pseudo_label._labels import n_to_select
from pseudoboost.pseudo_label._rows import take_rows
from pseudoboost.pseudo_label._targets import unlabeled_mask


def _estimator_has(attr: str):
    """True when the fitted (or else the unfitted) inner estimator has ``attr``."""

    def check(self: PseudoLabelClassifier) -> bool:
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


def balance_by_class(
    labels: np.ndarray, confidence: np.ndarray, classes: np.ndarray, prior: np.ndarray
) -> np.ndarray:
    """Keep the most confident accepted rows so accepted counts follow the labelled prior.

    With ``a_c`` rows accepted for class ``c`` and labelled frequency ``p_c``, each class keeps
    ``floor(s * p_c)`` rows where ``s = min_c a_c / p_c``: the class the model is least sure of
    caps the others, so accepted pseudo-labels do not over-represent easy classes. A class with
    no accepted row therefore stops all acceptance in that round.

    Returns
    -------
    ndarray of int
        Positions (into ``labels``) of the rows kept, sorted.
    """
    counts = np.array([(labels == c).sum() for c in classes], dtype=float)
    present = prior > 0
    scale = np.min(counts[present] / prior[present])
    keep = []
    for cls, p in zip(classes, prior, strict=True):
        members = np.flatnonzero(labels == cls)
        quota = int(np.floor(scale * p + 1e-9))
        order = np.argsort(-confidence[members], kind="stable")
        keep.append(members[order[:quota]])
    return np.sort(np.concatenate(keep)) if keep else np.empty(0, dtype=np.intp)


class PseudoLabelClassifier(ClassifierMixin, BasePseudoLabel):
    """Pseudo-labelling meta-classifier: keep confident predictions on the pool, refit.

    A clone of ``estimator`` is fitted on the labelled rows and predicts the unlabelled pool.
    Rows are accepted by ``selection``: predicted-class probability at least ``threshold``
    (the notebook's rule), the ``k_best`` most confident, or a random ``sample_rate`` share.
    A model is then fitted on labelled + accepted rows. Accepted rows leave the pool and keep
    their label; with ``max_iter > 1`` the latest model labels what is left. If the inner
    estimator has ``warm_start=True`` (e.g. a Keras network), later rounds continue training
    the same model instead of a fresh clone, as the notebook fine-tunes its CNN; scikit-learn's
    ensembles, whose warm start only adds estimators, are cloned afresh instead.

    Unlabelled rows are those of ``X`` whose target is ``-1`` (as in
    :class:`sklearn.semi_supervised.SelfTrainingClassifier`) and the rows of ``unlabeled``.

    Parameters
    ----------
    estimator : classifier
        Any object with ``fit`` and ``predict``; ``"threshold"`` and ``"k_best"`` also need
        ``predict_proba``.
    unlabeled : array-like, sparse matrix or DataFrame, default=None
        Unlabelled rows with X's columns; shared by clones, never copied or modified.
    threshold : float in [0, 1], default=0.95
        Minimum predicted-class probability to accept a row (``selection="threshold"``).
    selection : {"threshold", "k_best", "random"}, default="threshold"
        Acceptance rule.
    k_best : int >= 1, default=None
        Rows accepted per round with ``selection="k_best"`` (required then).
    sample_rate : float in [0, 1], default=None
        Fraction of the pool accepted per round with ``selection="random"`` (required then).
    balance_classes : bool, default=False
        Cap accepted rows per class so their counts follow the labelled class frequencies,
        keeping the most confident (see :func:`balance_by_class`).
    pseudo_weight : float >= 0, default=1.0
        Sample weight of every pseudo-labelled row; labelled rows keep the ``sample_weight``
        given to ``fit`` (needs ``sample_weight`` support unless 1).
    max_iter : int >= 1, default=1
        Number of pseudo-labelling rounds.
    random_state : int, RandomState instance or None, default=None
        Seed of the random selection.

    Attributes
    ----------
    estimator_ : classifier
        The final model.
    classes_ : ndarray
        Class labels (from the labelled rows).
    n_pseudo_, pseudo_indices_, pseudo_labels_, n_pool_, n_iter_, termination_condition_ :
        As in :class:`PseudoLabelRegressor`.
    history_ : list of dict
        One row per round, with ``class_counts`` (class -> rows accepted in that round) and,
        for probability rules, ``mean_confidence`` of the accepted rows.
    n_features_in_, feature_names_in_ :
        Seen in ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from pseudoboost import PseudoLabelClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> y_partial = y.copy()
    >>> y_partial[50:] = -1
    >>> clf = PseudoLabelClassifier(LogisticRegression(), threshold=0.9).fit(X, y_partial)
    >>> clf.n_pseudo_ > 0
    True
    """

    _parameter_constraints: dict = {
        **BasePseudoLabel._parameter_constraints,
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "selection": [StrOptions({"threshold", "k_best", "random"})],
        "k_best": [Interval(Integral, 1, None, closed="left"), None],
        "sample_rate": [Interval(Real, 0, 1, closed="both"), None],
        "balance_classes": ["boolean"],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        unlabeled: Any = None,
        threshold: float = 0.95,
        selection: str = "threshold",
        k_best: int | None = None,
        sample_rate: float | None = None,
        balance_classes: bool = False,
        pseudo_weight: float = 1.0,
        max_iter: int = 1,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.unlabeled = unlabeled
        self.threshold = threshold
        self.selection = selection
        self.k_best = k_best
        self.sample_rate = sample_rate
        self.balance_classes = balance_classes
        self.pseudo_weight = pseudo_weight
        self.max_iter = max_iter
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, **fit_params: Any) -> PseudoLabelClassifier:
        """Fit on the labelled rows, accept confident pool rows, and refit.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training samples. Rows whose ``y`` is -1 join the unlabelled pool.
        y : array-like of shape (n_samples,)
            Class labels; -1 marks an unlabelled row.
        **fit_params : dict
            Passed to every ``fit`` of the inner estimator: ``sample_weight`` (one value per
            row of ``X``) is kept for the labelled rows and every pseudo-labelled row gets
            ``pseudo_weight``; other parameters pass unchanged. With
            ``sklearn.set_config(enable_metadata_routing=True)`` they reach the estimator only
            as it requested them with ``set_fit_request`` (see :meth:`get_metadata_routing`).

        Returns
        -------
        self : PseudoLabelClassifier
        """
        if self.selection == "k_best" and self.k_best is None:
            raise ValueError("selection='k_best' needs k_best: set k_best to the rows per round.")
        if self.selection == "random" and self.sample_rate is None:
            raise ValueError("selection='random' needs sample_rate: set it in [0, 1].")
        if self.selection in ("threshold", "k_best") and not hasattr(
            self.estimator, "predict_proba"
        ):
            raise ValueError(
                f"selection={self.selection!r} needs predict_proba, which "
                f"{type(self.estimator).__name__} does not have: use selection='random' or a "
                "probabilistic classifier."
            )
        self._fit_pseudo(X, y, fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def _validate_targets(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        y = column_or_1d(np.asarray(y), warn=True)
        unlabeled = unlabeled_mask(y, "classification")
        check_classification_targets(y[~unlabeled])
        labeled = y[~unlabeled]
        classes, counts = np.unique(labeled, return_counts=True)
        self._labeled_prior = (classes, counts / counts.sum())
        return y, unlabeled

    def _pseudo_labelling_enabled(self) -> bool:
        return not (self.selection == "random" and self.sample_rate == 0)

    def _select(self, context: SelectionContext) -> Selection:
        candidates, model = context.candidates, context.model
        n_candidates = candidates.shape[0]
        if self.selection == "random":
            k = n_to_select(self.sample_rate, context.n_pool, n_candidates)
            positions = np.sort(context.rng.choice(n_candidates, size=k, replace=False))
            labels = np.asarray(model.predict(take_rows(candidates, positions)))
            confidence = np.ones(positions.size)
        else:
            proba = model.predict_proba(candidates)
            best = np.argmax(proba, axis=1)
            scores = proba[np.arange(n_candidates), best]
            if self.selection == "threshold":
                positions = np.flatnonzero(scores >= self.threshold)
            else:
                order = np.argsort(-scores, kind="stable")
                positions = np.sort(order[: min(self.k_best, n_candidates)])
            labels = np.asarray(model.classes_)[best[positions]]
            confidence = scores[positions]
        if self.balance_classes and positions.size:
            classes, prior = self._labeled_prior
            keep = balance_by_class(labels, confidence, classes, prior)
            positions, labels, confidence = positions[keep], labels[keep], confidence[keep]
        info = {"selection": self.selection}
        if self.selection != "random":
            info["mean_confidence"] = float(confidence.mean()) if confidence.size else float("nan")
        classes = self._labeled_prior[0]
        info["class_counts"] = {
            (c.item() if hasattr(c, "item") else c): int((labels == c).sum()) for c in classes
        }
        return Selection(positions, labels, info)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the final model (only if the inner estimator has them).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities of the final model (only if the inner estimator has them)."""
        X = self._check_predict_input(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision function of the final model (only if the inner estimator has one)."""
        X = self._check_predict_input(X)
        return self.estimator_.decision_function(X)
