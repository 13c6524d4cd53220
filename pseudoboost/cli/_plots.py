"""The tuning report's figures, drawn from the study's trials (no pyplot state)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from optuna.trial import TrialState


def _complete(study: Any) -> list[Any]:
    return [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]


def _label(result: Any) -> str:
    better = "higher" if result.greater_is_better else "lower"
    return f"CV {result.metric} ({better} is better)"


def optimisation_history(result: Any) -> Figure:
    """Each completed trial's CV score, the best so far, and the supervised baseline."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    trials = _complete(result.study)
    numbers = np.array([t.number for t in trials])
    values = np.array([t.value for t in trials], dtype=float)
    ax.scatter(numbers, values, s=18, color="tab:blue", alpha=0.7, label="trial")
    if len(values):
        best = (
            np.maximum.accumulate(values)
            if result.greater_is_better
            else np.minimum.accumulate(values)
        )
        ax.step(numbers, best, where="post", color="tab:red", label="best so far")
    ax.axhline(
        result.supervised_score,
        color="0.4",
        linestyle="--",
        label=f"supervised baseline ({result.supervised_score:.5g})",
    )
    n_pruned = sum(t.state == TrialState.PRUNED for t in result.study.get_trials(deepcopy=False))
    ax.set_xlabel(f"trial ({len(trials)} completed, {n_pruned} pruned)")
    ax.set_ylabel(_label(result))
    ax.set_title("Optimisation history")
    _zoom(ax, values, result)
    ax.legend(loc="best", fontsize="small")
    return fig


def _zoom(ax: Any, values: np.ndarray, result: Any) -> None:
    """Keep a few terrible trials from flattening the interesting part of the axis."""
    finite = values[np.isfinite(values)]
    if finite.size < 4:
        return
    low, high = np.percentile(finite, [0, 90] if not result.greater_is_better else [10, 100])
    low, high = min(low, result.supervised_score), max(high, result.supervised_score)
    pad = 0.05 * (high - low or abs(high) or 1.0)
    ax.set_ylim(low - pad, high + pad)
    outside = int(np.sum((finite < low - pad) | (finite > high + pad)))
    if outside:
        ax.annotate(
            f"{outside} trial{'s' if outside > 1 else ''} off the scale",
            xy=(0.01, 0.99 if not result.greater_is_better else 0.01),
            xycoords="axes fraction",
            va="top" if not result.greater_is_better else "bottom",
            fontsize="small",
            color="0.3",
        )


def sample_rate_curve(result: Any) -> Figure:
    """CV score against the trial's sample_rate (0 = no pseudo-labels), one colour per model."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    trials = _complete(result.study)
    rows = [
        (
            t.user_attrs.get("model", result.best_params.get("model")),
            t.user_attrs.get("sample_rate", t.params.get("sample_rate")),
            t.value,
        )
        for t in trials
    ]
    rows = [r for r in rows if r[1] is not None]
    for model in sorted({str(r[0]) for r in rows}):
        xs = np.array([r[1] for r in rows if str(r[0]) == model], dtype=float)
        ys = np.array([r[2] for r in rows if str(r[0]) == model], dtype=float)
        ax.scatter(xs, ys, s=22, alpha=0.75, label=model)
    best_rate = result.best_params.get("sample_rate")
    if best_rate is not None:
        ax.scatter(
            [best_rate],
            [result.best_score],
            s=160,
            facecolors="none",
            edgecolors="tab:red",
            linewidths=2,
            label=f"best: sample_rate={best_rate:g}",
        )
    ax.axhline(result.supervised_score, color="0.4", linestyle="--", label="supervised baseline")
    ax.set_xlim(-0.03, 1.03)
    ax.set_xlabel("sample_rate (share of the test rows added as pseudo-labels)")
    ax.set_ylabel(_label(result))
    ax.set_title("Score against sample_rate, one point per completed trial")
    _zoom(ax, np.array([r[2] for r in rows], dtype=float), result)
    ax.legend(loc="best", fontsize="small")
    return fig


def parameter_importances(result: Any) -> Figure:
    """Optuna's parameter importances (PED-ANOVA), or a note when there are too few trials."""
    import optuna

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title("Parameter importances")
    importances: dict[str, float] = {}
    reason = ""
    if len(_complete(result.study)) < 2:
        reason = "needs at least 2 completed trials"
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importances = optuna.importance.get_param_importances(result.study)
        except (RuntimeError, ValueError, ZeroDivisionError) as error:
            reason = " ".join(str(error).split())[:120]
    if not importances:
        ax.text(
            0.5,
            0.5,
            f"No importances: {reason or 'nothing varied'}",
            ha="center",
            va="center",
            wrap=True,
        )
        ax.set_axis_off()
        return fig
    names = list(importances)[::-1]
    ax.barh(names, [importances[n] for n in names], color="tab:blue")
    ax.set_xlabel(f"share of the variation of CV {result.metric}")
    return fig


def anytime_curve(result: Any) -> Figure:
    """The best CV score found so far against elapsed seconds."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    curve = result.anytime_curve()
    if len(curve):
        ax.step(curve["seconds"], curve["best_score"], where="post", color="tab:red")
        ax.scatter(curve["seconds"], curve["best_score"], s=14, color="tab:red")
    ax.axhline(
        result.best_score,
        color="tab:green",
        linestyle=":",
        label=f"returned: {result.chosen} ({result.best_score:.5g})",
    )
    ax.set_xlabel("seconds since the first trial started")
    ax.set_ylabel(_label(result))
    ax.set_title("Best score found so far")
    ax.legend(loc="best", fontsize="small")
    return fig
