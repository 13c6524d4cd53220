"""The text of ``pseudoboost models``: each model's facts, as the zoo and the tuner hold them."""

from __future__ import annotations

from typing import Any

from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution

INDENT = " " * 26


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def distribution_text(name: str, distribution: BaseDistribution) -> str:
    """``name`` and its range in one short phrase: ``learning_rate 0.005..0.3 log``."""
    if isinstance(distribution, CategoricalDistribution):
        return f"{name} {'|'.join(_value(choice) for choice in distribution.choices)}"
    low, high = getattr(distribution, "low", None), getattr(distribution, "high", None)
    if low == high:
        return f"{name} {_value(low)}"
    text = f"{name} {_value(low)}..{_value(high)}"
    step = getattr(distribution, "step", None)
    if step is not None and not (isinstance(distribution, IntDistribution) and step == 1):
        text += f" step {_value(step)}"
    if getattr(distribution, "log", False):
        text += " log"
    return text


def model_lines(spec: Any, n_rows: int | None, knobs: dict[str, BaseDistribution]) -> list[str]:
    """The lines of one model: description, cost and rows, ranges, defaults and
    alternatives (only what differs from the defaults), its knobs.

    ``n_rows`` clips the ranges and defaults to what a fit on that many rows can use
    (``ModelSpec.space_for`` / ``defaults_for``); ``knobs`` are the pseudo-labelling knobs
    the model really gets.
    """
    from pseudoboost.tuning._grow import MAX_GROWTH
    from pseudoboost.tuning._space import accepts_weights

    space = spec.search_space if n_rows is None else spec.space_for(n_rows)
    defaults = spec.defaults if n_rows is None else spec.defaults_for(n_rows)
    rows = "any number of rows" if spec.max_rows is None else f"up to {spec.max_rows:,} rows"
    if n_rows is not None and not spec.fits(n_rows):
        rows += f": left out of --model all at {n_rows:,}"
    if spec.nonnegative_target:
        rows += ", targets >= 0 only"
    lines = [
        f"  {spec.name:<24}{spec.description}",
        f"{INDENT}cost rank {spec.cost} of 5 (1 cheapest), {rows}",
        f"{INDENT}tunes: "
        + (", ".join(distribution_text(k, d) for k, d in space.items()) or "(nothing)"),
    ]
    if defaults:
        starts = ", ".join(f"{key}={_value(value)}" for key, value in defaults.items())
        lines.append(f"{INDENT}starts at: {starts}")
    alternatives = spec.alternatives if n_rows is None else spec.alternatives_for(n_rows)
    for alternative in alternatives:
        changed = {k: v for k, v in alternative.items() if defaults.get(k) != v}
        then = ", ".join(f"{key}={_value(value)}" for key, value in changed.items())
        lines.append(f"{INDENT}then tries: {then}")
    if spec.grows is not None:
        lines.append(
            f"{INDENT}refit: up to {MAX_GROWTH:g} times its {spec.grows} with the time left"
        )
    names = list(knobs)
    note = ""
    if not accepts_weights(spec):
        names.remove("pseudo_weight")
        note = " (no pseudo_weight: its fit takes no sample_weight)"
    lines.append(f"{INDENT}pseudo-labelling: {', '.join(names)}{note}")
    return lines


def knobs_line(task: str, knobs: dict[str, BaseDistribution]) -> str:
    """The task's pseudo-labelling knobs with their ranges."""
    ranges = ", ".join(distribution_text(name, d) for name, d in knobs.items())
    return f"  pseudo-labelling knobs ({task}), tuned with each model: {ranges}"
