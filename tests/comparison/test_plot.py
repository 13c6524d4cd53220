"""The comparison figures: Agg-safe Figures with one labelled line per model / rate."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pseudoboost import plot_comparison, plot_sample_rate_curve

matplotlib.use("Agg")


def _summary() -> pd.DataFrame:
    rows = []
    for model, base in (("lightgbm", 1100.0), ("ridge", 1200.0)):
        for rate, gain in ((0.0, 0.0), (0.2, -15.0), (0.5, -5.0), (1.0, 10.0)):
            rows.append(
                {
                    "model": model,
                    "sample_rate": rate,
                    "score_mean": base + gain,
                    "score_std": 30.0,
                    "diff_vs_supervised": gain,
                    "diff_std_error": 0.0 if rate == 0 else 6.0,
                    "t_statistic": 0.0 if rate == 0 else gain / 6.0,
                    "p_value": 1.0 if rate == 0 else (0.01 if gain == -15.0 else 0.4),
                    "wins": 0,
                    "n_folds": 15,
                }
            )
    df = pd.DataFrame(rows)
    df.attrs.update(metric="rmse", greater_is_better=False)
    return df


def _labelled_lines(ax):
    """The data line of each labelled error-bar series, in drawing order."""
    return [(c.get_label(), c.lines[0]) for c in ax.containers if not c.get_label().startswith("_")]


def test_sample_rate_curve_has_one_line_per_model():
    df = _summary()
    fig = plot_sample_rate_curve(df)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = _labelled_lines(ax)
    assert [label for label, _ in lines] == ["lightgbm", "ridge"]
    assert ax.get_legend_handles_labels()[1] == ["lightgbm", "ridge"]
    np.testing.assert_allclose(lines[0][1].get_xdata(), [0.0, 0.2, 0.5, 1.0])
    np.testing.assert_allclose(lines[0][1].get_ydata(), [1100, 1085, 1095, 1110])
    np.testing.assert_allclose(lines[1][1].get_ydata(), [1200, 1185, 1195, 1210])
    # error bars are the fold spread: each vertical segment spans mean +- 30
    bars = [c for c in ax.containers if c.get_label() == "lightgbm"][0]
    segments = bars.lines[2][0].get_segments()
    assert [round(s[1][1] - s[0][1], 6) for s in segments] == [60.0] * 4
    # the best (lowest RMSE) rate is starred
    stars = [c.get_offsets()[0].tolist() for c in ax.collections if c.get_offsets().shape == (1, 2)]
    assert [0.2, 1085.0] in stars and [0.2, 1185.0] in stars
    assert "lower is better" in ax.get_ylabel()
    fig.savefig(io.BytesIO(), format="png")  # renders headless


def test_comparison_plot_has_one_line_per_nonzero_rate():
    df = _summary()
    folds = pd.DataFrame(
        {
            "model": ["lightgbm"] * 3,
            "sample_rate": [0.2] * 3,
            "diff_vs_supervised": [-20.0, -10.0, -15.0],
        }
    )
    fig = plot_comparison(df, folds=folds)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = _labelled_lines(ax)
    assert [label for label, _ in lines] == ["sample_rate=0.2", "sample_rate=0.5", "sample_rate=1"]
    np.testing.assert_allclose(lines[0][1].get_xdata(), [-15.0, -15.0])
    np.testing.assert_allclose(lines[2][1].get_xdata(), [10.0, 10.0])
    # models are rows 0 and 1, each rate offset within its row
    ys = lines[0][1].get_ydata()
    assert ys[1] - ys[0] == pytest.approx(1.0)
    # corrected 95% interval: t(0.975, 14 df) * 6 either side of the mean difference
    bars = ax.containers[0].lines[2][0].get_segments()
    half = 2.1447866879169273 * 6.0
    np.testing.assert_allclose([s[1][0] - s[0][0] for s in bars], [2 * half] * 2, rtol=1e-9)
    # only the rate-0.2 points have p < 0.05: they alone get a filled marker
    filled = [c for c in ax.collections if c.get_offsets().shape[0] == 2]
    assert len(filled) == 1
    np.testing.assert_allclose(filled[0].get_offsets()[:, 0], [-15.0, -15.0])
    zero = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
    assert zero, "a vertical line at a difference of 0"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["lightgbm", "ridge"]
    assert "left is better" in ax.get_xlabel()
    fig.savefig(io.BytesIO(), format="png")


def test_plots_draw_on_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_sample_rate_curve(_summary(), ax=ax) is fig


@pytest.mark.parametrize("plot", [plot_comparison, plot_sample_rate_curve])
def test_plots_reject_other_frames(plot):
    with pytest.raises(ValueError, match=r"needs the DataFrame returned by compare\(\); missing"):
        plot(pd.DataFrame({"model": ["a"]}))
    with pytest.raises(TypeError, match="needs the DataFrame returned by compare"):
        plot([1, 2, 3])


def test_comparison_plot_needs_a_nonzero_rate():
    df = _summary()
    with pytest.raises(ValueError, match="at least one sample_rate above 0"):
        plot_comparison(df[df["sample_rate"] == 0])
