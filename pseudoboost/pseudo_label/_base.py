"""The pseudo-labelling loop shared by the regressor and the classifier.

Public ``fit`` validates; the private loop works (imbalanced-learn's split). Subclasses say
which targets are missing (``_validate_targets``) and how rows are chosen (``_select``).
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.ensemble import (
    BaseEnsemble,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from pseudoboost._clone import SharedUnlabeledMixin
from pseudoboost.models._estimators import ClippedRegressor
from pseudoboost.pseudo_label._pool import build_pool
from pseudoboost.pseudo_label._rows import concat_selected, concat_targets, n_rows, take_rows


class EmptyPoolWarning(UserWarning):
    """Warned when there is nothing to pseudo-label, so the fit is plain supervised."""


@dataclass
class SelectionContext:
    """What a selection strategy may look at in one round.

    Attributes
    ----------
    model : estimator or None
        The latest fitted model. None in the first round when a ``teacher`` labels: the
        student is then first fitted on labelled + pseudo-labelled rows.
    X_labeled, y_labeled : array-like
        The labelled rows (never the pseudo-labelled ones).
    candidates : array-like
        Pool rows still available in this round.
    n_pool : int
        Size of the whole pool (``sample_rate`` is a fraction of it).
    rng : numpy.random.RandomState
        The fit's random generator.
    iteration : int
        Round number, starting at 1.
    fit_params : dict
        The student's fit parameters for the labelled rows (e.g. ``sample_weight``).
    teacher : estimator or None
        The fitted teacher (``teacher_``), which labels every round; None when the round's
        model labels.
    teacher_fit_params : dict
        The teacher's fit parameters for the labelled rows (its sample weights, if any).
    cache : dict
        Shared by every round of one fit: what a strategy computes once (e.g. out-of-fold
        residuals of the labelled rows) and reuses in later rounds.
    """

    model: Any
    X_labeled: Any
    y_labeled: np.ndarray
    candidates: Any
    n_pool: int
    rng: np.random.RandomState
    iteration: int
    fit_params: dict = field(default_factory=dict)
    teacher: Any = None
    teacher_fit_params: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    @property
    def labeller(self) -> Any:
        """The fitted model that labels this round: the teacher, else the round's model."""
        return self.model if self.teacher is None else self.teacher


@dataclass
class Selection:
    """Rows chosen in one round: positions among the candidates, their labels, and notes."""

    positions: np.ndarray
    labels: np.ndarray
    info: dict = field(default_factory=dict)


def sample_weight_key(estimator: Any) -> str | None:
    """The fit keyword that carries sample weights to ``estimator``, or None if it has none.

    A Pipeline routes them to its last step as ``<step>__sample_weight``; a
    :class:`~pseudoboost.models.ClippedRegressor` takes them when the regressor it wraps does.
    """
    if isinstance(estimator, ClippedRegressor):
        return "sample_weight" if sample_weight_key(estimator.regressor) is not None else None
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return f"{name}__sample_weight" if sample_weight_key(last) is not None else None
    return "sample_weight" if has_fit_parameter(estimator, "sample_weight") else None


def continues_training(estimator: Any) -> bool:
    """Whether refitting a fitted ``estimator`` on new rows keeps learning from them.

    True for ``warm_start=True`` estimators that continue training on the data they are given
    (a Keras network, an MLP, a linear model started from its last coefficients). False for
    scikit-learn's ensembles (forests, bagging, gradient boosting, HistGradientBoosting):
    their warm start only adds the estimators that ``n_estimators`` (or ``max_iter``) grew
    by, so a refit with the same value returns the old model unchanged, whatever the rows.
    """
    if not getattr(estimator, "warm_start", False):
        return False
    # BaseEnsemble covers forests, bagging and GradientBoosting*; HistGradientBoosting* is apart.
    return not isinstance(
        estimator, (BaseEnsemble, HistGradientBoostingRegressor, HistGradientBoostingClassifier)
    )


class BasePseudoLabel(SharedUnlabeledMixin, MetaEstimatorMixin, BaseEstimator):
    """Shared machinery of :class:`PseudoLabelRegressor` and :class:`PseudoLabelClassifier`."""

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "unlabeled": ["array-like", "sparse matrix", None],
        "pseudo_weight": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    # --- hooks for subclasses -------------------------------------------------------------
    @abstractmethod
    def _validate_targets(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return (y as an array, boolean mask of unlabelled rows)."""

    @abstractmethod
    def _pseudo_labelling_enabled(self) -> bool:
        """False when the parameters ask for no pseudo-labels at all (e.g. sample_rate=0)."""

    @abstractmethod
    def _select(self, context: SelectionContext) -> Selection:
        """Choose pseudo-labelled rows among ``context.candidates``."""

    def _fit_teacher(self, X: Any, y: np.ndarray, sample_weight: np.ndarray | None) -> tuple:
        """Fit the labeller of every round on the labelled rows.

        Returns ``(fitted teacher, its fit parameters)``, or ``(None, {})`` when the round's
        model labels (the default).
        """
        return None, {}

    def _round_record(self, selection: Selection) -> dict:
        """Extra per-round entries for ``history_`` (e.g. per-class counts)."""
        return dict(selection.info)

    # --- scikit-learn plumbing ------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X reaches the estimator and, when there is one, the teacher: both must take it.
        models = [self.estimator]
        if getattr(self, "teacher", None) is not None:
            models.append(self.teacher)
        try:
            from sklearn.utils import get_tags

            inner = [get_tags(model).input_tags for model in models]
        except (TypeError, AttributeError, ValueError):
            return tags
        for name in ("sparse", "allow_nan", "categorical", "string", "pairwise"):
            setattr(tags.input_tags, name, all(getattr(t, name) for t in inner))
        return tags

    # --- the loop ------------------------------------------------------------------------
    def _fit_pseudo(self, X: Any, y: Any, fit_params: dict) -> BasePseudoLabel:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X = self._validate_X(X, reset=True)
        y, unlabeled_mask = self._validate_targets(y)
        if n_rows(X) != y.shape[0]:
            raise ValueError(
                f"X has {n_rows(X)} rows but y has {y.shape[0]}: they must have the same length."
            )
        labeled = np.flatnonzero(~unlabeled_mask)
        if labeled.size == 0:
            raise ValueError(
                "y has no labelled rows: every target is marked unlabelled. Pass at least some "
                "known targets."
            )
        X_lab = take_rows(X, labeled) if unlabeled_mask.any() else X
        y_lab = y[labeled]
        pool = build_pool(X, np.flatnonzero(unlabeled_mask), self.unlabeled)
        n_pool = 0 if pool is None else n_rows(pool)

        weights_lab = fit_params.pop("sample_weight", None)
        if weights_lab is not None:
            weights_lab = np.asarray(weights_lab, dtype=float)
            if unlabeled_mask.any():
                weights_lab = weights_lab[labeled]
        weight_key = sample_weight_key(self.estimator)
        if (self.pseudo_weight != 1.0 or weights_lab is not None) and weight_key is None:
            raise ValueError(
                f"{type(self.estimator).__name__}.fit does not accept sample_weight, which "
                f"pseudo_weight={self.pseudo_weight} (or a sample_weight) needs: use "
                "pseudo_weight=1.0 or an estimator that takes sample weights."
            )
        lab_kwargs = dict(fit_params)
        if weights_lab is not None:
            lab_kwargs[weight_key] = weights_lab

        enabled = self._pseudo_labelling_enabled()
        if enabled and n_pool == 0:
            warnings.warn(
                "The unlabelled pool is empty (no `unlabeled` rows and no unlabelled targets in "
                "y): fitting the estimator on the labelled rows only.",
                EmptyPoolWarning,
                stacklevel=3,
            )
        rng = check_random_state(self.random_state)
        teacher, teacher_kwargs = (
            self._fit_teacher(X_lab, y_lab, weights_lab) if enabled and n_pool else (None, {})
        )
        # Without a teacher the model fitted on the labelled rows labels the first round. With
        # one, the student is only fitted on labelled rows when no round adds pseudo-labels.
        model = clone(self.estimator).fit(X_lab, y_lab, **lab_kwargs) if teacher is None else None
        warm_start = continues_training(self.estimator)
        cache: dict = {}

        chosen: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        remaining = np.arange(n_pool)
        history: list[dict] = []
        termination = "supervised" if not enabled or n_pool == 0 else "max_iter"
        for iteration in range(1, self.max_iter + 1):
            if termination == "supervised":
                break
            if remaining.size == 0:
                termination = "all_labeled"
                break
            context = SelectionContext(
                model=model,
                X_labeled=X_lab,
                y_labeled=y_lab,
                candidates=take_rows(pool, remaining) if remaining.size < n_pool else pool,
                n_pool=n_pool,
                rng=rng,
                iteration=iteration,
                fit_params=lab_kwargs,
                teacher=teacher,
                teacher_fit_params=teacher_kwargs,
                cache=cache,
            )
            selection = self._select(context)
            positions = np.asarray(selection.positions, dtype=np.intp)
            if positions.size == 0:
                termination = "no_change"
                history.append(self._history_row(iteration, remaining.size, 0, chosen, selection))
                break
            chosen.append(remaining[positions])
            labels.append(np.asarray(selection.labels))
            remaining = np.delete(remaining, positions)
            indices = np.concatenate(chosen)
            X_aug = concat_selected(X_lab, pool, indices)
            y_aug = concat_targets(y_lab, np.concatenate(labels))
            kwargs = dict(fit_params)
            if weights_lab is not None or self.pseudo_weight != 1.0:
                base = weights_lab if weights_lab is not None else np.ones(len(y_lab))
                kwargs[weight_key] = np.concatenate(
                    [base, np.full(indices.size, float(self.pseudo_weight))]
                )
            reuse = warm_start and model is not None
            model = (model if reuse else clone(self.estimator)).fit(X_aug, y_aug, **kwargs)
            history.append(
                self._history_row(
                    iteration, remaining.size + positions.size, positions.size, chosen, selection
                )
            )

        if model is None:  # a teacher was fitted but no round added pseudo-labels
            model = clone(self.estimator).fit(X_lab, y_lab, **lab_kwargs)
        self.estimator_ = model
        if "teacher" in self._parameter_constraints:
            self.teacher_ = teacher
        self.pseudo_indices_ = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.intp)
        self.pseudo_labels_ = np.concatenate(labels) if labels else y_lab[:0].copy()
        self.n_pseudo_ = int(self.pseudo_indices_.size)
        self.n_pool_ = int(n_pool)
        self.history_ = history
        self.n_iter_ = sum(1 for row in history if row["n_selected"] > 0)
        self.termination_condition_ = termination
        return self

    def _history_row(
        self,
        iteration: int,
        n_candidates: int,
        n_selected: int,
        chosen: list[np.ndarray],
        selection: Selection,
    ) -> dict:
        row = {
            "iteration": iteration,
            "n_candidates": int(n_candidates),
            "n_selected": int(n_selected),
            "n_pseudo_total": int(sum(c.size for c in chosen)),
        }
        row.update(self._round_record(selection))
        return row

    # --- prediction ----------------------------------------------------------------------
    def _check_predict_input(self, X: Any) -> Any:
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _validate_X(self, X: Any, *, reset: bool) -> Any:
        """Record or check the features without converting X's container.

        DataFrames pass untouched (categorical columns stay categorical); arrays and sparse
        matrices get scikit-learn's shape checks with their dtype kept; arrays of more than two
        dimensions (images) go to the inner estimator as they are.
        """
        if isinstance(X, pd.DataFrame) or getattr(X, "ndim", 2) > 2:
            if X.ndim <= 2:
                validate_data(self, X, reset=reset, skip_check_array=True)
            return X
        return validate_data(
            self, X, reset=reset, dtype=None, accept_sparse=True, ensure_all_finite=False
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the final (pseudo-labelled) model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, in the same container and columns as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._check_predict_input(X)
        return self.estimator_.predict(X)
