"""Overhead of PseudoLabelRegressor over the work pseudo-labelling cannot avoid.

The unavoidable work is: fit on the labelled rows, predict the pool rows that get
pseudo-labelled, fit on labelled + pseudo-labelled rows. This script times those three
steps by hand and the meta-estimator doing the same thing, and measures peak memory of
each in a fresh process against the size of the data.

Run::

    python benchmarks/bench_overhead.py --n-labeled 200000 --n-unlabeled 200000
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np


def make_data(n_labeled: int, n_unlabeled: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_labeled + n_unlabeled, n_features))
    coef = rng.normal(size=n_features)
    y = X @ coef + np.sin(3 * X[:, 0]) + 0.5 * rng.normal(size=len(X))
    return X[:n_labeled], y[:n_labeled], X[n_labeled:]


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def run_variant(variant: str, args: argparse.Namespace) -> dict:
    """Fit one variant in this process and report its time and peak memory growth."""
    from lightgbm import LGBMRegressor

    from pseudoboost import PseudoLabelRegressor

    X, y, pool = make_data(args.n_labeled, args.n_unlabeled, args.n_features)
    make_model = lambda: LGBMRegressor(n_estimators=100, verbose=-1, n_jobs=args.n_jobs)  # noqa: E731
    baseline = rss_bytes()
    steps: dict[str, float] = {}
    start = time.perf_counter()
    if variant == "meta":
        PseudoLabelRegressor(
            make_model(), unlabeled=pool, sample_rate=args.sample_rate, random_state=0
        ).fit(X, y)
    else:
        t0 = time.perf_counter()
        teacher = make_model().fit(X, y)
        steps["fit_labeled"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        chosen = np.sort(
            np.random.RandomState(0).choice(
                len(pool), round(args.sample_rate * len(pool)), replace=False
            )
        )
        pseudo = teacher.predict(pool[chosen])
        steps["predict_pool"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        make_model().fit(np.vstack([X, pool[chosen]]), np.concatenate([y, pseudo]))
        steps["fit_augmented"] = time.perf_counter() - t0
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "variant": variant,
        "seconds": total,
        "steps": steps,
        "peak_growth_bytes": max(peak - baseline, 0),
        "data_bytes": X.nbytes + y.nbytes + pool.nbytes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n-labeled", type=int, default=200_000)
    parser.add_argument("--n-unlabeled", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--sample-rate", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="LightGBM threads (1 keeps timings stable on a shared machine)",
    )
    parser.add_argument("--variant", choices=["meta", "manual"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args)))
        return 0

    results: dict[str, list[dict]] = {"manual": [], "meta": []}
    for _ in range(args.repeats):
        for variant in ("manual", "meta"):  # alternate so load drifts hit both alike
            cmd = [sys.executable, __file__, "--variant", variant] + [
                f"--{k.replace('_', '-')}={v}"
                for k, v in vars(args).items()
                if k not in ("variant", "repeats")
            ]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[variant].append(json.loads(out.strip().splitlines()[-1]))

    def median(variant: str, key: str) -> float:
        return float(np.median([r[key] for r in results[variant]]))

    manual, meta = median("manual", "seconds"), median("meta", "seconds")
    data_mb = results["meta"][0]["data_bytes"] / 1e6
    print(
        f"python {platform.python_version()}, {platform.machine()}, load {open('/proc/loadavg').read().split()[:3]}"
    )
    print(
        f"rows: {args.n_labeled} labelled + {args.n_unlabeled} unlabelled x {args.n_features} features, "
        f"sample_rate={args.sample_rate}, data {data_mb:.0f} MB, median of {args.repeats}"
    )
    for step in ("fit_labeled", "predict_pool", "fit_augmented"):
        print(
            f"  manual {step:14s} {np.median([r['steps'][step] for r in results['manual']]):7.2f} s"
        )
    print("| work | seconds | peak memory growth (MB) | growth / data size |")
    print("|---|---|---|---|")
    for variant, label in (
        ("manual", "unavoidable work, by hand"),
        ("meta", "PseudoLabelRegressor.fit"),
    ):
        growth = median(variant, "peak_growth_bytes") / 1e6
        print(
            f"| {label} | {median(variant, 'seconds'):.2f} | {growth:.0f} | {growth / data_mb:.2f}x |"
        )
    print(f"overhead: {100 * (meta / manual - 1):+.1f}% time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
