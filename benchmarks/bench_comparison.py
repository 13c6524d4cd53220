"""The article's figure, honestly: fixed models across pseudo-label sample rates on Big Mart.

Every (model, sample_rate) is scored on the same repeated k-fold splits of the labelled
rows; the pool is the raw test.csv; the Big Mart preprocessing is fitted inside each fold.
Each rate is compared with the same model at sample_rate 0 by Nadeau and Bengio's corrected
resampled t-test, and, for contrast, by the naive paired t-test that ignores the overlap of
training sets.

Run::

    python benchmarks/bench_comparison.py --data ../shared/data/bigmart --figures /tmp/cmp
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from scipy import stats

from pseudoboost import compare, plot_comparison, plot_sample_rate_curve
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.preprocessing import BigMartPreprocessor


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="../shared/data/bigmart", help="folder with train.csv, test.csv"
    )
    parser.add_argument(
        "--models", default="lightgbm,xgboost,ridge,knn", help="zoo names, comma-separated"
    )
    parser.add_argument("--sample-rates", default="0,0.2,0.5,0.8,1.0")
    parser.add_argument("--cv", type=int, default=8)
    parser.add_argument("--n-repeats", type=int, default=3)
    parser.add_argument("--mode", default="improved", choices=["article", "improved"])
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--figures", default=None, help="folder for the two PNG figures")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    train, test = load_bigmart(args.data)
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET].to_numpy(float)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    rates = [float(r) for r in args.sample_rates.split(",")]
    start = time.perf_counter()
    summary, folds = compare(
        X,
        y,
        unlabeled=test,
        models=models,
        sample_rates=rates,
        cv=args.cv,
        n_repeats=args.n_repeats,
        random_state=args.random_state,
        preprocessor=BigMartPreprocessor(mode=args.mode),
        n_jobs=args.n_jobs,
        progress=True,
        return_folds=True,
    )
    wall = time.perf_counter() - start

    naive = {
        key: stats.ttest_1samp(sub["diff_vs_supervised"], 0.0).pvalue if key[1] > 0 else 1.0
        for key, sub in folds.groupby(["model", "sample_rate"], sort=False)
    }
    summary["naive_p_value"] = [
        naive[(m, r)] for m, r in zip(summary["model"], summary["sample_rate"], strict=True)
    ]

    print(
        f"\n{len(train)} labelled rows, pool of {len(test)}; {args.cv}-fold x {args.n_repeats} "
        f"shuffled repeats; preprocessing mode={args.mode}; wall {wall:.0f} s; "
        f"{platform.machine()}, {os.cpu_count()} CPUs; load {os.getloadavg()}"
    )
    print()
    print(
        "| model | sample_rate | RMSE mean | RMSE std | diff vs supervised | corrected t | corrected p | naive p | wins |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in summary.itertuples():
        print(
            f"| {row.model} | {row.sample_rate:g} | {row.score_mean:.1f} | {row.score_std:.1f} | "
            f"{row.diff_vs_supervised:+.1f} | {row.t_statistic:+.2f} | {row.p_value:.3f} | "
            f"{row.naive_p_value:.3g} | {row.wins}/{row.n_folds} |"
        )
    nonzero = summary[summary["sample_rate"] > 0]
    print(
        f"\nrates with p < 0.05: corrected {int((nonzero['p_value'] < 0.05).sum())}, "
        f"naive {int((nonzero['naive_p_value'] < 0.05).sum())} of {len(nonzero)}"
    )
    if args.figures:
        out = Path(args.figures)
        out.mkdir(parents=True, exist_ok=True)
        plot_sample_rate_curve(summary).savefig(out / "bigmart_sample_rate_curve.png", dpi=120)
        plot_comparison(summary, folds=folds).savefig(out / "bigmart_comparison.png", dpi=120)
        print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
