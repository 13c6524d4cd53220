"""Preprocessing: turn raw tables into model inputs, learning only from the rows given to fit."""

from __future__ import annotations

from pseudoboost.preprocessing._auto import AutoPreprocessor
from pseudoboost.preprocessing._bigmart import BigMartPreprocessor

__all__ = [
    "AutoPreprocessor",
    "BigMartPreprocessor",
]
