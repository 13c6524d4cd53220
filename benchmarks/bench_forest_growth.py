"""Hold-out RMSE of a zoo forest at more trees, supervised and self-trained (why forests grow).

``tune`` refits the forests it returns with up to 4 times their searched trees
(``ModelSpec.grows``). This script measures what that buys on the splits ``bench_vs_peers.py``
gives ``tune`` for each ``--seeds`` value: each table's rows permuted with
``np.random.RandomState(1000 + seed)``, ``--n-rows`` test rows, labelled rows and pool rows.
Each size in ``--trees`` is fitted to the labelled rows with the zoo's defaults for them
(``spec.defaults_for``) and the forest's ``random_state`` 0, once supervised and once
self-trained (``PseudoLabelRegressor(sample_rate=1.0)``: the forest labels the whole pool and
is refitted on both, the recipe ``tune`` tries second); the test rows are scored only. One
core; the script prints one markdown table (RMSE per seed, and its change from the first size).

    python benchmarks/bench_forest_growth.py --tables parkinsons --n-rows 1900 \\
        --trees 200 800 --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import time

import _peers
import numpy as np
from sklearn.metrics import root_mean_squared_error
from threadpoolctl import threadpool_limits

from pseudoboost import PseudoLabelRegressor
from pseudoboost.models import get_model


def holdout_rmse(model: str, trees: int, split: _peers.Split, self_trained: bool) -> float:
    """Test-row RMSE of ``model`` at ``trees`` trees fitted to the split's labelled rows."""
    spec = get_model(model)
    params = {**spec.defaults_for(len(split.y_lab)), spec.grows: trees, "random_state": 0}
    estimator = spec.make_estimator(**params)
    if self_trained:
        estimator = PseudoLabelRegressor(
            estimator, unlabeled=split.pool, sample_rate=1.0, random_state=0
        )
    estimator.fit(split.X_lab, split.y_lab)
    return float(root_mean_squared_error(split.y_test, estimator.predict(split.X_test)))


def splits_of(table: str, args: argparse.Namespace) -> list[_peers.Split]:
    """The bench's split of ``table`` for each of ``args.seeds``."""
    X, y = _peers.load_uci(args.uci, table)
    n = args.n_rows
    return [_peers.random_split(X, y, seed, n_test=n, n_labels=n, n_pool=n) for seed in args.seeds]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default="extra_trees", help="a zoo forest (extra_trees, random_forest)"
    )
    parser.add_argument("--trees", type=int, nargs="+", default=[200, 800])
    parser.add_argument("--tables", nargs="+", default=["parkinsons"])
    parser.add_argument("--uci", default=str(_peers.SHARED_DATA / "uci"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-rows", type=int, default=1900)
    args = parser.parse_args()
    try:
        grows = get_model(args.model).grows
        tables = {table: splits_of(table, args) for table in args.tables}
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    if grows is None:
        parser.error(f"{args.model} does not grow (its ModelSpec.grows is None)")
    env = _peers.environment()
    rows = []
    for table, splits in tables.items():
        for self_trained in (False, True):
            first = None
            for trees in args.trees:
                start = time.perf_counter()
                with threadpool_limits(1):
                    rmse = np.array(
                        [holdout_rmse(args.model, trees, split, self_trained) for split in splits]
                    )
                seconds = (time.perf_counter() - start) / len(splits)
                first = rmse if first is None else first
                mode = "self-trained" if self_trained else "supervised"
                rows.append((table, mode, trees, rmse, rmse / first - 1, seconds))
                print(f"{table} {mode} {trees} trees: {np.round(rmse, 5)}", flush=True)
    print()
    print(f"# {args.model}: hold-out RMSE on {args.n_rows} test rows, by trees")
    print(*_peers.environment_lines(env), sep="\n")
    print()
    seeds = " | ".join(f"seed {seed}" for seed in args.seeds)
    print(
        f"| table | fit | trees | {seeds} | change from {args.trees[0]} trees | seconds per fit |"
    )
    print("|---|---|---:|" + "---:|" * len(args.seeds) + "---|---:|")
    for table, mode, trees, rmse, change, seconds in rows:
        cells = " | ".join(f"{value:.5f}" for value in rmse)
        span = f"{100 * change.min():+.1f}% to {100 * change.max():+.1f}%"
        print(f"| {table} | {mode} | {trees} | {cells} | {span} | {seconds:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
