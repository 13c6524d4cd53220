"""Local search: a step from a model's best configuration, as FLAML's CFO takes.

Within a 2-minute budget a model gets a handful of trials after its default; drawn from its
whole space by the sampler, nearly all of them are far worse than the default and are pruned
after one fold (UCI parkinsons: 35 ExtraTrees trials in 16 s, none within 50% of the best).
A step of a few percent of each range from the best configuration stays where the model is
good, so each trial is a fair chance to improve it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution

LOCAL_STEP = 0.05  # standard deviation of a step per hyperparameter, as a share of its range


def neighbour(
    params: Mapping[str, Any],
    distributions: Mapping[str, BaseDistribution],
    rng: np.random.Generator,
    step: float = LOCAL_STEP,
) -> dict[str, Any]:
    """``params`` with each numeric hyperparameter moved by a Gaussian step.

    The step's standard deviation is ``step`` times the range of the hyperparameter's
    distribution, on a log scale where the distribution is; the value is rounded to the
    distribution's step and kept inside it. Categorical and fixed values are kept.

    Parameters
    ----------
    params : mapping
        A configuration: hyperparameter name to value.
    distributions : mapping
        Each hyperparameter's distribution (others are kept as they are).
    rng : numpy.random.Generator
    step : float, default=LOCAL_STEP

    Returns
    -------
    dict
    """
    moved = dict(params)
    for key, value in params.items():
        distribution = distributions.get(key)
        if isinstance(distribution, (FloatDistribution, IntDistribution)):
            if distribution.high > distribution.low:
                moved[key] = _move(distribution, value, float(rng.normal(0.0, step)))
    return moved


def _move(distribution: FloatDistribution | IntDistribution, value: Any, delta: float) -> Any:
    """``value`` moved by ``delta`` of the distribution's (log) range, inside it."""
    scale = math.log if distribution.log else float
    unscale = math.exp if distribution.log else float
    low, high = scale(distribution.low), scale(distribution.high)
    share = (scale(min(max(value, distribution.low), distribution.high)) - low) / (high - low)
    target = min(max(share + delta, 0.0), 1.0)
    if target == share:  # no step: the value itself, not its round trip through the scale
        return value
    moved = unscale(low + target * (high - low))
    grid = distribution.step
    if grid is not None:
        moved = distribution.low + round((moved - distribution.low) / grid) * grid
    moved = min(max(moved, distribution.low), distribution.high)
    return int(round(moved)) if isinstance(distribution, IntDistribution) else float(moved)
