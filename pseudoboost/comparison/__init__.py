"""Honest comparison of fixed models across pseudo-label sample rates.

:func:`compare` scores every (model, sample_rate) pair on the same folds and tests each
rate against the same model's supervised fit with Nadeau and Bengio's corrected resampled
t-test (:func:`corrected_ttest`); :func:`plot_sample_rate_curve` and
:func:`plot_comparison` draw its summary.
"""

from __future__ import annotations

from typing import Any

from pseudoboost.comparison._compare import compare
from pseudoboost.comparison._stats import CorrectedTTestResult, corrected_ttest

# The plots import matplotlib on first use, so joblib workers of compare() do not pay for it.
_PLOTS = ("plot_comparison", "plot_sample_rate_curve")

__all__ = [
    "CorrectedTTestResult",
    "compare",
    "corrected_ttest",
    "plot_comparison",
    "plot_sample_rate_curve",
]


def __getattr__(name: str) -> Any:
    if name in _PLOTS:
        from pseudoboost.comparison import _plot

        return getattr(_plot, name)
    raise AttributeError(f"module 'pseudoboost.comparison' has no attribute {name!r}")
