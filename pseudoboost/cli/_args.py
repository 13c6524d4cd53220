"""Argument types that reject bad numbers with a message saying what is expected."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(text: str, kind: type) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}, got {text!r}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``."""

    def parse(text: str) -> int:
        value = _number(text, int)
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
        return int(value)

    parse.__name__ = f"integer >= {low}"
    return parse


def positive_float(text: str) -> float:
    """An argparse type: a number > 0."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return float(value)


def n_jobs(text: str) -> int:
    """An argparse type: a positive number of workers, or -1 for one per CPU."""
    value = _number(text, int)
    if value < 1 and value != -1:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of workers or -1 (one per CPU), got {text!r}"
        )
    return int(value)


def seed(text: str) -> int:
    """An argparse type: a seed in [0, 2**32 - 1]."""
    value = _number(text, int)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer in [0, 4294967295], got {text!r}")
    return int(value)


def sample_rates(text: str) -> list[float]:
    """An argparse type: comma-separated shares of the pool, each in [0, 1]."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(
            f"expected numbers in [0, 1] like 0,0.2,0.5,1, got {text!r}"
        )
    rates = []
    for part in parts:
        value = _number(part, float)
        if not 0 <= value <= 1:
            raise argparse.ArgumentTypeError(
                f"each sample rate must be in [0, 1] (a share of the test rows), got {part!r}"
            )
        rates.append(float(value))
    return rates
