"""Chasing the best 8-fold CV RMSE on Big Mart (issue 5's goal: at most 1070).

The article's protocol: real train.csv, 8-fold ``KFold`` without shuffling, RMSE, test.csv as
the pseudo-labelling pool, ``BigMartPreprocessor`` fitted inside every fold. Each candidate is
``PseudoLabelRegressor(make_pipeline(BigMartPreprocessor(mode), model), unlabeled=test)`` scored
on the same folds with ``--sample-rate`` and with ``sample_rate=0`` (the same model without
pseudo-labels), compared with ``pseudoboost.corrected_ttest``. ``--n-trials`` > 0 also tunes
the blend (its weight, sample_rate, pseudo_weight) with ``pseudoboost.tune`` on a model
registered through ``pseudoboost.models.register_model``. Public API only.

    python benchmarks/bench_bigmart_best.py --data ../shared/data/bigmart --n-trials 20
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from typing import Any

import numpy as np
from lightgbm import LGBMRegressor
from optuna.distributions import FloatDistribution
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor, VotingRegressor
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from pseudoboost import PseudoLabelRegressor, corrected_ttest, tune
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.models import ModelSpec, register_model
from pseudoboost.preprocessing import BigMartPreprocessor

# The supervised best of benchmarks/bench_tuning.py (RESULTS.md, "Tuning" section, 1074.3).
LGBM_TWEEDIE = {
    "objective": "tweedie",
    "n_estimators": 450,
    "learning_rate": 0.017918816460050363,
    "num_leaves": 4,
    "min_child_samples": 91,
    "subsample": 0.7279031992096282,
    "subsample_freq": 1,
    "colsample_bytree": 0.624558218415013,
    "reg_alpha": 6.253002260161025e-07,
    "reg_lambda": 0.08453534245148185,
    "tweedie_variance_power": 1.315690711482407,
    "verbosity": -1,
    "n_jobs": 1,
    "random_state": 0,
}


class OutletRatioRegressor(RegressorMixin, BaseEstimator):
    """Sales = b[outlet] * Item_MRP, with b the (weighted) ratio sum(y) / sum(MRP) per outlet.

    The outlet is the combination of ``group_columns`` (after ``BigMartPreprocessor``, the
    establishment year with the outlet type identifies each of the 10 outlets). One number per
    outlet: the ratio estimator is the weighted least-squares fit of a line through the origin
    when the variance grows with the price, as it does for Big Mart's sales.
    """

    def __init__(
        self,
        group_columns: tuple[str, ...] = ("Outlet_Establishment_Year", "Outlet_Type"),
        price_column: str = "Item_MRP",
    ) -> None:
        self.group_columns = group_columns
        self.price_column = price_column

    def _keys(self, X: Any) -> list[tuple]:
        return list(X[list(self.group_columns)].itertuples(index=False, name=None))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> OutletRatioRegressor:
        y = np.asarray(y, dtype=float)
        price = np.asarray(X[self.price_column], dtype=float)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, float)
        sums: dict[tuple, list[float]] = {}
        for key, yi, pi, wi in zip(self._keys(X), y, price, w, strict=True):
            acc = sums.setdefault(key, [0.0, 0.0])
            acc[0] += wi * yi
            acc[1] += wi * pi
        self.ratios_ = {key: num / den for key, (num, den) in sums.items()}
        self.global_ratio_ = float(np.sum(w * y) / np.sum(w * price))
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        price = np.asarray(X[self.price_column], dtype=float)
        ratio = [self.ratios_.get(key, self.global_ratio_) for key in self._keys(X)]
        return np.asarray(ratio) * price


def blend(weight: float = 0.85, **lgbm: Any) -> VotingRegressor:
    """``weight`` * outlet ratio + (1 - ``weight``) * LightGBM (Tweedie)."""
    return VotingRegressor(
        [("ratio", OutletRatioRegressor()), ("lgbm", LGBMRegressor(**{**LGBM_TWEEDIE, **lgbm}))],
        weights=[weight, 1.0 - weight],
    )


CANDIDATES = {
    "lgbm_tweedie (RESULTS.md supervised best)": lambda: LGBMRegressor(**LGBM_TWEEDIE),
    "hgb_poisson": lambda: HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=300,
        learning_rate=0.03,
        max_leaf_nodes=6,
        min_samples_leaf=80,
        random_state=0,
    ),
    "outlet_ratio": OutletRatioRegressor,
    "blend 0.85 ratio + 0.15 lgbm_tweedie": blend,
}


def cv_scores(estimator: Any, X: Any, y: np.ndarray, folds: list) -> np.ndarray:
    scores = []
    for train_idx, test_idx in folds:
        model = estimator.fit(X.iloc[train_idx], y[train_idx])
        pred = model.predict(X.iloc[test_idx])
        scores.append(float(np.sqrt(np.mean((y[test_idx] - pred) ** 2))))
    return np.asarray(scores)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/bigmart")
    parser.add_argument("--mode", default="improved", choices=["article", "improved"])
    parser.add_argument("--sample-rate", type=float, default=0.2)
    parser.add_argument("--label-source", default="model", choices=["model", "teachers"])
    parser.add_argument("--n-trials", type=int, default=0, help="tune the blend (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    train, test = load_bigmart(args.data)
    y = train.pop(BIGMART_TARGET).to_numpy()
    folds = list(KFold(8).split(train))
    n_test = len(y) / 8
    n_train = len(y) - n_test
    command = (
        f"python benchmarks/bench_bigmart_best.py --data {args.data} --mode {args.mode} "
        f"--sample-rate {args.sample_rate} --label-source {args.label_source} "
        f"--n-trials {args.n_trials} --seed {args.seed}"
    )
    report: dict[str, Any] = {"command": command, "load_before": uptime(), "rows": []}

    def evaluate(name: str, make: Any, sample_rate: float, **knobs: Any) -> dict:
        start = time.perf_counter()

        def run(rate: float) -> np.ndarray:
            est = PseudoLabelRegressor(
                make_pipeline(BigMartPreprocessor(mode=args.mode), make()),
                unlabeled=test,
                sample_rate=rate,
                random_state=args.seed,
                **knobs,
            )
            return cv_scores(est, train, y, folds)

        pseudo, supervised = run(sample_rate), run(0.0)
        test_ = corrected_ttest(pseudo - supervised, n_train, n_test)
        row = {
            "name": name,
            "sample_rate": sample_rate,
            "pseudo": pseudo.tolist(),
            "supervised": supervised.tolist(),
            "diff": float(test_.mean),
            "p": float(test_.p_value),
            "seconds": time.perf_counter() - start,
        }
        print(
            f"{name}: {pseudo.mean():.1f} ± {pseudo.std():.1f} (sr={sample_rate}) vs "
            f"{supervised.mean():.1f} (sr=0), p={test_.p_value:.2f}, {row['seconds']:.0f} s",
            flush=True,
        )
        report["rows"].append(row)
        return row

    knobs = {"label_source": args.label_source}
    for name, make in CANDIDATES.items():
        evaluate(name, make, args.sample_rate, **knobs)

    if args.n_trials > 0:
        register_model(
            ModelSpec(
                "bigmart_ratio_blend",
                "regression",
                blend,
                {"weight": FloatDistribution(0.5, 1.0)},
                {},
                "outlet price ratio blended with LightGBM (Tweedie)",
            ),
            overwrite=True,
        )
        result = tune(
            train,
            y,
            unlabeled=test,
            model="bigmart_ratio_blend",
            cv=KFold(8),
            preprocessor=BigMartPreprocessor(mode=args.mode),
            n_trials=args.n_trials,
            random_state=args.seed,
            search_space={"selection": "random", "max_iter": 1},
        )
        params = result.best_params
        weight = params.get("bigmart_ratio_blend__weight", params.get("weight"))
        print(f"tuned: {result.best_score:.1f} with {params}", flush=True)
        report["tuned"] = {
            "best_score": result.best_score,
            "params": params,
            "wall": result.wall_time,
        }
        evaluate(
            f"tuned blend (weight {weight:.3f}, tune: {result.n_trials} trials, "
            f"{result.wall_time / 60:.1f} min)",
            lambda: blend(weight),
            float(params.get("sample_rate", 0.0)),
            pseudo_weight=float(params.get("pseudo_weight", 1.0)),
            **knobs,
        )

    report["load_after"] = uptime()
    print(render(report))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=float)
    return 0


def render(report: dict) -> str:
    lines = [
        "Command:",
        "",
        "```",
        report["command"],
        "```",
        "",
        f"Load before: `{report['load_before']}`, after: `{report['load_after']}`.",
        "",
        "| model | sample_rate | 8-fold CV RMSE (mean ± sd) | same model, sample_rate=0 | "
        "difference | corrected p | wall time |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        p, s = np.asarray(r["pseudo"]), np.asarray(r["supervised"])
        lines.append(
            f"| {r['name']} | {r['sample_rate']:g} | {p.mean():.1f} ± {p.std():.1f} | "
            f"{s.mean():.1f} ± {s.std():.1f} | {r['diff']:+.2f} | {r['p']:.2f} | "
            f"{r['seconds']:.0f} s |"
        )
    best = min(min(np.mean(r["pseudo"]), np.mean(r["supervised"])) for r in report["rows"])
    lines += ["", f"Best 8-fold CV RMSE: {best:.1f} (goal: at most 1070).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
