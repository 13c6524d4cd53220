"""Few labels (issue 11): ``tune`` against its own supervised search, fixed settings and FLAML.

Per UCI table, per number of labelled rows n and per split s: the rows are permuted with
``np.random.RandomState(1000 + s)``; the first 2,000 are the test rows, the next n are
labelled, the next 4,000 (fewer on a small table) are the unlabelled pool (``--transductive``
adds the test rows' features to the pool). Every method sees the same split:

- ``search_supervised``: ``tune(model="all", timeout=B, search_space={"sample_rate": 0})``,
  the reference;
- ``tune_default``: ``tune(model="all", timeout=B)``, the product's main path;
- fixed settings, each against the same model without pseudo-labels: ExtraTrees with
  ``selection="confidence"`` and with ``selection="coreg"``, LightGBM with
  ``label_source="teachers"``, and an ExtraTrees student taught by the zoo's Gaussian process
  (``teacher=``); a setting this pseudoboost lacks is recorded as unavailable;
- ``flaml``: FLAML's ``AutoML`` with ``time_budget=B`` (skipped with a note when absent).

One CSV row per (table, n, split, method) is appended as soon as it finishes
(``--out``/splits.csv; ``--resume`` skips the rows already there). The summary
(``summary.md``, also printed) gives per table and n each method's mean test RMSE, its ratio
to the supervised search (mean RMSE over mean RMSE on the same splits), its wins out of the
splits, a paired t-test on log RMSE over the splits, the searches' chosen models, mean
sample_rate and trials; the overall mean ratio per n; and ``ratio.png``.

    python benchmarks/bench_label_scarce.py --resume
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import _peers
import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.base import clone
from sklearn.ensemble import ExtraTreesRegressor
from threadpoolctl import threadpool_limits

from pseudoboost import PseudoLabelRegressor, tune
from pseudoboost.models import get_model

N_TEST, N_POOL = 2000, 4000
REFERENCE = "search_supervised"
KEYS = ["table", "n_labels", "split", "method"]
COLUMNS = [*KEYS, *_peers.RESULT_COLUMNS, "n_pool", "budget", "note"]
FIGURE_METHODS = ("tune_default", "flaml")


def extra_trees(seed: int) -> ExtraTreesRegressor:
    return ExtraTreesRegressor(200, min_samples_leaf=2, n_jobs=1, random_state=seed)


def lightgbm() -> LGBMRegressor:
    return LGBMRegressor(verbose=-1, n_jobs=1)


def gp_student(seed: int, pool: Any) -> PseudoLabelRegressor:
    teacher = get_model("gaussian_process").make_estimator()
    return PseudoLabelRegressor(
        extra_trees(seed), teacher=teacher, unlabeled=pool, sample_rate=1.0, random_state=seed
    )


# name -> (estimator for (seed, pool), the method it is paired with); None pool = supervised.
FIXED: dict[str, tuple[Callable[[int, Any], Any], str | None]] = {
    "et_supervised": (lambda s, pool: extra_trees(s), None),
    "et_confidence": (
        lambda s, pool: PseudoLabelRegressor(
            extra_trees(s),
            unlabeled=pool,
            selection="confidence",
            sample_rate=0.5,
            random_state=s,
        ),
        "et_supervised",
    ),
    "et_coreg": (
        lambda s, pool: PseudoLabelRegressor(
            extra_trees(s), unlabeled=pool, selection="coreg", sample_rate=0.5, random_state=s
        ),
        "et_supervised",
    ),
    "et_gp_teacher": (gp_student, "et_supervised"),
    "lgbm_supervised": (lambda s, pool: lightgbm(), None),
    "lgbm_teachers": (
        lambda s, pool: PseudoLabelRegressor(
            lightgbm(), unlabeled=pool, label_source="teachers", sample_rate=1, random_state=s
        ),
        "lgbm_supervised",
    ),
}
SEARCHES = {REFERENCE: {"sample_rate": 0}, "tune_default": None}
METHODS = [*SEARCHES, *FIXED, "flaml"]


def run_method(method: str, split: _peers.Split, seed: int, args: Any) -> dict[str, Any]:
    """One method on one split: the CSV fields (status, RMSE, seconds, what it chose)."""
    if method in SEARCHES:

        def fit_predict() -> tuple[np.ndarray, dict[str, Any]]:
            result = tune(
                split.X_lab,
                split.y_lab,
                unlabeled=split.pool,
                model="all",
                timeout=args.budget,
                n_trials=None,
                search_space=SEARCHES[method],
                random_state=seed,
                n_jobs=args.n_jobs,
            )
            return result.best_estimator_.predict(split.X_test), _peers.tune_fields(result)

        return _peers.measure(fit_predict, split.y_test)
    if method == "flaml":
        if args.flaml_missing:
            return {"status": "skipped", "seconds": 0.0, "note": args.flaml_missing}
        return _peers.measure(
            lambda: _peers.fit_flaml(
                split.X_lab,
                split.y_lab,
                split.X_test,
                budget=args.budget,
                seed=seed,
                n_jobs=args.n_jobs,
            ),
            split.y_test,
        )
    make = FIXED[method][0]

    def fit_predict() -> tuple[np.ndarray, dict[str, Any]]:
        with threadpool_limits(limits=args.n_jobs):
            model = clone(make(seed, split.pool)).fit(split.X_lab, split.y_lab)
            return model.predict(split.X_test), {}

    return _peers.measure(fit_predict, split.y_test, failure="unavailable")


def summary_table(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The per table and n markdown table, and the comparison with the supervised search."""
    groups = ["table", "n_labels"]
    versus = _peers.compare(frame, groups, "split", REFERENCE, by="method")
    own = {
        base: _peers.compare(frame, groups, "split", base, by="method").set_index(
            [*groups, "method"]
        )
        for base in {b for _, b in FIXED.values() if b}
    }
    rows = []
    for row in versus.itertuples(index=False):
        runs = frame[
            (frame["table"] == row.table)
            & (frame["n_labels"] == row.n_labels)
            & (frame["method"] == row.method)
        ]
        ok = runs[runs["status"] == "ok"]
        base = FIXED.get(row.method, (None, None))[1]
        vs_own = "-"
        if base is not None and (row.table, row.n_labels, row.method) in own[base].index:
            mine = own[base].loc[(row.table, row.n_labels, row.method)]
            vs_own = (
                f"{_peers.fmt(mine['ratio'], '.3f')} ({int(mine['wins'])}/{int(mine['pairs'])}, "
                f"p {_peers.fmt(mine['p'], '.2g')})"
            )
        searched = ok["n_complete"].notna().any()
        rows.append(
            [
                row.table,
                row.n_labels,
                row.method,
                _peers.fmt(row.rmse),
                f"{row.runs}/{len(runs)}",
                _peers.fmt(row.ratio, ".3f"),
                f"{row.wins}/{row.pairs}" if row.method != REFERENCE else "-",
                _peers.fmt(row.p, ".2g"),
                vs_own,
                _peers.fmt(ok["seconds"].mean(), ".1f"),
                _peers.chosen(ok) if ok["model"].notna().any() else "-",
                _peers.fmt(ok["sample_rate"].mean(), ".2f"),
                _peers.pseudo_returned(runs),
                (
                    f"{ok['n_complete'].mean():.1f}/{ok['n_trials'].mean():.1f}"
                    if searched
                    else _peers.fmt(ok["n_trials"].mean(), ".1f")
                ),
                _peers.notes(runs) or "-",
            ]
        )
    header = [
        "table",
        "n",
        "method",
        "test RMSE",
        "runs",
        "ratio to search",
        "wins",
        "p (paired)",
        "ratio to own supervised (wins, p)",
        "seconds",
        "chosen model",
        "mean sample_rate",
        "pseudo-labels returned",
        "trials complete/started",
        "notes",
    ]
    return _peers.markdown(header, rows), versus


def overall_table(versus: pd.DataFrame) -> str:
    """Mean over the tables of each method's ratio to the supervised search, per n."""
    pivot = versus.pivot_table(
        index="method", columns="n_labels", values="ratio", aggfunc="mean", dropna=False
    )
    worst = versus.pivot_table(
        index="method", columns="n_labels", values="ratio", aggfunc="max", dropna=False
    )
    ns = list(pivot.columns)
    header = ["method", *[f"mean ratio, n={n}" for n in ns], *[f"worst table, n={n}" for n in ns]]
    rows = [
        [
            method,
            *[_peers.fmt(pivot.loc[method, n], ".3f") for n in ns],
            *[_peers.fmt(worst.loc[method, n], ".3f") for n in ns],
        ]
        for method in sorted(pivot.index, key=METHODS.index)
    ]
    return _peers.markdown(header, rows)


def plot_ratios(versus: pd.DataFrame, path: Any) -> None:
    """Bars: ratio of default tune and of FLAML to the supervised search, per table and n."""
    plt = _peers.figure()
    shown = versus[versus["method"].isin(FIGURE_METHODS) & versus["ratio"].notna()]
    tables = list(dict.fromkeys(versus["table"]))
    bars = [(m, n) for m in FIGURE_METHODS for n in sorted(versus["n_labels"].unique())]
    width = 0.8 / max(len(bars), 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(tables)), 4))
    for i, (method, n) in enumerate(bars):
        sub = shown[(shown["method"] == method) & (shown["n_labels"] == n)].set_index("table")
        heights = [sub["ratio"].get(t, np.nan) for t in tables]
        offset = (i - (len(bars) - 1) / 2) * width
        ax.bar(
            np.arange(len(tables)) + offset,
            np.asarray(heights) - 1.0,
            width,
            bottom=1.0,
            label=f"{method}, n={n}",
        )
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(np.arange(len(tables)), tables)
    ax.set_ylabel("test RMSE / supervised search's")
    ax.set_title("Few labels, ratio to the supervised search (below 1: better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data",
        nargs="?",
        default=_peers.SHARED_DATA / "uci",
        help="folder of the UCI *.csv.gz tables (default: ../shared/data/uci from the repo root)",
    )
    parser.add_argument("--tables", nargs="+", help="table names (default: every table)")
    parser.add_argument("--n-labels", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--splits", type=int, default=5, help="random splits 0..splits-1")
    parser.add_argument("--transductive", action="store_true", help="add test rows to the pool")
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    _peers.add_common_arguments(parser, budget=20.0, out="benchmarks/out/label_scarce")
    args = parser.parse_args()
    tables = args.tables or _peers.uci_tables(args.data)
    if not tables:
        parser.error(f"no *.csv.gz table in {args.data}")
    if REFERENCE not in args.methods:
        print(f"note: {REFERENCE} is not in --methods; ratios need its rows in the CSV")
    env = _peers.environment()
    args.flaml_missing = _peers.peer_missing("flaml", "pip install flaml to compare with it")
    records = _peers.open_records(parser, args.out / "splits.csv", KEYS, COLUMNS, args.resume)

    for table in tables:
        X, y = _peers.load_uci(args.data, table)
        for n in args.n_labels:
            for s in range(args.splits):
                split = _peers.random_split(
                    X,
                    y,
                    s,
                    n_test=N_TEST,
                    n_labels=n,
                    n_pool=N_POOL,
                    transductive=args.transductive,
                )
                for method in args.methods:
                    key = {"table": table, "n_labels": n, "split": s, "method": method}
                    if records.done(**key):
                        continue
                    row = run_method(method, split, s, args)
                    row.update(key, n_pool=len(split.pool), budget=args.budget)
                    records.append(row)
                    _peers.progress(key, row)

    frame = records.frame()
    frame = frame[
        frame["table"].isin(tables)
        & frame["n_labels"].isin(args.n_labels)
        & (frame["split"] < args.splits)
        & frame["method"].isin(args.methods)
    ].reset_index(drop=True)
    table_md, versus = summary_table(frame)
    args.out.mkdir(parents=True, exist_ok=True)
    plot_ratios(versus, args.out / "ratio.png")
    pool = "the 4,000-row pool plus the test rows" if args.transductive else "the pool"
    _peers.write_report(
        args.out,
        "Few labels: tune against its supervised search, fixed settings and FLAML",
        [
            f"Budget B = {args.budget:g} s per search (tune and FLAML), {args.n_jobs} core(s) "
            f"each; {args.splits} split(s); {N_TEST} test rows, n labelled rows, {pool}. "
            "Ratio: mean test RMSE over the mean of the supervised search on the same splits; "
            "p: paired t-test on log RMSE over the splits. Fixed settings are also compared "
            "with the same model without pseudo-labels.",
            table_md,
            "Mean over the tables of the ratio to the supervised search, per n:",
            overall_table(versus),
            "Figure: ratio.png",
        ],
        env,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
