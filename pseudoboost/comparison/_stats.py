"""Nadeau and Bengio's corrected resampled t-test for paired cross-validation scores."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy import stats

_ALTERNATIVES = ("two-sided", "less", "greater")


class CorrectedTTestResult(NamedTuple):
    """Result of :func:`corrected_ttest`.

    Attributes
    ----------
    statistic : float
        The corrected t statistic, ``mean / std_error``; its sign is the sign of the mean.
    p_value : float
        The p-value for ``alternative``.
    df : int
        Degrees of freedom, ``k - 1`` for ``k`` paired differences.
    mean : float
        Mean of the differences.
    std_error : float
        Corrected standard error ``sqrt((1/k + n_test/n_train) * var(diffs, ddof=1))``.
    """

    statistic: float
    p_value: float
    df: int
    mean: float
    std_error: float


def corrected_ttest(
    diffs: Any, n_train: float, n_test: float, *, alternative: str = "two-sided"
) -> CorrectedTTestResult:
    """Corrected resampled t-test on paired per-fold score differences.

    The folds of a (repeated) k-fold cross-validation share most of their training rows,
    so the per-fold differences between two models are correlated and the naive paired
    t-test, whose variance term is ``var / k``, is far too confident. Nadeau and Bengio
    (2003) replace ``1/k`` by ``1/k + n_test/n_train``, which widens the standard error and
    makes the test conservative enough to keep its nominal error rate. For ``r`` repeats of
    k-fold CV pass all ``r * k`` differences: this is the corrected repeated k-fold test of
    Bouckaert and Frank (2004).

    Parameters
    ----------
    diffs : array-like of shape (k,)
        Paired differences of scores, one per fold (e.g. model A minus model B on the
        same train/test split), ``k >= 2``.
    n_train : float
        Number of training rows of one fold (the mean when folds differ slightly).
    n_test : float
        Number of test rows of one fold (the mean when folds differ slightly).
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        The alternative hypothesis about the mean difference.

    Returns
    -------
    CorrectedTTestResult
        ``statistic``, ``p_value``, ``df``, ``mean`` and ``std_error``. When every
        difference is identical the variance is zero: a zero mean gives statistic 0 and
        p-value 1 (no evidence of any difference), a non-zero mean gives an infinite
        statistic and p-value 0 (for the matching alternative).

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the Generalization Error", Machine Learning
    52, 239-281 (2003).

    R. R. Bouckaert and E. Frank, "Evaluating the Replicability of Significance Tests for
    Comparing Learning Algorithms", PAKDD 2004, LNCS 3056, 3-12.

    Examples
    --------
    >>> from pseudoboost.comparison import corrected_ttest
    >>> result = corrected_ttest([1, 2, 3, 4, 5], n_train=400, n_test=100)
    >>> round(result.statistic**2, 6)  # t = 2 * sqrt(2)
    8.0
    >>> round(result.p_value, 4)
    0.0474
    """
    d = np.asarray(diffs, dtype=float).ravel()
    if d.size < 2:
        raise ValueError(f"corrected_ttest needs at least 2 paired differences, got {d.size}.")
    if not np.all(np.isfinite(d)):
        raise ValueError("diffs contains NaN or infinite values: every fold needs a finite score.")
    if not (np.isfinite(n_train) and n_train > 0 and np.isfinite(n_test) and n_test > 0):
        raise ValueError(
            f"n_train and n_test must be positive row counts, got n_train={n_train!r}, "
            f"n_test={n_test!r}."
        )
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}.")

    k = d.size
    dof = k - 1
    mean = float(d.mean())
    variance = float(d.var(ddof=1))
    std_error = float(np.sqrt((1.0 / k + n_test / n_train) * variance))
    if std_error == 0.0:
        if mean == 0.0:
            return CorrectedTTestResult(0.0, 1.0, dof, 0.0, std_error)
        statistic = float(np.copysign(np.inf, mean))
    else:
        statistic = mean / std_error

    t_dist = stats.t(dof)
    if alternative == "two-sided":
        p_value = 2.0 * t_dist.sf(abs(statistic))
    elif alternative == "greater":
        p_value = t_dist.sf(statistic)
    else:
        p_value = t_dist.cdf(statistic)
    return CorrectedTTestResult(float(statistic), float(min(p_value, 1.0)), dof, mean, std_error)
