"""Weighted ensembles of fitted members: scikit-learn's voting estimators, skipping zero weights.

:class:`sklearn.ensemble.VotingRegressor` and soft :class:`sklearn.ensemble.VotingClassifier`
already predict the weighted average of their members. The subclasses here add what
ensemble selection needs: members whose weight is zero are not fitted at all (selection
usually keeps a few of many models), and the regressor can return the weighted spread of its
members as a cheap uncertainty.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np

# Private, kept on purpose: it runs the `_parameter_constraints` validation at fit time (the
# house style, ../shared/STYLE.md), and scikit-learn has no public API that does.
from sklearn.base import _fit_context
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.utils.validation import check_is_fitted

_PARAMETER_CONSTRAINTS: dict = {
    "estimators": [list],
    "weights": ["array-like", None],
    "n_jobs": [None, Integral],
    "verbose": ["verbose"],
}


def _check_weights(weights: Any, n_estimators: int) -> np.ndarray:
    """The weights as floats, one per estimator, non-negative and not all zero."""
    if weights is None:
        return np.ones(n_estimators)
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or weights.shape[0] != n_estimators:
        raise ValueError(
            f"weights must hold one value per estimator: got {weights.size} weights for "
            f"{n_estimators} estimators."
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(f"weights must be finite and non-negative; got {weights.tolist()}.")
    return weights


def _is_fitted_attribute(name: str) -> bool:
    return name.endswith("_") and not name.startswith("_")


def _fit_members(
    ensemble: Any, make_voting: Callable[[list], Any], X: Any, y: Any, fit_params: dict
) -> Any:
    """Fit a voting estimator on the members with a positive weight; copy its fitted state.

    Members with zero weight are replaced by ``"drop"``, scikit-learn's placeholder for an
    estimator that is not fitted, so ``named_estimators_`` still lists every name in order.
    """
    names, estimators = ensemble._validate_estimators()  # the parent's checks and messages
    weights = _check_weights(ensemble.weights, len(estimators))
    members = [
        (name, "drop" if weight == 0 else estimator)
        for name, estimator, weight in zip(names, estimators, weights, strict=True)
    ]
    kept = [m[1] != "drop" for m in members]
    if not any(kept):
        raise ValueError(
            "No estimator to fit: every estimator is 'drop' or has weight 0. Give at least "
            "one estimator a positive weight."
        )
    voting = make_voting(members).fit(X, y, **fit_params)
    for name in [name for name in vars(ensemble) if _is_fitted_attribute(name)]:
        delattr(ensemble, name)  # nothing stale from an earlier fit
    for name, value in vars(voting).items():
        if _is_fitted_attribute(name):
            setattr(ensemble, name, value)
    ensemble.weights_ = weights[kept] / weights[kept].sum()
    return ensemble


class WeightedEnsembleRegressor(VotingRegressor):
    """Weighted average of regressors, fitting only the members with a positive weight.

    A :class:`sklearn.ensemble.VotingRegressor` (same parameters, attributes and
    ``get_params``/``set_params``, including ``name__param`` and ``"drop"``) that skips
    members whose weight is zero instead of fitting them, and whose ``predict`` can also
    return the weighted standard deviation of the members' predictions. Inputs, DataFrames
    included, are passed to the members unchanged.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members. Each is cloned and fitted on the whole training set, unless it is
        ``"drop"`` or its weight is zero.
    weights : array-like of shape (n_estimators,), default=None
        Non-negative weights of the members, for example from
        :func:`~pseudoboost.ensemble.ensemble_selection`; they are normalised to sum to one.
        None: equal weights.
    n_jobs : int, default=None
        Number of members fitted in parallel (joblib); None means 1.
    verbose : bool, default=False
        Print the time each member takes to fit.

    Attributes
    ----------
    estimators_ : list of regressors
        The fitted members, in order, without those that are ``"drop"`` or have weight 0.
    weights_ : ndarray of shape (len(estimators_),)
        Their normalised weights (positive, summing to one).
    named_estimators_ : :class:`~sklearn.utils.Bunch`
        Every member by name, in the order of ``estimators``; ``"drop"`` stands for a member
        that was not fitted.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when the members record them.

    See Also
    --------
    ensemble_selection : choose the weights from out-of-fold predictions.
    WeightedEnsembleClassifier : the classification counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from pseudoboost.ensemble import WeightedEnsembleRegressor
    >>> X = np.arange(20.0).reshape(-1, 1)
    >>> y = 2 * X.ravel()
    >>> ensemble = WeightedEnsembleRegressor(
    ...     [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
    ...     weights=[0.75, 0.25],
    ... ).fit(X, y)
    >>> ensemble.weights_
    array([0.75, 0.25])
    >>> mean, std = ensemble.predict(X[:2], return_std=True)
    >>> mean.round(2), std.round(2)
    (array([1. , 2.5]), array([1.73, 0.87]))
    >>> WeightedEnsembleRegressor(
    ...     [("linear", LinearRegression()), ("tree", DecisionTreeRegressor())], weights=[1, 0]
    ... ).fit(X, y).named_estimators_["tree"]
    'drop'
    """

    _parameter_constraints: dict = dict(_PARAMETER_CONSTRAINTS)

    def __init__(
        self,
        estimators: list[tuple[str, Any]],
        *,
        weights: Any = None,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(estimators, weights=weights, n_jobs=n_jobs, verbose=verbose)

    @_fit_context(prefer_skip_nested_validation=False)  # the members are validated later
    def fit(self, X: Any, y: Any, **fit_params: Any) -> WeightedEnsembleRegressor:
        """Fit clones of the members with a positive weight.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training rows, passed to the members as given.
        y : array-like of shape (n_samples,)
            Targets.
        **fit_params : dict
            ``sample_weight``, or with metadata routing enabled any parameter a member
            requests, as for :class:`~sklearn.ensemble.VotingRegressor`.

        Returns
        -------
        self : WeightedEnsembleRegressor
            The fitted ensemble.
        """
        return _fit_members(self, self._make_voting, X, y, fit_params)

    def _make_voting(self, members: list) -> VotingRegressor:
        return VotingRegressor(members, n_jobs=self.n_jobs, verbose=self.verbose)

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """Weighted average of the members' predictions.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Rows to predict, passed to the members as given.
        return_std : bool, default=False
            Also return the weighted standard deviation of the members' predictions, a cheap
            measure of their disagreement (0 for a single member, not a calibrated interval).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The weighted mean.
        y_std : ndarray of shape (n_samples,)
            The weighted standard deviation ``sqrt(sum_i w_i (p_i - mean)^2)``; only when
            ``return_std=True``.
        """
        check_is_fitted(self)
        member_predictions = self.transform(X)  # (n_samples, n_members)
        mean = member_predictions @ self.weights_
        if not return_std:
            return mean
        variance = (member_predictions - mean[:, np.newaxis]) ** 2 @ self.weights_
        return mean, np.sqrt(variance)


class WeightedEnsembleClassifier(VotingClassifier):
    """Weighted average of class probabilities, fitting only the members with a positive weight.

    A soft :class:`sklearn.ensemble.VotingClassifier` (same attributes and
    ``get_params``/``set_params``) that skips members whose weight is zero instead of
    fitting them. Every member must have ``predict_proba``. Inputs, DataFrames included,
    are passed to the members unchanged.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members. Each is cloned and fitted on the whole training set, unless it is
        ``"drop"`` or its weight is zero.
    weights : array-like of shape (n_estimators,), default=None
        Non-negative weights of the members, for example from
        :func:`~pseudoboost.ensemble.ensemble_selection`; they are normalised to sum to one.
        None: equal weights.
    n_jobs : int, default=None
        Number of members fitted in parallel (joblib); None means 1.
    verbose : bool, default=False
        Print the time each member takes to fit.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members, in order, without those that are ``"drop"`` or have weight 0.
        They are fitted on the encoded labels ``le_.transform(y)``.
    weights_ : ndarray of shape (len(estimators_),)
        Their normalised weights (positive, summing to one).
    named_estimators_ : :class:`~sklearn.utils.Bunch`
        Every member by name, in the order of ``estimators``; ``"drop"`` stands for a member
        that was not fitted.
    le_ : :class:`~sklearn.preprocessing.LabelEncoder`
        Encoder of the labels.
    classes_ : ndarray of shape (n_classes,)
        The class labels, the columns of ``predict_proba``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when the members record them.

    See Also
    --------
    ensemble_selection : choose the weights from out-of-fold probabilities.
    WeightedEnsembleRegressor : the regression counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from pseudoboost.ensemble import WeightedEnsembleClassifier
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> y = np.array(["no", "no", "yes", "yes"])
    >>> ensemble = WeightedEnsembleClassifier(
    ...     [("logistic", LogisticRegression()), ("bayes", GaussianNB())], weights=[3, 1]
    ... ).fit(X, y)
    >>> ensemble.classes_, ensemble.weights_
    (array(['no', 'yes'], dtype='<U3'), array([0.75, 0.25]))
    >>> ensemble.predict([[-3.0], [3.0]])
    array(['no', 'yes'], dtype='<U3')
    """

    _parameter_constraints: dict = dict(_PARAMETER_CONSTRAINTS)

    # Fixed settings of the parent: probabilities are averaged (soft voting), and
    # ``transform`` returns them side by side. Class attributes, not parameters.
    voting = "soft"
    flatten_transform = True

    def __init__(
        self,
        estimators: list[tuple[str, Any]],
        *,
        weights: Any = None,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.estimators = estimators
        self.weights = weights
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)  # the members are validated later
    def fit(self, X: Any, y: Any, **fit_params: Any) -> WeightedEnsembleClassifier:
        """Fit clones of the members with a positive weight.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training rows, passed to the members as given.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            ``sample_weight``, or with metadata routing enabled any parameter a member
            requests, as for :class:`~sklearn.ensemble.VotingClassifier`.

        Returns
        -------
        self : WeightedEnsembleClassifier
            The fitted ensemble.
        """
        return _fit_members(self, self._make_voting, X, y, fit_params)

    def _make_voting(self, members: list) -> VotingClassifier:
        return VotingClassifier(members, voting="soft", n_jobs=self.n_jobs, verbose=self.verbose)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Weighted average of the members' class probabilities.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Rows to predict, passed to the members as given.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        member_probas = np.asarray([member.predict_proba(X) for member in self.estimators_])
        return np.tensordot(self.weights_, member_probas, axes=1)
