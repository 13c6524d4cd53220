"""pseudoboost: tuned, leak-free pseudo-labelling for scikit-learn models.

The estimators live in :mod:`pseudoboost.pseudo_label`; tuning, comparison, datasets,
preprocessing, the model zoo and the Keras image adapter live in their own subpackages.
"""

from __future__ import annotations

import importlib
from typing import Any

from pseudoboost._version import __version__
from pseudoboost.pseudo_label import PseudoLabelClassifier, PseudoLabelRegressor

# Heavier public names are imported on first use so `import pseudoboost` stays fast.
_LAZY = {
    "tune": "pseudoboost.tuning",
    "TuneResult": "pseudoboost.tuning",
    "compare": "pseudoboost.comparison",
    "corrected_ttest": "pseudoboost.comparison",
    "plot_comparison": "pseudoboost.comparison",
    "plot_sample_rate_curve": "pseudoboost.comparison",
}

__all__ = [
    "PseudoLabelClassifier",
    "PseudoLabelRegressor",
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pseudoboost' has no attribute {name!r}")
