"""PseudoLabelRegressor: pseudo-labelling around any scikit-learn regressor."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_array, column_or_1d

from pseudoboost.pseudo_label._base import (
    BasePseudoLabel,
    Selection,
    SelectionContext,
)
from pseudoboost.pseudo_label._confidence import select_confidence
from pseudoboost.pseudo_label._coreg import select_coreg
from pseudoboost.pseudo_label._labels import n_to_select, pseudo_labels
from pseudoboost.pseudo_label._targets import unlabeled_mask


def select_random(estimator: PseudoLabelRegressor, context: SelectionContext) -> Selection:
    """The article's rule: a uniformly random ``sample_rate`` share of the pool."""
    n_candidates = context.candidates.shape[0]
    k = n_to_select(estimator.sample_rate, context.n_pool, n_candidates)
    positions = np.sort(context.rng.choice(n_candidates, size=k, replace=False))
    labels = pseudo_labels(estimator, context, positions)
    info = {"selection": "random", "label_source": estimator.label_source}
    if estimator.label_source == "teachers":
        info["n_teachers"] = int(estimator.n_teachers)
    return Selection(positions, labels, info)


# Selection strategies by name. Each takes (estimator, context) and returns a Selection.
REGRESSION_SELECTORS: dict[str, Callable[[Any, SelectionContext], Selection]] = {
    "random": select_random,
    "confidence": select_confidence,
    "coreg": select_coreg,
}


class PseudoLabelRegressor(RegressorMixin, BasePseudoLabel):
    """Pseudo-labelling meta-regressor: fit, label part of an unlabelled pool, refit.

    A clone of ``estimator`` (the teacher) is fitted on the labelled rows and predicts the
    unlabelled pool; ``round(sample_rate * n_pool)`` pool rows are taken with their predicted
    targets and a fresh clone is fitted on labelled + pseudo-labelled rows. With
    ``max_iter > 1`` each further round predicts with the latest model; rows that have been
    pseudo-labelled leave the pool and keep the label they were given (they are not
    re-labelled), so the pseudo-labelled set grows by up to ``sample_rate * n_pool`` rows a
    round until the pool is used up.

    With a ``teacher``, a clone of it, fitted once on the labelled rows, labels the pool in
    every round (and gives the uncertainty of ``selection="confidence"``), while ``estimator``
    is the student fitted on labelled + pseudo-labelled rows: a large model (or an ensemble
    such as :class:`~sklearn.ensemble.VotingRegressor`) can teach a small or fast one.

    The pool is the rows of ``X`` whose target is NaN (scikit-learn's semi-supervised
    convention), followed by the rows of ``unlabeled``. Because ``unlabeled`` is a parameter,
    it is never split by cross-validation and each fold's teacher only sees that fold's
    labelled rows: the procedure is leak-free inside ``cross_val_score`` or ``GridSearchCV``.

    Parameters
    ----------
    estimator : regressor
        Any object with ``fit`` and ``predict``: the student, fitted on labelled +
        pseudo-labelled rows (and the labeller when there is no ``teacher``). It is cloned,
        never modified. If it has ``warm_start=True`` and its warm start keeps learning from
        the rows it is given (an MLP, a Keras network, a linear model), later rounds keep
        fitting the same model instead of a clone; scikit-learn's ensembles (forests, bagging,
        gradient boosting), whose warm start only adds estimators, are cloned afresh.
    teacher : regressor, default=None
        Any object with ``fit`` and ``predict`` that labels the pool instead of the student.
        A clone is fitted once on the labelled rows (with their ``sample_weight`` when it
        accepts one; other fit parameters go to the student only) and stored as
        ``teacher_``; it predicts the pseudo-labels of every round, gives the native
        uncertainty of ``selection="confidence"``, and its clones are the fold teachers of
        ``label_source="teachers"``, of the confidence spread and of ``"coreg"``'s residuals.
        None: the round's model labels, as without a teacher.
    unlabeled : array-like, sparse matrix or DataFrame of shape (n_pool, n_features), default=None
        Unlabelled rows with the same columns as ``X`` (for example a competition's test file).
        It is shared, not copied, by :func:`sklearn.base.clone`, and never modified.
    sample_rate : float in [0, 1], default=0.2
        Fraction of the pool to pseudo-label per round. ``0`` is plain supervised learning.
    selection : {"random", "confidence", "coreg"}, default="random"
        How rows are chosen. ``"random"`` takes them uniformly at random (the article).
        ``"confidence"`` takes the candidates whose prediction is the least uncertain,
        uncertainty being a standard deviation in target units estimated, in this order of
        preference: the spread of the trees of a random forest or extra-trees model (free);
        the ``predict(X, return_std=True)`` of BayesianRidge, ARDRegression or
        GaussianProcessRegressor (free); otherwise, for any regressor, the spread of
        ``n_teachers`` clones fitted on the K-fold training subsets of the labelled rows
        (``n_teachers`` extra fits per round). ``history_`` says which was used.
        ``"coreg"`` (after COREG, Zhou & Li 2005) takes the candidates whose pseudo-label
        most lowers the squared error of their 5 nearest labelled rows, the error being
        measured out of fold (``n_teachers`` fits once per fit) and the effect of the new row
        that of a kNN regressor that gains it as a neighbour; only candidates with a positive
        reduction are taken, so a round may take fewer than ``sample_rate * n_pool`` rows, or
        none (then the loop stops with ``"no_change"``). Neighbours are found on the numeric
        features (those a Pipeline's last step sees), standardised on the labelled rows.
    pseudo_weight : float >= 0, default=1.0
        Sample weight of every pseudo-labelled row; labelled rows keep the ``sample_weight``
        given to ``fit`` (1 without one). Passed through ``sample_weight``: values other than
        1 need an estimator that accepts it (and, under metadata routing, requests it).
    max_iter : int >= 1, default=1
        Number of pseudo-labelling rounds.
    label_source : {"model", "teachers"}, default="model"
        Where the pseudo-labels come from. ``"model"``: the round's model predicts them.
        ``"teachers"``: the mean of ``n_teachers`` clones fitted on the K-fold training
        subsets of the labelled rows (a bagged prediction, with lower variance for models
        that overfit; ``n_teachers`` extra fits per round, shared with the uncertainty of
        ``selection="confidence"``).
    n_teachers : int >= 2, default=5
        Number of teachers (and of folds of the labelled rows) for the uncertainty of
        ``selection="confidence"`` without a native estimate, for the out-of-fold residuals
        of ``selection="coreg"`` and for ``label_source="teachers"``. Needs at least that
        many labelled rows.
    uncertainty_threshold : float > 0 or None, default=None
        With ``selection="confidence"``: the confidence bar. Only candidates whose
        uncertainty is at most ``uncertainty_threshold * std(y_labeled)`` can be
        pseudo-labelled (at most ``round(sample_rate * n_pool)`` of them per round, the most
        certain first). When no candidate is under the bar, the round selects nothing and the
        loop stops with ``termination_condition_ == "no_change"``. None: no bar.
    random_state : int, RandomState instance or None, default=None
        Seed of the row selection (and of the teachers' folds). The inner estimator's own
        seed is left as given.

    Attributes
    ----------
    estimator_ : regressor
        The final model, fitted on labelled and pseudo-labelled rows.
    teacher_ : regressor or None
        The fitted clone of ``teacher`` that labelled the pool; None without a teacher, or
        when there was nothing to pseudo-label (it is then not fitted).
    n_pseudo_ : int
        Number of pseudo-labelled rows used by ``estimator_``.
    pseudo_indices_ : ndarray of shape (n_pseudo_,)
        Their positions in the pool (X's unlabelled rows first, then ``unlabeled``).
    pseudo_labels_ : ndarray of shape (n_pseudo_,)
        The targets they were given, aligned with ``pseudo_indices_``.
    n_pool_ : int
        Size of the pool.
    history_ : list of dict
        One row per round: ``iteration``, ``n_candidates``, ``n_selected``,
        ``n_pseudo_total`` and the selection's notes: ``selection``, ``label_source``,
        ``n_teachers`` when teachers were fitted; with ``"confidence"`` also
        ``uncertainty`` (``"tree_spread"``, ``"return_std"`` or ``"teachers"``),
        ``mean_uncertainty`` and ``max_uncertainty`` of the selected rows and, with a bar,
        ``uncertainty_bar`` and ``n_eligible`` (candidates under it); with ``"coreg"``
        ``n_neighbors``, ``n_eligible`` (candidates with a positive reduction),
        ``mean_reduction`` and ``min_reduction`` of the selected rows.
    n_iter_ : int
        Rounds that added pseudo-labelled rows.
    termination_condition_ : {"max_iter", "all_labeled", "no_change", "supervised"}
        Why the loop stopped: ``"no_change"`` when a round selected nothing (e.g. no
        candidate under the confidence bar); ``"supervised"``: nothing to pseudo-label.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    PseudoLabelClassifier : the classification counterpart, with confidence thresholds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from pseudoboost import PseudoLabelRegressor
    >>> rng = np.random.RandomState(0)
    >>> X, pool = rng.normal(size=(50, 3)), rng.normal(size=(200, 3))
    >>> y = X @ [1.0, 2.0, -1.0]
    >>> model = PseudoLabelRegressor(Ridge(), unlabeled=pool, sample_rate=0.5, random_state=0)
    >>> model.fit(X, y).n_pseudo_
    100
    >>> certain = PseudoLabelRegressor(
    ...     Ridge(), unlabeled=pool, sample_rate=0.5, selection="confidence", random_state=0
    ... ).fit(X, y)
    >>> certain.history_[0]["uncertainty"], certain.n_pseudo_
    ('teachers', 100)

    A forest teaches a linear student, keeping only the pseudo-labels that help their
    labelled neighbours:

    >>> from sklearn.ensemble import RandomForestRegressor
    >>> taught = PseudoLabelRegressor(
    ...     Ridge(),
    ...     teacher=RandomForestRegressor(n_estimators=20, random_state=0),
    ...     unlabeled=pool,
    ...     sample_rate=0.5,
    ...     selection="coreg",
    ...     random_state=0,
    ... ).fit(X, y)
    >>> type(taught.teacher_).__name__, taught.n_pseudo_ <= 100
    ('RandomForestRegressor', True)
    """

    _parameter_constraints: dict = {
        **BasePseudoLabel._parameter_constraints,
        "estimator": BasePseudoLabel._parameter_constraints["estimator"],
        "teacher": [HasMethods(["fit", "predict"]), None],
        "sample_rate": [Interval(Real, 0, 1, closed="both")],
        "selection": [StrOptions(set(REGRESSION_SELECTORS))],
        "label_source": [StrOptions({"model", "teachers"})],
        "n_teachers": [Interval(Integral, 2, None, closed="left")],
        "uncertainty_threshold": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        teacher: Any = None,
        unlabeled: Any = None,
        sample_rate: float = 0.2,
        selection: str = "random",
        pseudo_weight: float = 1.0,
        max_iter: int = 1,
        label_source: str = "model",
        n_teachers: int = 5,
        uncertainty_threshold: float | None = None,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.teacher = teacher
        self.unlabeled = unlabeled
        self.sample_rate = sample_rate
        self.selection = selection
        self.pseudo_weight = pseudo_weight
        self.max_iter = max_iter
        self.label_source = label_source
        self.n_teachers = n_teachers
        self.uncertainty_threshold = uncertainty_threshold
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, **fit_params: Any) -> PseudoLabelRegressor:
        """Fit on the labelled rows, pseudo-label part of the pool, and refit.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training rows. Rows whose ``y`` is NaN join the unlabelled pool.
        y : array-like of shape (n_samples,)
            Targets; NaN marks an unlabelled row.
        **fit_params : dict
            Fit parameters of the inner estimators. ``sample_weight`` has one value per row
            of ``X``: labelled rows keep theirs (those of unlabelled rows are ignored) and
            every pseudo-labelled row gets ``pseudo_weight``. Other parameters (``eval_set``,
            early-stopping callbacks) are not aligned with X's rows and pass unchanged to
            every fit. Without metadata routing all go to the student and the ``teacher``
            gets ``sample_weight`` only. With ``sklearn.set_config(
            enable_metadata_routing=True)`` each goes where it was requested
            (``LGBMRegressor().set_fit_request(eval_set=True, callbacks=True)``; see
            :meth:`get_metadata_routing`), and weights reach the student only when it
            requested ``sample_weight``.

        Returns
        -------
        self : PseudoLabelRegressor
        """
        return self._fit_pseudo(X, y, fit_params)

    def _validate_targets(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        try:
            y = check_array(
                y, ensure_2d=False, dtype=np.float64, ensure_all_finite="allow-nan", input_name="y"
            )
        except ValueError as error:
            if "could not convert" in str(error) or "dtype" in str(error):
                raise ValueError(
                    f"y must be numeric for regression ({error}); encode the target as numbers."
                ) from None
            raise
        y = column_or_1d(y, warn=True)
        return y, unlabeled_mask(y, "regression")

    def _pseudo_labelling_enabled(self) -> bool:
        return self.sample_rate > 0

    def _fit_teacher(self, X: Any, y: np.ndarray, fit_params: dict) -> tuple[Any, dict]:
        if self.teacher is None:
            return None, {}
        return clone(self.teacher).fit(X, y, **fit_params), fit_params

    def _select(self, context: SelectionContext) -> Selection:
        return REGRESSION_SELECTORS[self.selection](self, context)
