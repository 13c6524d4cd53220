"""Random against confidence-aware pseudo-label selection on the real Big Mart files.

Hold-out protocol (issue 4): train.csv is split 70/30 with seeds 0, 1 and 2. The model sees
the 70% with their targets; the pool is test.csv's features followed by the 30% hold-out's
features, never its targets. ``BigMartPreprocessor(mode="article")`` is fitted on the 70%
only. For each model and sample_rate the script reports, as the mean over the seeds:

- the hold-out RMSE of the supervised fit, of ``selection="random"`` and of
  ``selection="confidence"``, each with the round model's predictions as pseudo-labels
  (``label_source="model"``) and with the mean of the fold teachers
  (``label_source="teachers"``), and the paired (same seed) differences to supervised and to
  random selection with model labels;
- the RMSE of the selected pseudo-labels against the true targets of the hold-out rows among
  them (a measurement only: those targets never enter a fit);
- the seconds each ``fit`` took.

    python benchmarks/bench_selection.py ../shared/data/bigmart
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split
from xgboost import XGBRegressor

from pseudoboost import PseudoLabelRegressor
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.preprocessing import BigMartPreprocessor

MODELS = {
    "XGBoost": lambda: XGBRegressor(n_jobs=1, random_state=0),
    "LightGBM": lambda: LGBMRegressor(verbose=-1, n_jobs=1, random_state=0),
    "GradientBoosting": lambda: GradientBoostingRegressor(random_state=0),
}


def _split(train: pd.DataFrame, test: pd.DataFrame, seed: int):
    """Preprocessed (X_train, y_train, pool, X_hold, y_hold); the hold-out ends the pool."""
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET].to_numpy(dtype=float)
    X_tr, X_ho, y_tr, y_ho = train_test_split(X, y, test_size=0.3, random_state=seed)
    prep = BigMartPreprocessor(mode="article").fit(X_tr)
    X_test, X_hold = prep.transform(test), prep.transform(X_ho)
    pool = pd.concat([X_test, X_hold], axis=0, ignore_index=True)
    return prep.transform(X_tr), y_tr, pool, X_hold, y_ho, len(X_test)


def _pseudo_label_rmse(model: PseudoLabelRegressor, y_hold: np.ndarray, n_test: int) -> float:
    """RMSE of the pseudo-labels given to hold-out rows, against their true targets."""
    in_hold = model.pseudo_indices_ >= n_test
    truth = y_hold[model.pseudo_indices_[in_hold] - n_test]
    return root_mean_squared_error(truth, model.pseudo_labels_[in_hold])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder holding the real train.csv and test.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.2, 0.5, 1.0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--n-teachers", type=int, default=5)
    parser.add_argument(
        "--label-sources", nargs="+", default=["model", "teachers"], choices=["model", "teachers"]
    )
    args = parser.parse_args()

    train, test = load_bigmart(args.folder)
    # (model, rate, selection, labels) -> per seed (hold-out RMSE, label RMSE, seconds, notes)
    results: dict[tuple, list] = defaultdict(list)
    for seed in args.seeds:
        X_tr, y_tr, pool, X_hold, y_hold, n_test = _split(train, test, seed)
        for name in args.models:
            start = time.perf_counter()
            model = clone(MODELS[name]()).fit(X_tr, y_tr)
            seconds = time.perf_counter() - start
            rmse = root_mean_squared_error(y_hold, model.predict(X_hold))
            results[(name, 0.0, "supervised", "-")].append((rmse, np.nan, seconds, ""))
            for rate in args.rates:
                for labels in args.label_sources:
                    for selection in ("random", "confidence"):
                        start = time.perf_counter()
                        plr = PseudoLabelRegressor(
                            MODELS[name](),
                            unlabeled=pool,
                            sample_rate=rate,
                            selection=selection,
                            label_source=labels,
                            n_teachers=args.n_teachers,
                            random_state=seed,
                        ).fit(X_tr, y_tr)
                        seconds = time.perf_counter() - start
                        rmse = root_mean_squared_error(y_hold, plr.predict(X_hold))
                        label_rmse = _pseudo_label_rmse(plr, y_hold, n_test)
                        note = plr.history_[0].get("uncertainty", "")
                        key = (name, rate, selection, labels)
                        results[key].append((rmse, label_rmse, seconds, note))
            print(f"seed {seed} {name} done", flush=True)

    print()
    print(
        "| model | sample_rate | selection | labels | hold-out RMSE | vs supervised | "
        "vs random | seed sd | pseudo-label RMSE | fit s | uncertainty |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---|")
    for (name, rate, selection, labels), rows in results.items():
        values = np.array([row[:3] for row in rows], dtype=float)
        mean = values.mean(axis=0)
        sd = values[:, 0].std(ddof=1) if len(rows) > 1 else float("nan")
        supervised = np.array([r[0] for r in results[(name, 0.0, "supervised", "-")]])
        reference = results.get((name, rate, "random", "model"))
        vs_sup = "-" if rate == 0 else f"{np.mean(values[:, 0] - supervised):+.1f}"
        vs_random = "-"
        if reference is not None and (selection, labels) != ("random", "model"):
            vs_random = f"{np.mean(values[:, 0] - np.array([r[0] for r in reference])):+.1f}"
        label = "-" if np.isnan(mean[1]) else f"{mean[1]:.1f}"
        print(
            f"| {name} | {rate:g} | {selection} | {labels} | {mean[0]:.1f} | {vs_sup} | "
            f"{vs_random} | {sd:.1f} | {label} | {mean[2]:.2f} | {rows[0][3] or '-'} |"
        )
    print()
    print("Per seed (hold-out RMSE / pseudo-label RMSE):")
    for (name, rate, selection, labels), rows in results.items():
        cells = ", ".join(f"{r[0]:.1f}/{r[1]:.1f}" for r in rows)
        print(f"  {name} {rate:g} {selection} {labels}: {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
