"""Small scikit-learn estimators the zoo needs and scikit-learn does not ship as such.

- :class:`ARDGaussianProcessRegressor`: a Gaussian process with one RBF length scale per
  feature (ARD), whose kernel needs the number of features and is therefore built in ``fit``.
- :class:`WeightedTransformedTargetRegressor`: ``TransformedTargetRegressor`` whose ``fit``
  names ``sample_weight``, so pseudo-labels can be down-weighted (``pseudo_weight``).
- :class:`ClippedRegressor`: predictions kept inside the range of the training targets, so
  that linear and kernel models do not extrapolate on rows far outside the labelled ones.
- :class:`GLMFeatures`: the columns a log-link linear model needs, found at fit time: one-hot
  codes for low-cardinality columns, the other columns standardised and, where positive, their
  logarithms too.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    RegressorMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import (
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
    validate_data,
)

# An ARD length scale at its upper bound means "this feature does not matter": expected, and
# not worth a warning per fit. Other convergence warnings (a failed optimiser) still show.
_BOUND_WARNING = r"(?s).*close to the specified (upper|lower) bound"


TRIVIAL_SIGNAL = 0.01  # kernel signal share below which a Gaussian process predicts the mean
RESTART_NOISE = 1e-2  # the noise level (of the normalised target) of the second start


def _signal_share(kernel: Any) -> float:
    """The share of the (normalised) target's variance a fitted ``Constant * RBF + White``
    kernel gives to the signal rather than to noise."""
    signal = float(kernel.k1.k1.constant_value)
    return signal / (signal + float(kernel.k2.noise_level))


class ARDGaussianProcessRegressor(RegressorMixin, BaseEstimator):
    """Gaussian process regression with an ARD kernel built for the data at fit time.

    The kernel is ``ConstantKernel * RBF(length_scale=[l] * n_features) + WhiteKernel``: one
    length scale per feature (automatic relevance determination), a signal variance and a
    noise level, all fitted by maximising the marginal likelihood. Targets are normalised
    (``normalize_y=True``); standardise the features beforehand (the zoo's
    ``gaussian_process`` model is ``StandardScaler`` + this). When the fit ends with almost
    all the variance in the noise (it would predict the mean everywhere), the optimiser runs
    once more from a start close to the data (noise 0.01, length scales 1) and the fit with the
    higher marginal likelihood is kept: that "all noise" local optimum is reachable from the
    default start on real tables.

    Parameters
    ----------
    noise_level : float, default=0.1
        Initial ``WhiteKernel`` noise, as a fraction of the target variance.
    length_scale : float or None, default=None
        Initial length scale of every feature; None starts at ``sqrt(n_features)``, the
        typical distance between standardised rows.
    n_restarts_optimizer : int, default=0
        Extra optimiser runs from random starting kernels (the best one is kept).
    random_state : int, RandomState instance or None, default=None
        Seeds the restarts.

    Attributes
    ----------
    gaussian_process_ : GaussianProcessRegressor
        The fitted process.
    kernel_ : kernel
        The fitted kernel.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from pseudoboost.models import ARDGaussianProcessRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3))
    >>> y = np.sin(X[:, 0]) + 0.05 * rng.normal(size=40)
    >>> gp = ARDGaussianProcessRegressor(random_state=0).fit(X, y)
    >>> mean, std = gp.predict(X[:2], return_std=True)
    >>> mean.shape, std.shape
    ((2,), (2,))
    >>> len(gp.kernel_.k1.k2.length_scale)
    3
    """

    _parameter_constraints: dict = {
        "noise_level": [Interval(Real, 0, None, closed="neither")],
        "length_scale": [Interval(Real, 0, None, closed="neither"), None],
        "n_restarts_optimizer": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        noise_level: float = 0.1,
        length_scale: float | None = None,
        n_restarts_optimizer: int = 0,
        random_state: Any = None,
    ) -> None:
        self.noise_level = noise_level
        self.length_scale = length_scale
        self.n_restarts_optimizer = n_restarts_optimizer
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _kernel(self, n_features: int, noise_level: float, length_scale: float | None) -> Any:
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        scale = np.sqrt(n_features) if length_scale is None else length_scale
        return ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
            length_scale=np.full(n_features, float(scale)), length_scale_bounds=(1e-2, 1e3)
        ) + WhiteKernel(noise_level, noise_level_bounds=(1e-6, 1e1))

    def _process(
        self, X: np.ndarray, y: np.ndarray, noise_level: float, length_scale: float | None
    ) -> Any:
        """A ``GaussianProcessRegressor`` fitted from the kernel started at these values."""
        from sklearn.gaussian_process import GaussianProcessRegressor

        process = GaussianProcessRegressor(
            kernel=self._kernel(X.shape[1], noise_level, length_scale),
            normalize_y=True,
            n_restarts_optimizer=self.n_restarts_optimizer,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_BOUND_WARNING, category=ConvergenceWarning)
            return process.fit(X, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> ARDGaussianProcessRegressor:
        """Fit the kernel's hyperparameters and the process to ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (standardised features work best).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.

        Returns
        -------
        self : ARDGaussianProcessRegressor
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        process = self._process(X, y, self.noise_level, self.length_scale)
        if _signal_share(process.kernel_) < TRIVIAL_SIGNAL:
            # The optimiser stopped at "all noise" (predict the mean), a local optimum it can
            # fall into from the default start (parkinsons, 300 rows: test RMSE = the target's
            # spread). Start again close to the data and keep the likelier fit.
            other = self._process(X, y, RESTART_NOISE, 1.0)
            if other.log_marginal_likelihood_value_ > process.log_marginal_likelihood_value_:
                process = other
        self.gaussian_process_ = process
        self.kernel_ = process.kernel_
        return self

    def predict(
        self, X: Any, return_std: bool = False, return_cov: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predictive mean, and optionally its standard deviation or covariance.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query points.
        return_std : bool, default=False
            Also return the predictive standard deviation (noise included), in target units.
        return_cov : bool, default=False
            Also return the predictive covariance.

        Returns
        -------
        mean : ndarray of shape (n_samples,) or (n_samples, n_targets)
        std or cov : ndarray, only when asked for
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.gaussian_process_.predict(X, return_std=return_std, return_cov=return_cov)


class WeightedTransformedTargetRegressor(TransformedTargetRegressor):
    """``TransformedTargetRegressor`` whose ``fit`` declares ``sample_weight``.

    scikit-learn's version forwards ``sample_weight`` through ``**fit_params`` but does not
    name it, so ``has_fit_parameter`` (and with it pseudo-labelling's ``pseudo_weight``)
    cannot see that the wrapped regressor takes weights. Parameters are those of
    :class:`~sklearn.compose.TransformedTargetRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVR
    >>> from sklearn.utils.validation import has_fit_parameter
    >>> from pseudoboost.models import WeightedTransformedTargetRegressor
    >>> model = WeightedTransformedTargetRegressor(SVR(), transformer=StandardScaler())
    >>> has_fit_parameter(model, "sample_weight")
    True
    >>> X, y = np.arange(20.0).reshape(-1, 1), 1000 * np.arange(20.0)
    >>> _ = model.fit(X, y, sample_weight=np.ones(20))
    """

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any
    ) -> WeightedTransformedTargetRegressor:
        """Fit the regressor on the transformed target, with optional sample weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the regressor's ``fit`` when given.
        **fit_params : dict
            Other fit parameters of the regressor.

        Returns
        -------
        self : WeightedTransformedTargetRegressor
        """
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        return super().fit(X, y, **fit_params)


class ClippedRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """A regressor whose predictions stay inside the range of the targets it was fitted on.

    Trees never predict outside that range; linear and kernel models do, without bound, on
    rows far from the labelled ones (heavy-tailed features, a pool or test file with
    extremes the few labels never showed). One such prediction can dominate an RMSE: on the
    UCI SkillCraft table with 100 labels, clipping a ridge model's predictions lowered its test
    RMSE by up to 79% (benchmarks/RESULTS.md). The zoo wraps its linear and kernel regressors in it.

    Parameters
    ----------
    regressor : estimator
        The regressor to fit and clip; cloned in ``fit``.

    Attributes
    ----------
    regressor_ : estimator
        The fitted clone of ``regressor``.
    y_min_, y_max_ : float
        The smallest and largest training target: the prediction range.
    n_features_in_ : int
        Number of features seen during ``fit`` (when the regressor records it).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from pseudoboost.models import ClippedRegressor
    >>> X, y = np.arange(10.0).reshape(-1, 1), np.arange(10.0)
    >>> model = ClippedRegressor(LinearRegression()).fit(X, y)
    >>> model.predict([[-5.0], [4.0], [100.0]])
    array([0., 4., 9.])
    """

    _parameter_constraints: dict = {"regressor": [HasMethods(["fit", "predict"])]}

    def __init__(self, regressor: Any) -> None:
        self.regressor = regressor

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = self.regressor.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> ClippedRegressor:
        """Fit the regressor and record the range of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed on when given (to a Pipeline's last step).
        **fit_params : dict
            Other fit parameters of the regressor.

        Returns
        -------
        self : ClippedRegressor
        """
        y = column_or_1d(y, warn=True)
        self.regressor_ = clone(self.regressor)
        if sample_weight is not None:
            fit_params[sample_weight_key(self.regressor_)] = sample_weight
        self.regressor_.fit(X, y, **fit_params)
        targets = np.asarray(y, dtype=float)
        self.y_min_, self.y_max_ = float(np.min(targets)), float(np.max(targets))
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.regressor_, name):
                setattr(self, name, getattr(self.regressor_, name))
        return self

    def predict(self, X: Any, **predict_params: Any) -> Any:
        """Predictions of the fitted regressor, clipped to ``[y_min_, y_max_]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        **predict_params : dict
            Passed to the regressor's ``predict`` (e.g. ``return_std=True``); only the mean
            is clipped.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,), or a tuple (y_pred, std...) as the regressor's
        """
        check_is_fitted(self)
        predicted = self.regressor_.predict(X, **predict_params)
        if isinstance(predicted, tuple):
            return (np.clip(predicted[0], self.y_min_, self.y_max_), *predicted[1:])
        return np.clip(predicted, self.y_min_, self.y_max_)


def _log_above(X: np.ndarray, low: np.ndarray) -> np.ndarray:
    """``log(X)`` with each column floored at its smallest training value (positive)."""
    return np.log(np.maximum(X, low))


class GLMFeatures(TransformerMixin, BaseEstimator):
    """Columns for a linear model with a log link, chosen from the training data.

    - a column of whole numbers with at most ``max_categories`` distinct values (codes of a
      category: store, season, type) becomes one-hot columns, so the model learns one
      multiplicative effect per category; values not seen in ``fit`` get all zeros;
    - every other column is standardised and, when all its training values are positive, its
      standardised logarithm is added: under a log link ``b * log(x)`` is the power law
      ``y ~ x ** b`` (``b = 1``: a target proportional to a price or a size). Values below the
      training minimum are floored at it before the logarithm.

    Parameters
    ----------
    max_categories : int, default=16
        The most distinct whole-number values a column may have to be one-hot encoded.

    Attributes
    ----------
    categorical_ : ndarray of bool of shape (n_features_in_,)
        The one-hot encoded columns.
    logged_ : ndarray of bool of shape (n_features_in_,)
        The columns whose logarithm is added.
    transformer_ : ColumnTransformer
        The fitted encoding.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from pseudoboost.models import GLMFeatures
    >>> X = np.array([[0, 10.5], [1, 20.1], [2, 40.2], [1, 5.3]])
    >>> features = GLMFeatures().fit(X)
    >>> features.categorical_.tolist(), features.logged_.tolist()
    ([True, False], [False, True])
    >>> features.transform(X).shape  # 3 one-hot + the value + its logarithm
    (4, 5)
    """

    _parameter_constraints: dict = {"max_categories": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, max_categories: int = 16) -> None:
        self.max_categories = max_categories

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> GLMFeatures:
        """Choose each column's encoding and fit it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training data without missing values.
        y : None
            Ignored.

        Returns
        -------
        self : GLMFeatures
        """
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

        X = validate_data(self, X, dtype=np.float64)
        whole = np.all(X == np.round(X), axis=0)
        few = np.array([len(np.unique(column)) <= self.max_categories for column in X.T])
        self.categorical_ = whole & few
        self.logged_ = ~self.categorical_ & np.all(X > 0, axis=0)
        numeric, logged = np.flatnonzero(~self.categorical_), np.flatnonzero(self.logged_)
        log = FunctionTransformer(_log_above, kw_args={"low": X[:, logged].min(axis=0)})
        self.transformer_ = ColumnTransformer(
            [
                ("categories", OneHotEncoder(handle_unknown="ignore"), self.categorical_),
                ("values", StandardScaler(), numeric),
                ("logs", make_pipeline(log, StandardScaler()), logged),
            ],
            sparse_threshold=0.0,
        ).fit(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The encoded columns: one-hot codes, standardised values, standardised logarithms.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to encode.

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.transformer_.transform(X)


def sample_weight_key(estimator: Any) -> str | None:
    """The fit keyword that carries sample weights to ``estimator``, or None if it has none.

    A Pipeline routes them to its last step as ``<step>__sample_weight``; a
    :class:`ClippedRegressor` takes them when the regressor it wraps does.
    """
    if isinstance(estimator, ClippedRegressor):
        return "sample_weight" if sample_weight_key(estimator.regressor) is not None else None
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return f"{name}__sample_weight" if sample_weight_key(last) is not None else None
    return "sample_weight" if has_fit_parameter(estimator, "sample_weight") else None
