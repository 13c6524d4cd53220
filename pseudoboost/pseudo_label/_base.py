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
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.ensemble import (
    BaseEnsemble,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from pseudoboost._clone import SharedUnlabeledMixin
from pseudoboost.models._estimators import sample_weight_key
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


def routing_enabled() -> bool:
    """Whether scikit-learn's metadata routing is on (``sklearn.set_config``)."""
    return bool(get_config().get("enable_metadata_routing", False))


def routed_weight_key(estimator: Any) -> str | None:
    """With metadata routing: ``"sample_weight"`` when ``estimator`` requested it in ``fit``.

    Routing sends weights only where they were asked for
    (``estimator.set_fit_request(sample_weight=True)``, or on a Pipeline's step), as
    scikit-learn's :class:`~sklearn.ensemble.BaggingRegressor` decides whether to weight.
    """
    consumed = get_routing_for_object(estimator).consumes("fit", ("sample_weight",))
    return "sample_weight" if consumed else None


def labeled_weights(sample_weight: Any, rows: FitRows) -> np.ndarray:
    """``sample_weight`` (one per row of ``X``) as floats, cut to the labelled rows.

    Raises
    ------
    ValueError
        When ``sample_weight`` does not have one value per row of ``X``.
    """
    weights = np.asarray(sample_weight, dtype=float)
    if weights.ndim != 1 or weights.shape[0] != rows.n_samples:
        raise ValueError(
            f"sample_weight has shape {weights.shape} but X has {rows.n_samples} rows: pass "
            "one weight per row of X (unlabelled rows included; theirs are ignored)."
        )
    return weights if rows.labeled.size == rows.n_samples else weights[rows.labeled]


@dataclass
class FitRows:
    """The rows of one fit: the labelled ones and the unlabelled pool.

    Attributes
    ----------
    X_labeled, y_labeled : array-like
        The labelled rows of ``X`` and their targets.
    labeled : ndarray of int
        Positions of the labelled rows in ``X``.
    n_samples : int
        Rows of ``X``, labelled or not.
    pool : array-like or None
        X's unlabelled rows followed by ``unlabeled``; None when both are empty.
    n_pool : int
        Rows of the pool.
    """

    X_labeled: Any
    y_labeled: np.ndarray
    labeled: np.ndarray
    n_samples: int
    pool: Any
    n_pool: int


@dataclass
class FitParams:
    """Fit parameters of the student and the teacher, weights aligned with the labelled rows.

    Attributes
    ----------
    student : dict
        The student's parameters other than weights, passed unchanged to every fit.
    teacher : dict
        The teacher's parameters for the labelled rows, weights included.
    weights : ndarray or None
        The labelled rows' weights for the student (None: unweighted).
    weight_key : str or None
        The student's ``fit`` keyword for weights (None: it takes none).
    n_labeled : int
        Number of labelled rows.
    pseudo_weight : float
        The weight of every pseudo-labelled row.
    """

    student: dict
    teacher: dict
    weights: np.ndarray | None
    weight_key: str | None
    n_labeled: int
    pseudo_weight: float = 1.0

    def labeled(self) -> dict:
        """The student's keyword arguments for a fit on the labelled rows only."""
        kwargs = dict(self.student)
        if self.weights is not None:
            kwargs[self.weight_key] = self.weights
        return kwargs

    def augmented(self, n_pseudo: int) -> dict:
        """The student's keyword arguments for labelled rows followed by ``n_pseudo`` others.

        The labelled rows keep their weights (1 when none were given) and the pseudo-labelled
        rows get ``pseudo_weight``; no weights are passed when neither was set.
        """
        kwargs = dict(self.student)
        if self.weights is not None or self.pseudo_weight != 1.0:
            base = self.weights if self.weights is not None else np.ones(self.n_labeled)
            kwargs[self.weight_key] = np.concatenate([base, np.full(n_pseudo, self.pseudo_weight)])
        return kwargs


@dataclass
class LoopState:
    """What the pseudo-labelling loop carries from one round to the next.

    Attributes
    ----------
    rows : FitRows
        The labelled rows and the pool.
    params : FitParams
        The student's and the teacher's fit parameters.
    teacher : estimator or None
        The fitted teacher, or None when the round's model labels.
    teacher_params : dict
        The teacher's fit parameters for the labelled rows.
    rng : numpy.random.RandomState
        The fit's random generator.
    remaining : ndarray of int
        Pool positions not pseudo-labelled yet.
    termination : str
        Why the loop stopped (``termination_condition_``).
    model : estimator or None
        The latest fitted student.
    chosen, labels : list of ndarray
        Pool positions taken in each round, and the labels they were given.
    history : list of dict
        One row per round (``history_``).
    cache : dict
        What selection strategies keep between rounds of this fit.
    """

    rows: FitRows
    params: FitParams
    teacher: Any
    teacher_params: dict
    rng: np.random.RandomState
    remaining: np.ndarray
    termination: str
    model: Any = None
    chosen: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    def accept(self, positions: np.ndarray, labels: np.ndarray) -> None:
        """Take the candidates at ``positions`` (among ``remaining``) with their labels."""
        self.chosen.append(self.remaining[positions])
        self.labels.append(labels)
        self.remaining = np.delete(self.remaining, positions)


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

    def _fit_teacher(self, X: Any, y: np.ndarray, fit_params: dict) -> tuple[Any, dict]:
        """Fit the labeller of every round on the labelled rows.

        ``fit_params`` are the teacher's, already cut to the labelled rows. Returns
        ``(fitted teacher, its fit parameters)``, or ``(None, {})`` when the round's model
        labels (the default).
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

    def get_metadata_routing(self) -> MetadataRouter:
        """How ``fit``'s parameters reach the inner estimators under metadata routing.

        With ``sklearn.set_config(enable_metadata_routing=True)``, ``fit(X, y, **params)``
        passes each parameter to ``estimator`` and, when there is one, to ``teacher`` as each
        requested it with ``set_fit_request`` (scikit-learn raises for a parameter that no
        one requested). ``score`` consumes ``sample_weight`` itself, as requested with
        ``set_score_request``. Without routing, see ``fit``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        # The meta-estimator consumes too: its own score takes sample_weight.
        router = MetadataRouter(owner=type(self).__name__).add_self_request(self)
        router.add(
            estimator=self.estimator, method_mapping=MethodMapping().add(caller="fit", callee="fit")
        )
        if getattr(self, "teacher", None) is not None:
            router.add(
                teacher=self.teacher, method_mapping=MethodMapping().add(caller="fit", callee="fit")
            )
        return router

    # --- the loop ------------------------------------------------------------------------
    def _fit_pseudo(self, X: Any, y: Any, fit_params: dict) -> BasePseudoLabel:
        """Fit on the labelled rows, pseudo-label the pool round by round, store the result.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame
            Training rows; those whose target is marked unlabelled join the pool.
        y : array-like of shape (n_samples,)
            Targets, unlabelled rows marked as the subclass says.
        fit_params : dict
            The keyword arguments given to ``fit`` (see :meth:`_fit_params`).

        Returns
        -------
        self : BasePseudoLabel
        """
        rows = self._split_rows(X, y)
        params = self._fit_params(fit_params, rows)
        enabled = self._pseudo_labelling_enabled()
        if enabled and rows.n_pool == 0:
            warnings.warn(
                "The unlabelled pool is empty (no `unlabeled` rows and no unlabelled targets in "
                "y): fitting the estimator on the labelled rows only.",
                EmptyPoolWarning,
                stacklevel=3,
            )
        enabled = enabled and rows.n_pool > 0
        teacher, teacher_params = (
            self._fit_teacher(rows.X_labeled, rows.y_labeled, params.teacher)
            if enabled
            else (None, {})
        )
        state = LoopState(
            rows=rows,
            params=params,
            teacher=teacher,
            teacher_params=teacher_params,
            rng=check_random_state(self.random_state),
            remaining=np.arange(rows.n_pool),
            termination="max_iter" if enabled else "supervised",
        )
        # Without a teacher the model fitted on the labelled rows labels the first round. With
        # one, the student is only fitted on labelled rows when no round adds pseudo-labels.
        if teacher is None:
            state.model = self._fit_student(rows.X_labeled, rows.y_labeled, params.labeled())
        if enabled:
            self._run_rounds(state)
        if state.model is None:  # a teacher was fitted but no round added pseudo-labels
            state.model = self._fit_student(rows.X_labeled, rows.y_labeled, params.labeled())
        self._store_fit(state)
        return self

    def _split_rows(self, X: Any, y: Any) -> FitRows:
        """Validate ``X`` and ``y`` and split them into labelled rows and the pool.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame
            Training rows.
        y : array-like of shape (n_samples,)
            Targets; the subclass's ``_validate_targets`` says which are unlabelled.

        Returns
        -------
        FitRows
            The labelled rows, their positions in ``X`` and the pool (X's unlabelled rows
            followed by ``unlabeled``).

        Raises
        ------
        ValueError
            When ``y`` is None, has another length than ``X`` or marks every row unlabelled.
        """
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
        pool = build_pool(X, np.flatnonzero(unlabeled_mask), self.unlabeled)
        return FitRows(
            X_labeled=take_rows(X, labeled) if unlabeled_mask.any() else X,
            y_labeled=y[labeled],
            labeled=labeled,
            n_samples=y.shape[0],
            pool=pool,
            n_pool=0 if pool is None else n_rows(pool),
        )

    def _fit_params(self, fit_params: dict, rows: FitRows) -> FitParams:
        """Share ``fit``'s keyword arguments between the student and the teacher.

        With metadata routing enabled (``sklearn.set_config(enable_metadata_routing=True)``)
        each inner estimator gets what it requested (``set_fit_request``), and sample weights
        reach the student only when it requests ``sample_weight``. Otherwise every parameter
        goes to the student (``sample_weight`` under the key its ``fit`` takes, e.g.
        ``<step>__sample_weight`` for a Pipeline) and the teacher gets ``sample_weight`` only,
        when it accepts it. Either way ``sample_weight`` is cut to the labelled rows; the
        other parameters (``eval_set``, callbacks) pass unchanged.

        Parameters
        ----------
        fit_params : dict
            The keyword arguments given to ``fit``.
        rows : FitRows
            The fit's rows, to align ``sample_weight`` with the labelled ones.

        Returns
        -------
        FitParams

        Raises
        ------
        ValueError
            When weights (``sample_weight`` or ``pseudo_weight != 1``) cannot reach the student.
        """
        if routing_enabled():
            student, teacher_params, weight_key = self._routed_fit_params(fit_params, rows)
        else:
            student, teacher_params, weight_key = self._unrouted_fit_params(fit_params, rows)
        weights = student.pop("sample_weight", None)
        weights = None if weights is None else labeled_weights(weights, rows)
        if (self.pseudo_weight != 1.0 or weights is not None) and weight_key is None:
            raise ValueError(self._no_weights_message())
        return FitParams(
            student=student,
            teacher=teacher_params,
            weights=weights,
            weight_key=weight_key,
            n_labeled=rows.y_labeled.shape[0],
            pseudo_weight=float(self.pseudo_weight),
        )

    def _routed_fit_params(self, fit_params: dict, rows: FitRows) -> tuple[dict, dict, str | None]:
        """Split ``fit``'s parameters by scikit-learn's metadata routing.

        Parameters
        ----------
        fit_params : dict
            The keyword arguments given to ``fit``.
        rows : FitRows
            The fit's rows, to cut the teacher's ``sample_weight`` to the labelled ones.

        Returns
        -------
        student : dict
            What ``estimator`` requested, ``sample_weight`` still uncut.
        teacher : dict
            What ``teacher`` requested (empty without a teacher).
        weight_key : str or None
            ``"sample_weight"`` when the student takes weights (it requested them).

        Raises
        ------
        sklearn.exceptions.UnsetMetadataPassedError
            When a parameter is passed that an inner estimator accepts but has not requested.
        """
        routed = process_routing(self, "fit", **fit_params)
        student = dict(routed["estimator"]["fit"])
        teacher = {}
        if getattr(self, "teacher", None) is not None:
            teacher = dict(routed["teacher"]["fit"])
        if "sample_weight" in teacher:
            teacher["sample_weight"] = labeled_weights(teacher["sample_weight"], rows)
        weight_key = (
            "sample_weight" if "sample_weight" in student else routed_weight_key(self.estimator)
        )
        return student, teacher, weight_key

    def _unrouted_fit_params(
        self, fit_params: dict, rows: FitRows
    ) -> tuple[dict, dict, str | None]:
        """Split ``fit``'s parameters without metadata routing (the default).

        The student gets every parameter; the teacher gets ``sample_weight`` only, cut to
        the labelled rows, when its ``fit`` accepts it.

        Parameters
        ----------
        fit_params : dict
            The keyword arguments given to ``fit``.
        rows : FitRows
            The fit's rows, to cut the teacher's ``sample_weight`` to the labelled ones.

        Returns
        -------
        student : dict
            Every parameter, ``sample_weight`` still uncut.
        teacher : dict
            The teacher's weights under the key its ``fit`` takes, or empty.
        weight_key : str or None
            The student's keyword for weights (see :func:`sample_weight_key`).
        """
        student = dict(fit_params)
        weights = student.get("sample_weight")
        teacher = getattr(self, "teacher", None)
        teacher_key = None if teacher is None else sample_weight_key(teacher)
        teacher_params = {}
        if weights is not None and teacher_key is not None:
            teacher_params[teacher_key] = labeled_weights(weights, rows)
        return student, teacher_params, sample_weight_key(self.estimator)

    def _no_weights_message(self) -> str:
        """The error raised when ``pseudo_weight`` (or ``sample_weight``) cannot be passed on."""
        name = type(self.estimator).__name__
        if routing_enabled() and sample_weight_key(self.estimator) is not None:
            return (
                f"{name} has not requested sample_weight, which pseudo_weight="
                f"{self.pseudo_weight} needs when metadata routing is enabled: request it with "
                "set_fit_request(sample_weight=True) on the estimator (on a Pipeline, on the "
                "step that takes the weights), or use pseudo_weight=1.0."
            )
        return (
            f"{name}.fit does not accept sample_weight, which "
            f"pseudo_weight={self.pseudo_weight} (or a sample_weight) needs: use "
            "pseudo_weight=1.0 or an estimator that takes sample weights."
        )

    def _fit_student(self, X: Any, y: np.ndarray, fit_params: dict) -> Any:
        """Fit a fresh clone of ``estimator``."""
        return clone(self.estimator).fit(X, y, **fit_params)

    def _run_rounds(self, state: LoopState) -> None:
        """Run up to ``max_iter`` rounds, updating ``state`` (model, rows, history)."""
        warm_start = continues_training(self.estimator)
        for iteration in range(1, self.max_iter + 1):
            if state.remaining.size == 0:
                state.termination = "all_labeled"
                return
            n_candidates = state.remaining.size
            selection = self._select(self._round_context(state, iteration))
            positions = np.asarray(selection.positions, dtype=np.intp)
            if positions.size == 0:
                state.termination = "no_change"
                state.history.append(
                    self._history_row(iteration, n_candidates, 0, state.chosen, selection)
                )
                return
            state.accept(positions, np.asarray(selection.labels))
            self._refit(state, warm_start)
            state.history.append(
                self._history_row(iteration, n_candidates, positions.size, state.chosen, selection)
            )

    def _round_context(self, state: LoopState, iteration: int) -> SelectionContext:
        """What the selection strategy sees in round ``iteration``."""
        rows = state.rows
        candidates = (
            take_rows(rows.pool, state.remaining)
            if state.remaining.size < rows.n_pool
            else rows.pool
        )
        return SelectionContext(
            model=state.model,
            X_labeled=rows.X_labeled,
            y_labeled=rows.y_labeled,
            candidates=candidates,
            n_pool=rows.n_pool,
            rng=state.rng,
            iteration=iteration,
            fit_params=state.params.labeled(),
            teacher=state.teacher,
            teacher_fit_params=state.teacher_params,
            cache=state.cache,
        )

    def _refit(self, state: LoopState, warm_start: bool) -> None:
        """Fit the student on labelled + every pseudo-labelled row chosen so far.

        A ``warm_start`` estimator that keeps learning continues from the round's model;
        any other is a fresh clone.
        """
        rows = state.rows
        indices = np.concatenate(state.chosen)
        X_aug = concat_selected(rows.X_labeled, rows.pool, indices)
        y_aug = concat_targets(rows.y_labeled, np.concatenate(state.labels))
        kwargs = state.params.augmented(indices.size)
        reuse = warm_start and state.model is not None
        model = state.model if reuse else clone(self.estimator)
        state.model = model.fit(X_aug, y_aug, **kwargs)

    def _store_fit(self, state: LoopState) -> None:
        """Set the fitted attributes (``estimator_``, ``pseudo_indices_``, ``history_``...)."""
        self.estimator_ = state.model
        if "teacher" in self._parameter_constraints:
            self.teacher_ = state.teacher
        chosen, labels = state.chosen, state.labels
        self.pseudo_indices_ = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.intp)
        self.pseudo_labels_ = np.concatenate(labels) if labels else state.rows.y_labeled[:0].copy()
        self.n_pseudo_ = int(self.pseudo_indices_.size)
        self.n_pool_ = int(state.rows.n_pool)
        self.history_ = state.history
        self.n_iter_ = sum(1 for row in state.history if row["n_selected"] > 0)
        self.termination_condition_ = state.termination

    def _history_row(
        self,
        iteration: int,
        n_candidates: int,
        n_selected: int,
        chosen: list[np.ndarray],
        selection: Selection,
    ) -> dict:
        """One row of ``history_``: the round's counts and the selection's notes."""
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
