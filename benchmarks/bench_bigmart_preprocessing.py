"""Measure BigMartPreprocessor's "improved" mode against "article" mode on the real files.

Paired CV RMSE: the same folds for both modes (KFold(8) without shuffling, as the article;
``--repeats N`` repeats it N times with shuffled folds), the preprocessor fitted inside each
fold. The difference is reported with its standard error over folds (a naive one: folds
overlap, so it is optimistic). With ``--ablation`` each candidate step is also measured alone
on top of "article" (through the class's ``_improved_steps`` hook, which exists for this
measurement).

    python benchmarks/bench_bigmart_preprocessing.py ../shared/data/bigmart --repeats 2
    python benchmarks/bench_bigmart_preprocessing.py ../shared/data/bigmart --ablation \
        --models lightgbm,gradient_boosting,xgboost_2017
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from lightgbm import LGBMRegressor
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.model_selection import KFold, RepeatedKFold, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from xgboost import XGBRegressor

from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.preprocessing import BigMartPreprocessor
from pseudoboost.preprocessing._bigmart import _ALL_STEPS

MODELS = {
    "lightgbm": ("LightGBM", lambda: LGBMRegressor(verbose=-1, random_state=0, n_jobs=1)),
    "gradient_boosting": ("GradientBoosting", lambda: GradientBoostingRegressor(random_state=0)),
    "xgboost_2017": (
        "XGBoost (2017 defaults)",
        lambda: XGBRegressor(
            max_depth=3, learning_rate=0.1, n_estimators=100, n_jobs=1, random_state=0
        ),
    ),
    "xgboost": ("XGBoost (today's defaults)", lambda: XGBRegressor(n_jobs=1, random_state=0)),
    "random_forest": ("RandomForest", lambda: RandomForestRegressor(n_jobs=1, random_state=0)),
    "extra_trees": ("ExtraTrees", lambda: ExtraTreesRegressor(n_jobs=1, random_state=0)),
    "knn": ("KNN", KNeighborsRegressor),
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
    parser.add_argument("--repeats", type=int, default=1, help=">1: repeated, shuffled KFold")
    parser.add_argument(
        "--models", default="lightgbm,gradient_boosting,xgboost_2017", help=f"of {list(MODELS)}"
    )
    parser.add_argument("--ablation", action="store_true", help="also measure single steps")
    args = parser.parse_args()

    train, _ = load_bigmart(args.folder)
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET]
    if args.repeats > 1:
        cv = RepeatedKFold(n_splits=args.folds, n_repeats=args.repeats, random_state=0)
    else:
        cv = KFold(n_splits=args.folds)
    configs = [("improved", "improved", None)]
    if args.ablation:
        configs += [(f"article + {s}", "improved", (s,)) for s in _ALL_STEPS]
    names = [name.strip() for name in args.models.split(",")]
    print(f"| preprocessing | {' | '.join(MODELS[n][0] for n in names)} |")
    print(f"|---|{'---:|' * len(names)}")
    scores: dict[tuple[str, str], np.ndarray] = {}
    start = time.perf_counter()
    for label, mode, steps in [("article", "article", None), *configs]:
        cells = []
        for name in names:
            pipeline = make_pipeline(_preprocessor(mode, steps), MODELS[name][1]())
            scores[label, name] = -cross_val_score(
                pipeline, X, y, cv=cv, scoring="neg_root_mean_squared_error"
            )
            if label == "article":
                cells.append(f"{scores[label, name].mean():.1f}")
            else:
                diff = scores[label, name] - scores["article", name]
                se = diff.std(ddof=1) / np.sqrt(diff.size)
                cells.append(f"{scores[label, name].mean():.1f} ({diff.mean():+.1f} ± {se:.1f})")
        print(f"| {label} | {' | '.join(cells)} |", flush=True)
    print(f"\n{cv}; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
