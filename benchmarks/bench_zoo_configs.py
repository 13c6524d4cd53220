"""K-fold CV of zoo configurations on the labelled rows of UCI tables (how a default is chosen).

The labelled rows are those ``bench_vs_peers.py`` gives ``tune`` for ``--seed``: each table's rows
permuted with ``np.random.RandomState(1000 + seed)``, ``--n-rows`` test rows (never used here),
then ``--n-rows`` labelled rows. Each configuration is the zoo's default configuration for a
training fold's rows (``spec.defaults_for``, as ``tune`` tries first) updated with the given parameters
scored by ``KFold(--folds, shuffle=True, random_state=0)`` RMSE, one core, the same folds for
every configuration; the script prints one markdown table (mean RMSE and seconds per table).

    python benchmarks/bench_zoo_configs.py --model mlp \\
        --config '{"width": 128}' '{}' '{"n_seeds": 3}' --tables elevators pol protein
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import _peers
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from threadpoolctl import threadpool_limits

from pseudoboost.models import get_model


def cv_rmse(model: str, params: dict, X: np.ndarray, y: np.ndarray, folds: int) -> float:
    spec = get_model(model)
    fold_rows = len(y) - len(y) // folds
    estimator = spec.make_estimator(**{**spec.defaults_for(fold_rows), **params})
    splitter = KFold(folds, shuffle=True, random_state=0)
    scores = cross_val_score(estimator, X, y, cv=splitter, scoring="neg_root_mean_squared_error")
    return float(-np.mean(scores))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a zoo model's name")
    parser.add_argument(
        "--config",
        nargs="+",
        default=["{}"],
        help="JSON objects of parameters over the zoo's defaults ({}: the defaults)",
    )
    parser.add_argument("--tables", nargs="+", default=["elevators", "pol", "protein"])
    parser.add_argument("--uci", default=str(_peers.SHARED_DATA / "uci"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-rows", type=int, default=5000)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    configs = [json.loads(text) for text in args.config]
    env = _peers.environment()
    rows = []
    for table in args.tables:
        X, y = _peers.load_uci(args.uci, table)
        n = args.n_rows
        split = _peers.random_split(X, y, args.seed, n_test=n, n_labels=n, n_pool=0)
        for params in configs:
            start = time.perf_counter()
            with threadpool_limits(1), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                rmse = cv_rmse(args.model, params, split.X_lab, split.y_lab, args.folds)
            seconds = time.perf_counter() - start
            rows.append((table, json.dumps(params), rmse, seconds))
            print(f"{table} {rows[-1][1]}: {rmse:.5g} ({seconds:.0f} s)", flush=True)
    print()
    print(f"# {args.model}: {args.folds}-fold CV RMSE on {args.n_rows} labelled rows")
    print(*_peers.environment_lines(env), sep="\n")
    print()
    print("| table | parameters (over the defaults) | CV RMSE | seconds |")
    print("|---|---|---:|---:|")
    for table, params, rmse, seconds in rows:
        print(f"| {table} | `{params}` | {rmse:.5g} | {seconds:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
