"""One place that turns a ``scoring`` argument into a scorer and a readable metric.

Tuning and comparison report scores in the metric's natural orientation (an RMSE is a
positive number, lower is better), because that is what users compare with a leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.metrics import check_scoring, get_scorer

DEFAULT_SCORING = {"regression": "neg_root_mean_squared_error", "classification": "accuracy"}


@dataclass(frozen=True)
class Metric:
    """A scorer with the name and orientation users read.

    Attributes
    ----------
    scorer : callable
        A scikit-learn scorer ``scorer(estimator, X, y)`` (greater is better).
    name : str
        The metric's readable name, e.g. ``"rmse"`` for ``"neg_root_mean_squared_error"``.
    greater_is_better : bool
        Orientation of :meth:`natural` values.
    """

    scorer: Any
    name: str
    greater_is_better: bool

    def natural(self, value: float) -> float:
        """Convert a scorer value (greater is better) to the metric's natural sign."""
        return float(value) if self.greater_is_better else -float(value)

    def score(self, estimator: Any, X: Any, y: Any) -> float:
        """Score ``estimator`` on ``(X, y)`` in the metric's natural sign."""
        return self.natural(self.scorer(estimator, X, y))


_NATURAL_NAMES = {
    "neg_root_mean_squared_error": "rmse",
    "neg_mean_squared_error": "mse",
    "neg_mean_absolute_error": "mae",
    "neg_log_loss": "log_loss",
    "neg_root_mean_squared_log_error": "rmsle",
    "neg_median_absolute_error": "median_ae",
    "neg_mean_absolute_percentage_error": "mape",
}


def resolve_metric(scoring: str | Any | None, task: str) -> Metric:
    """Resolve ``scoring`` (None, a scorer name or a scorer callable) for ``task``.

    Parameters
    ----------
    scoring : str, callable or None
        None picks RMSE for regression and accuracy for classification. A scorer name
        starting with ``neg_`` is reported as the positive loss (``"neg_mean_squared_error"``
        as ``"mse"``, lower is better). A callable ``scorer(estimator, X, y)`` is, as every
        scikit-learn scorer, greater-is-better: its values are reported as it returns them,
        under its ``__name__`` (a function) or ``"score"`` (a scorer object). So
        ``make_scorer(mean_squared_error, greater_is_better=False)`` reports the negative
        MSE; pass ``"neg_mean_squared_error"`` to read a positive MSE.
    task : {"regression", "classification"}
        The learning task.

    Returns
    -------
    Metric

    Examples
    --------
    >>> from sklearn.metrics import make_scorer, mean_squared_error
    >>> resolve_metric("neg_mean_squared_error", "regression").name
    'mse'
    >>> metric = resolve_metric(make_scorer(mean_squared_error, greater_is_better=False),
    ...                         "regression")
    >>> metric.name, metric.greater_is_better
    ('score', True)
    """
    if scoring is None:
        scoring = DEFAULT_SCORING[task]
    if isinstance(scoring, str):
        try:
            scorer = get_scorer(scoring)
        except ValueError:
            raise ValueError(
                f"Unknown scoring {scoring!r}: use a scikit-learn scorer name such as "
                f"'neg_root_mean_squared_error', 'r2' or 'accuracy'."
            ) from None
        if scoring.startswith("neg_"):
            return Metric(scorer, _NATURAL_NAMES.get(scoring, scoring[4:]), False)
        return Metric(scorer, scoring, True)
    scorer = check_scoring(None, scoring=scoring)
    return Metric(scorer, getattr(scorer, "__name__", "score"), True)
