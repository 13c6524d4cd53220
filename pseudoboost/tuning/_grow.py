"""Growing the returned forests with the time a budgeted search leaves.

A bagged forest's trees are a budget, not a hyperparameter: more trees only lower the
variance of its predictions. The search scores each forest at a size it can afford on every
fold; the final refit is one fit, not five, and what is left of the budget after it can
hold more trees. UCI parkinsons (1,900 labelled rows, hold-out of 1,900, split seeds 0-4):
ExtraTrees at 800 trees instead of 200 lowers the hold-out RMSE by 0.6-3.5% supervised and
by 1.0-3.7% self-trained; 5-fold CV on five other UCI tables at 1,000 trees: 0.3-3.7%
(benchmarks/bench_forest_growth.py, benchmarks/RESULTS.md). Scikit-learn's forests draw
each tree's seed in turn from ``random_state``, so the grown forest keeps the searched forest's trees and adds others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pseudoboost.models import ModelSpec
from pseudoboost.tuning._space import SearchSpace

MAX_GROWTH = 4.0  # a refitted forest has at most this many times its searched trees
MIN_GROWTH = 1.5  # below this the gain is not worth returning other than what was scored
GROWTH_SHARE = 0.5  # of the time left that the whole refit, grown forests included, may take


def growth_factor(refits: Iterable[tuple[ModelSpec, float]], seconds_left: float | None) -> float:
    """How many times its searched size each growable model (``ModelSpec.grows``) of the
    refit gets: as many as ``GROWTH_SHARE`` of ``seconds_left`` holds, the others' refits
    counted first, at most ``MAX_GROWTH``; 1 below ``MIN_GROWTH`` or without a time budget.

    Parameters
    ----------
    refits : iterable of (ModelSpec, float)
        Each model the refit fits, with its estimated refit seconds at its searched size
        (a fit's time grows about linearly with a forest's trees).
    seconds_left : float or None
        Seconds left in the budget (None: no time budget, nothing grows).

    Returns
    -------
    float

    Examples
    --------
    >>> from pseudoboost.models import get_model
    >>> refits = [(get_model("extra_trees"), 2.0), (get_model("ridge"), 1.0)]
    >>> growth_factor(refits, 12.0), growth_factor(refits, 100.0), growth_factor(refits, 6.0)
    (2.5, 4.0, 1.0)
    """
    if seconds_left is None:
        return 1.0
    refits = list(refits)
    growable = sum(seconds for spec, seconds in refits if spec.grows is not None)
    if growable <= 0:
        return 1.0
    total = sum(seconds for _, seconds in refits)
    factor = min(1.0 + (GROWTH_SHARE * seconds_left - total) / growable, MAX_GROWTH)
    return factor if factor >= MIN_GROWTH else 1.0


def grow(
    space: SearchSpace, spec: ModelSpec, params: Mapping[str, Any], factor: float
) -> dict[str, Any]:
    """``params`` with ``spec.grows`` multiplied by ``factor`` (rounded); unchanged for a
    model that does not grow, or when the user fixed that parameter in ``search_space``."""
    name = spec.grows
    if factor == 1.0 or name is None or name not in params:
        return dict(params)
    if space.fixed(space.param_name(spec, name)) is not None:
        return dict(params)
    return {**params, name: max(int(params[name]), round(int(params[name]) * factor))}
