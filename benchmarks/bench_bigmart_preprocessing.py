"""Measure BigMartPreprocessor's "improved" mode against "article" mode on the real files.

8-fold CV RMSE (KFold without shuffling, as the article), the preprocessor fitted inside each
fold. With ``--ablation`` it also measures each candidate step alone on top of "article" and
each kept step removed from "improved" (through the class's ``_improved_steps`` hook, which
exists for this measurement).

    python benchmarks/bench_bigmart_preprocessing.py ../shared/data/bigmart --ablation
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from lightgbm import LGBMRegressor
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from xgboost import XGBRegressor

from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.preprocessing import BigMartPreprocessor
from pseudoboost.preprocessing._bigmart import _ALL_STEPS, _IMPROVED_STEPS

MODELS = {
    "LightGBM": lambda: LGBMRegressor(verbose=-1, random_state=0, n_jobs=1),
    "GradientBoosting": lambda: GradientBoostingRegressor(random_state=0),
    "XGBoost (2017 defaults)": lambda: XGBRegressor(
        max_depth=3, learning_rate=0.1, n_estimators=100, n_jobs=1, random_state=0
    ),
}


def _preprocessor(mode: str, steps: tuple[str, ...] | None = None) -> BigMartPreprocessor:
    if steps is None:
        return BigMartPreprocessor(mode=mode)
    cls = type("AblatedBigMartPreprocessor", (BigMartPreprocessor,), {"_improved_steps": steps})
    return cls(mode=mode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder holding the real train.csv and test.csv")
    parser.add_argument("--folds", type=int, default=8)
    parser.add_argument("--ablation", action="store_true", help="also measure single steps")
    args = parser.parse_args()

    train, _ = load_bigmart(args.folder)
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET]
    cv = KFold(n_splits=args.folds)
    configs = [("article", "article", None), ("improved", "improved", None)]
    if args.ablation:
        configs += [(f"article + {s}", "improved", (s,)) for s in _ALL_STEPS]
        configs += [
            (f"improved - {s}", "improved", tuple(t for t in _IMPROVED_STEPS if t != s))
            for s in _IMPROVED_STEPS
        ]
    print(f"| preprocessing | {' | '.join(MODELS)} |")
    print(f"|---|{'---:|' * len(MODELS)}")
    for label, mode, steps in configs:
        cells = []
        for make_model in MODELS.values():
            start = time.perf_counter()
            pipeline = make_pipeline(_preprocessor(mode, steps), make_model())
            scores = cross_val_score(pipeline, X, y, cv=cv, scoring="neg_root_mean_squared_error")
            cells.append(f"{-np.mean(scores):.1f}")
            _ = time.perf_counter() - start
        print(f"| {label} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
