"""Random, confidence and COREG-style pseudo-label selection on two UCI regression sets.

Protocol: the rows of each csv.gz (no header, all numeric, target = last column) are shuffled
with the split's seed; the first ``--n-labeled`` rows are labelled, the next ``--n-pool`` are
the unlabelled pool (their targets are never used in a fit) and the next ``--n-test`` (fewer
when the file is short) are the test rows. For each model the script reports, as the mean over
the splits, the test RMSE of each selection divided by the RMSE of the supervised fit on the
labelled rows (below 1: pseudo-labels helped), the number of pseudo-labelled rows, and the
RMSE of the pseudo-labels against the pool rows' true targets (a measurement only).

    python benchmarks/bench_coreg.py --data ../shared/data/uci
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pseudoboost import PseudoLabelRegressor

# name -> (student, teacher or None)
MODELS = {
    "ExtraTrees": lambda: (
        ExtraTreesRegressor(n_estimators=200, min_samples_leaf=2, n_jobs=1, random_state=0),
        None,
    ),
    "Ridge": lambda: (make_pipeline(StandardScaler(), Ridge()), None),
    "Ridge taught by ExtraTrees": lambda: (
        make_pipeline(StandardScaler(), Ridge()),
        ExtraTreesRegressor(n_estimators=200, min_samples_leaf=2, n_jobs=1, random_state=0),
    ),
}
SELECTIONS = ("random", "confidence", "coreg")


def split(data: pd.DataFrame, seed: int, n_labeled: int, n_pool: int, n_test: int):
    """(X_labeled, y_labeled, pool, y_pool, X_test, y_test) from a seeded shuffle."""
    values = data.to_numpy(dtype=float)
    rows = np.random.RandomState(seed).permutation(len(values))
    X, y = values[rows, :-1], values[rows, -1]
    lab, pool = slice(0, n_labeled), slice(n_labeled, n_labeled + n_pool)
    test = slice(n_labeled + n_pool, n_labeled + n_pool + n_test)
    return X[lab], y[lab], X[pool], y[pool], X[test], y[test]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/uci", help="folder of the csv.gz")
    parser.add_argument("--datasets", nargs="+", default=["parkinsons", "skillcraft"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-labeled", type=int, default=100)
    parser.add_argument("--n-pool", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--sample-rate", type=float, default=0.25)
    parser.add_argument("--max-iter", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()

    # (dataset, model, selection) -> per split (test RMSE ratio, n_pseudo, label RMSE, seconds)
    results: dict[tuple, list] = defaultdict(list)
    for dataset in args.datasets:
        data = pd.read_csv(Path(args.data) / f"{dataset}.csv.gz", header=None)
        for seed in args.seeds:
            X, y, pool, y_pool, X_test, y_test = split(
                data, seed, args.n_labeled, args.n_pool, args.n_test
            )
            for name in args.models:
                student, teacher = MODELS[name]()
                supervised = root_mean_squared_error(
                    y_test, clone(student).fit(X, y).predict(X_test)
                )
                for selection in SELECTIONS:
                    start = time.perf_counter()
                    model = PseudoLabelRegressor(
                        student,
                        teacher=teacher,
                        unlabeled=pool,
                        sample_rate=args.sample_rate,
                        max_iter=args.max_iter,
                        selection=selection,
                        random_state=seed,
                    ).fit(X, y)
                    seconds = time.perf_counter() - start
                    rmse = root_mean_squared_error(y_test, model.predict(X_test))
                    label_rmse = (
                        root_mean_squared_error(y_pool[model.pseudo_indices_], model.pseudo_labels_)
                        if model.n_pseudo_
                        else float("nan")
                    )
                    results[(dataset, name, selection)].append(
                        (rmse / supervised, model.n_pseudo_, label_rmse, seconds)
                    )
            print(f"{dataset} seed {seed} done ({len(X_test)} test rows)", flush=True)

    print()
    print(
        "| data | model | selection | test RMSE / supervised | per split | n_pseudo | "
        "pseudo-label RMSE | fit s |"
    )
    print("|---|---|---|---:|---|---:|---:|---:|")
    for (dataset, name, selection), rows in results.items():
        values = np.array(rows, dtype=float)
        mean = np.nanmean(values, axis=0)
        per_split = " ".join(f"{ratio:.3f}" for ratio in values[:, 0])
        print(
            f"| {dataset} | {name} | {selection} | {mean[0]:.3f} | {per_split} | "
            f"{mean[1]:.0f} | {mean[2]:.3f} | {mean[3]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
