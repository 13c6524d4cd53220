"""Figures for :func:`compare`'s summary frame: the sample-rate curve and the paired differences.

Figures are built with :class:`matplotlib.figure.Figure`, not pyplot, so they work on any
backend (Agg included), leave pyplot's global state alone and never call ``show``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

_CURVE_COLUMNS = ("model", "sample_rate", "score_mean", "score_std")
_DIFF_COLUMNS = (
    "model",
    "sample_rate",
    "diff_vs_supervised",
    "diff_std_error",
    "p_value",
    "n_folds",
)


def _check_frame(df: Any, columns: tuple[str, ...], who: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{who} needs the DataFrame returned by compare(), got {type(df).__name__}."
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{who} needs the DataFrame returned by compare(); missing columns {missing}."
        )
    if df.empty:
        raise ValueError(f"{who} got an empty frame: nothing to plot.")


def _axes(ax: Any, figsize: tuple[float, float]) -> tuple[Figure, Any]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _metric_label(df: pd.DataFrame) -> tuple[str, bool | None]:
    name = df.attrs.get("metric", "score")
    greater = df.attrs.get("greater_is_better")
    return str(name), greater


def plot_sample_rate_curve(df: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Figure:
    """Score against sample_rate, one line per model, with the fold spread as error bars.

    This is the figure of the Big Mart pseudo-labelling article: the best rate differs per
    model. The best rate of each model is marked with a star.

    Parameters
    ----------
    df : DataFrame
        The summary returned by :func:`compare`.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is made when None.
    title : str, default=None
        Axes title; a default names the metric and the number of folds.

    Returns
    -------
    matplotlib.figure.Figure
        The figure. Its axes holds one error-bar series per model (``ax.containers``,
        labelled with the model's name, as in the legend) whose data line has the points
        ``(sample_rate, score_mean)`` and whose bars span ``score_mean ± score_std``.

    Examples
    --------
    >>> import pandas as pd
    >>> from pseudoboost.comparison import plot_sample_rate_curve
    >>> df = pd.DataFrame({"model": ["a", "a"], "sample_rate": [0.0, 0.5],
    ...                    "score_mean": [1.0, 0.9], "score_std": [0.1, 0.1]})
    >>> fig = plot_sample_rate_curve(df)
    >>> [series.get_label() for series in fig.axes[0].containers]
    ['a']
    """
    _check_frame(df, _CURVE_COLUMNS, "plot_sample_rate_curve")
    fig, ax = _axes(ax, (7.0, 4.5))
    metric, greater = _metric_label(df)
    for name in pd.unique(df["model"]):
        sub = df[df["model"] == name].sort_values("sample_rate")
        container = ax.errorbar(
            sub["sample_rate"].to_numpy(float),
            sub["score_mean"].to_numpy(float),
            yerr=sub["score_std"].to_numpy(float),
            marker="o",
            capsize=3,
            label=str(name),
        )
        if greater is not None:
            best = sub["score_mean"].idxmax() if greater else sub["score_mean"].idxmin()
            ax.scatter(
                [sub.loc[best, "sample_rate"]],
                [sub.loc[best, "score_mean"]],
                marker="*",
                s=160,
                color=container.lines[0].get_color(),
                zorder=3,
            )
    ax.set_xlabel("sample_rate (share of the unlabelled pool pseudo-labelled)")
    direction = (
        "" if greater is None else (", higher is better" if greater else ", lower is better")
    )
    ax.set_ylabel(f"CV {metric} (mean ± std over folds{direction})")
    if title is None:
        n_folds = int(df["n_folds"].iloc[0]) if "n_folds" in df else None
        title = f"{metric} vs sample_rate" + (
            f" ({n_folds} folds, ★ = best rate)" if n_folds else ""
        )
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(title="model")
    return fig


def plot_comparison(
    df: pd.DataFrame,
    *,
    folds: pd.DataFrame | None = None,
    alpha: float = 0.05,
    ax: Any = None,
    title: str | None = None,
) -> Figure:
    """Each model's mean paired difference against its supervised fit, with corrected CIs.

    One row of points per model, one colour per sample rate (rate 0, the baseline, is
    left out). The horizontal bars are the ``1 - alpha`` confidence interval of the mean
    difference from the corrected resampled t-test; a filled marker means ``p_value <
    alpha``, a hollow one that the gain cannot be told from CV noise. With ``folds`` the
    per-fold differences are drawn as small dots.

    Parameters
    ----------
    df : DataFrame
        The summary returned by :func:`compare`.
    folds : DataFrame, default=None
        The per-fold frame from ``compare(..., return_folds=True)``.
    alpha : float, default=0.05
        Significance level of the filled markers and of the intervals.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is made when None.
    title : str, default=None
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        Its axes holds one error-bar series per non-zero sample rate (``ax.containers``,
        labelled ``"sample_rate=<rate>"``) whose data line has the points
        ``(diff_vs_supervised, model row)``, and a vertical line at 0.
    """
    _check_frame(df, _DIFF_COLUMNS, "plot_comparison")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    models = list(pd.unique(df["model"]))
    rates = sorted(r for r in pd.unique(df["sample_rate"]) if r > 0)
    if not rates:
        raise ValueError("plot_comparison needs at least one sample_rate above 0 in the frame.")
    fig, ax = _axes(ax, (7.5, 1.0 + 0.6 * len(models) * max(1, len(rates)) ** 0.5))
    metric, greater = _metric_label(df)
    position = {name: i for i, name in enumerate(models)}
    width = 0.7
    offsets = np.linspace(-width / 2, width / 2, len(rates)) if len(rates) > 1 else np.zeros(1)
    for offset, rate in zip(offsets, rates, strict=True):
        sub = df[df["sample_rate"] == rate]
        ys = np.array([position[m] for m in sub["model"]], dtype=float) + offset
        xs = sub["diff_vs_supervised"].to_numpy(float)
        n = sub["n_folds"].to_numpy(float)
        quantile = stats.t.ppf(1 - alpha / 2, np.maximum(n - 1, 1))
        half = quantile * sub["diff_std_error"].to_numpy(float)
        container = ax.errorbar(
            xs,
            ys,
            xerr=half,
            fmt="o",
            capsize=3,
            markerfacecolor="white",
            label=f"sample_rate={rate:g}",
        )
        color = container.lines[0].get_color()
        significant = sub["p_value"].to_numpy(float) < alpha
        if significant.any():
            ax.scatter(xs[significant], ys[significant], color=color, zorder=3)
        if folds is not None:
            fsub = folds[folds["sample_rate"] == rate]
            fy = np.array([position[m] for m in fsub["model"]], dtype=float) + offset
            ax.scatter(fsub["diff_vs_supervised"], fy, s=8, color=color, alpha=0.35, zorder=1)
    ax.axvline(0.0, color="black", linewidth=1)
    ax.set_yticks(range(len(models)), [str(m) for m in models])
    ax.invert_yaxis()
    better = "" if greater is None else (" (right is better)" if greater else " (left is better)")
    ax.set_xlabel(f"{metric} difference vs the same model supervised, same folds{better}")
    if title is None:
        title = (
            f"Pseudo-labelling vs supervised: {1 - alpha:.0%} corrected CI, filled = p < {alpha:g}"
        )
    ax.set_title(title)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend()
    return fig
