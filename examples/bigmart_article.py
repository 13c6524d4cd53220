"""Reproduce the Big Mart Sales pseudo-labelling article with today's libraries.

The 2017 Analytics Vidhya article "Introduction to Pseudo-Labelling" cross-validated a zoo
of regressors on Big Mart Sales, supervised and with 20% of the test file pseudo-labelled,
then plotted CV RMSE against the share of the test file pseudo-labelled. This script does
the same, leak-free: the preprocessing is fitted inside every fold and the pool (the whole
test file, as in the article) is given raw to :class:`pseudoboost.PseudoLabelRegressor`,
through :func:`pseudoboost.compare`::

    python examples/bigmart_article.py ../shared/data/bigmart
    python examples/bigmart_article.py            # offline, on make_bigmart_like()

It prints the model-zoo table (8-fold KFold without shuffling, as the article) and saves the
article's figure (5-fold CV RMSE against sample_rate, 10 points from 0 to 1, one panel per
model) as a PNG.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from lightgbm import LGBMRegressor  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import BayesianRidge, ElasticNet, Ridge  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402
from sklearn.neighbors import KNeighborsRegressor  # noqa: E402
from xgboost import XGBRegressor  # noqa: E402

from pseudoboost import compare, plot_sample_rate_curve  # noqa: E402
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart, make_bigmart_like  # noqa: E402
from pseudoboost.preprocessing import BigMartPreprocessor  # noqa: E402

SEED = 42  # the article's model.seed


def model_zoo() -> dict[str, object]:
    """The article's models; XGBoost twice: its 2017 wrapper defaults and today's."""
    return {
        "XGBoost (2017 defaults)": XGBRegressor(
            max_depth=3, learning_rate=0.1, n_estimators=100, n_jobs=1, random_state=SEED
        ),
        "XGBoost (today's defaults)": XGBRegressor(n_jobs=1, random_state=SEED),
        "LightGBM": LGBMRegressor(n_jobs=1, random_state=SEED, verbose=-1),
        "RandomForest": RandomForestRegressor(n_jobs=1, random_state=SEED),
        "ExtraTrees": ExtraTreesRegressor(n_jobs=1, random_state=SEED),
        "GradientBoosting": GradientBoostingRegressor(random_state=SEED),
        "Ridge": Ridge(),
        "BayesianRidge": BayesianRidge(),
        "ElasticNet": ElasticNet(),
        "KNN": KNeighborsRegressor(),
    }


# The forests cost about 20x a boosted model per fit; the figure leaves them out by default.
DEFAULT_CURVE_MODELS = (
    "XGBoost (2017 defaults)",
    "XGBoost (today's defaults)",
    "LightGBM",
    "GradientBoosting",
    "Ridge",
    "BayesianRidge",
    "ElasticNet",
    "KNN",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Reproduce the Big Mart pseudo-labelling article (table and figure)."
    )
    parser.add_argument(
        "folder",
        nargs="?",
        help="folder with the real train.csv and test.csv; omitted: make_bigmart_like()",
    )
    parser.add_argument(
        "--figure", default="bigmart_sample_rate.png", help="where to save the PNG figure"
    )
    parser.add_argument(
        "--mode", choices=("article", "improved"), default="article", help="preprocessing"
    )
    parser.add_argument(
        "--n-train", type=int, default=8523, help="generated labelled rows (no folder given)"
    )
    parser.add_argument(
        "--n-test", type=int, default=5681, help="generated unlabelled rows (no folder given)"
    )
    parser.add_argument("--folds", type=int, default=8, help="folds of the table (article: 8)")
    parser.add_argument(
        "--curve-folds", type=int, default=5, help="folds of the figure (article: 5)"
    )
    parser.add_argument(
        "--curve-models",
        default="default",
        help="comma-separated model names for the figure, 'all', 'none' or 'default' "
        "(every model but RandomForest and ExtraTrees)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=-1, help="parallel fits (joblib; -1: all cores)"
    )
    args = parser.parse_args(argv)

    zoo = model_zoo()
    if args.curve_models == "default":
        curve_names = list(DEFAULT_CURVE_MODELS)
    elif args.curve_models == "all":
        curve_names = list(zoo)
    elif args.curve_models == "none":
        curve_names = []
    else:
        curve_names = [name.strip() for name in args.curve_models.split(",") if name.strip()]
        unknown = [name for name in curve_names if name not in zoo]
        if unknown:
            parser.error(f"unknown --curve-models {unknown}; choose from {list(zoo)}")

    if args.folder:
        train, test = load_bigmart(Path(args.folder))
        source = f"real files in {args.folder}"
    else:
        train, test = make_bigmart_like(n_train=args.n_train, n_test=args.n_test)
        source = "make_bigmart_like() (generated look-alike)"
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET].to_numpy(float)
    preprocessor = BigMartPreprocessor(mode=args.mode)
    print(
        f"Big Mart: {len(train)} labelled rows, pool = the whole test file ({len(test)} rows); "
        f"{source}; preprocessing mode={args.mode!r}"
    )

    start = time.perf_counter()
    table = compare(
        X,
        y,
        unlabeled=test,
        models=list(zoo.items()),
        sample_rates=(0.0, 0.2),
        cv=KFold(n_splits=args.folds),
        scoring="neg_root_mean_squared_error",
        random_state=SEED,
        preprocessor=preprocessor,
        n_jobs=args.n_jobs,
    )
    print(f"\n{args.folds}-fold CV RMSE (KFold without shuffling), sample_rate 0.2:\n")
    print("| model | supervised | pseudo-labelled | difference | p-value | folds won |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in zoo:
        rows = table[table["model"] == name].set_index("sample_rate")
        sup, pseudo = rows.loc[0.0], rows.loc[0.2]
        print(
            f"| {name} | {sup['score_mean']:.1f} | {pseudo['score_mean']:.1f} | "
            f"{pseudo['diff_vs_supervised']:+.1f} | {pseudo['p_value']:.2f} | "
            f"{int(pseudo['wins'])}/{int(pseudo['n_folds'])} |"
        )
    print(f"\n(table: {time.perf_counter() - start:.0f} s)", flush=True)

    if curve_names:
        start = time.perf_counter()
        rates = np.linspace(0, 1, 10)
        curve = compare(
            X,
            y,
            unlabeled=test,
            models=[(name, zoo[name]) for name in curve_names],
            sample_rates=rates,
            cv=KFold(n_splits=args.curve_folds),
            scoring="neg_root_mean_squared_error",
            random_state=SEED,
            preprocessor=preprocessor,
            n_jobs=args.n_jobs,
        )
        columns = min(3, len(curve_names))
        rows_ = int(np.ceil(len(curve_names) / columns))
        fig, axes = plt.subplots(
            rows_, columns, figsize=(5.5 * columns, 4.0 * rows_), squeeze=False
        )
        for ax, name in zip(axes.flat, curve_names, strict=False):
            plot_sample_rate_curve(curve[curve["model"] == name], ax=ax, title=name)
            ax.set_xlabel("sample_rate")
            ax.set_ylabel(f"{args.curve_folds}-fold CV RMSE")
            ax.get_legend().remove()
        for ax in axes.flat[len(curve_names) :]:
            ax.set_visible(False)
        fig.suptitle("Big Mart: CV RMSE against the share of the test file pseudo-labelled")
        fig.tight_layout()
        fig.savefig(args.figure, dpi=100)
        plt.close(fig)
        best = curve.loc[curve.groupby("model", sort=False)["score_mean"].idxmin()]
        print(f"\nBest sample_rate per model ({args.curve_folds}-fold CV RMSE):\n")
        print("| model | best sample_rate | RMSE there | RMSE at 0 |")
        print("|---|---:|---:|---:|")
        for _, row in best.iterrows():
            at_zero = curve[(curve["model"] == row["model"]) & (curve["sample_rate"] == 0)]
            print(
                f"| {row['model']} | {row['sample_rate']:.2f} | {row['score_mean']:.1f} | "
                f"{at_zero['score_mean'].iloc[0]:.1f} |"
            )
        print(f"\nSaved {args.figure} (figure: {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
