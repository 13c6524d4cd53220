"""Datasets: the real Big Mart Sales files and a generated look-alike for offline use."""

from __future__ import annotations

from pseudoboost.datasets._bigmart import load_bigmart
from pseudoboost.datasets._schema import (
    BIGMART_FEATURES,
    BIGMART_ID_COLUMNS,
    BIGMART_NUMERIC_COLUMNS,
    BIGMART_TARGET,
    check_bigmart_frame,
)
from pseudoboost.datasets._synthetic import make_bigmart_like

__all__ = [
    "BIGMART_FEATURES",
    "BIGMART_ID_COLUMNS",
    "BIGMART_NUMERIC_COLUMNS",
    "BIGMART_TARGET",
    "check_bigmart_frame",
    "load_bigmart",
    "make_bigmart_like",
]
