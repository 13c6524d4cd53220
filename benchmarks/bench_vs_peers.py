"""Side by side at the same budget (issue 12): ``pseudoboost.tune`` against FLAML and AutoGluon.

Each system gets the same wall budget B (``--budget``, 120 s) and the same cores
(``--n-jobs``) on the same splits, one after the other in this process:

- ``bigmart``: the Big Mart hold-out protocol. The real train.csv is split 70/30 with
  ``train_test_split(test_size=0.3, random_state=seed)``; the score is the RMSE on the 30%
  hold-out. pseudoboost: ``tune(model="all", timeout=B, cv=5,
  preprocessor=BigMartPreprocessor("improved"))`` with test.csv plus the hold-out rows'
  features as the pool. FLAML: ``AutoML(time_budget=B, metric="rmse")`` with
  ``--flaml-estimators`` (lgbm, xgboost, rf, extra_tree) on the raw columns, object columns
  as pandas categories. AutoGluon sees the same raw columns.
- ``bike``, ``protein`` (UCI; ``elevators`` and ``pol`` on request, tables no change was
  measured on): rows permuted with ``np.random.RandomState(1000 + seed)``;
  5,000 test rows, 5,000 labelled rows, a 5,000-row pool (``--n-rows``). pseudoboost:
  ``tune(model="all", timeout=B, cv=5)`` with the pool; the peers see the labelled rows.

AutoGluon runs only when ``autogluon.tabular`` imports (it is large; otherwise skipped with a
note). One CSV row per (table, seed, system) is appended as soon as it finishes
(``--out``/runs.csv, with its anytime curve; ``--resume`` skips the rows already there).
``summary.md`` (also printed) gives the mean hold-out RMSE per system and table and its ratio to
FLAML's; ``anytime.png`` the best validation RMSE against elapsed seconds (each system's own
validation: pseudoboost's 5-fold CV, FLAML's holdout or CV, AutoGluon's final leaderboard).

    python benchmarks/bench_vs_peers.py --resume
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

import _peers
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from pseudoboost import tune
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart
from pseudoboost.preprocessing import BigMartPreprocessor

TABLES = ["bigmart", "bike", "protein"]  # the tables (the default)
# UCI tables large enough for 3 x 5,000 rows that no change here was measured on: a check that
# what holds on the tables above is not fitted to them.
UNSEEN = ["elevators", "pol"]
# Smaller UCI tables, also unseen: with --n-rows up to a third of their rows (5,875 and 3,338).
SMALL = ["parkinsons", "skillcraft"]
SYSTEMS = ["pseudoboost", "flaml", "autogluon"]
REFERENCE = "flaml"
KEYS = ["table", "seed", "system"]
COLUMNS = [*KEYS, *_peers.RESULT_COLUMNS, "budget", "note", "curve"]
HINTS = {
    "flaml": ("flaml", "pip install flaml to compare with it"),
    "autogluon": ("autogluon.tabular", "pip install autogluon.tabular to compare with it"),
}


def bigmart_split(folder: Any, seed: int) -> tuple[_peers.Split, list[pd.DataFrame]]:
    """The hold-out split on raw columns, and (train, hold-out) as categories for the peers."""
    train, test = load_bigmart(folder)
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET].to_numpy(dtype=float)
    X_tr, X_ho, y_tr, y_ho = train_test_split(X, y, test_size=0.3, random_state=seed)
    pool = pd.concat([test, X_ho], axis=0, ignore_index=True)
    peers = _peers.as_categories([X_tr, X_ho, pool])[:2]
    return _peers.Split(X_tr, y_tr, pool, X_ho, y_ho), peers


def make_split(table: str, seed: int, args: Any) -> tuple[_peers.Split, list[Any], Any]:
    """(split, (labelled, test) rows for the peers, tune's preprocessor) of one table."""
    if table == "bigmart":
        split, peers = bigmart_split(args.bigmart, seed)
        return split, peers, BigMartPreprocessor("improved")
    X, y = _peers.load_uci(args.uci, table)
    n = args.n_rows
    split = _peers.random_split(X, y, seed, n_test=n, n_labels=n, n_pool=n)
    return split, [split.X_lab, split.X_test], None


def run_system(
    system: str, split: _peers.Split, peers: list[Any], preprocessor: Any, seed: int, args: Any
) -> dict[str, Any]:
    """One system on one split: the CSV fields (status, hold-out RMSE, seconds, curve...)."""
    if system == "pseudoboost":

        def fit_predict() -> tuple[np.ndarray, dict[str, Any]]:
            started = datetime.now()
            result = tune(
                split.X_lab,
                split.y_lab,
                unlabeled=split.pool,
                model="all",
                timeout=args.budget,
                n_trials=None,
                cv=5,
                preprocessor=preprocessor,
                random_state=seed,
                n_jobs=args.n_jobs,
            )
            fields = {**_peers.tune_fields(result), "curve": _peers.tune_curve(result, started)}
            return result.best_estimator_.predict(split.X_test), fields

        return _peers.measure(fit_predict, split.y_test)
    if args.missing.get(system):
        return {"status": "skipped", "seconds": 0.0, "note": args.missing[system]}
    X_lab, X_test = peers
    if system == "flaml":
        settings = {}
        if args.flaml_estimators != ["auto"]:
            settings["estimator_list"] = args.flaml_estimators
        return _peers.measure(
            lambda: _peers.fit_flaml(
                X_lab,
                split.y_lab,
                X_test,
                budget=args.budget,
                seed=seed,
                n_jobs=args.n_jobs,
                curve=True,
                **settings,
            ),
            split.y_test,
        )
    return _peers.measure(
        lambda: _peers.fit_autogluon(
            X_lab, split.y_lab, X_test, budget=args.budget, n_jobs=args.n_jobs
        ),
        split.y_test,
    )


def summary_table(frame: pd.DataFrame) -> str:
    """Mean hold-out RMSE per table and system, per seed, and the ratio to FLAML's."""
    versus = _peers.compare(frame, ["table"], "seed", REFERENCE, by="system")
    rows = []
    for row in versus.itertuples(index=False):
        runs = frame[(frame["table"] == row.table) & (frame["system"] == row.system)]
        ok = runs[runs["status"] == "ok"].sort_values("seed")
        pairs = zip(ok["seed"], ok["rmse"], strict=True)
        per_seed = ", ".join(f"{seed}: {_peers.fmt(rmse, '.5g')}" for seed, rmse in pairs)
        rows.append(
            [
                row.table,
                row.system,
                _peers.fmt(row.rmse, ".5g"),
                per_seed or "-",
                _peers.fmt(row.ratio, ".4f"),
                _peers.fmt_interval(row.low, row.high),
                f"{row.wins}/{row.pairs}" if row.system != REFERENCE else "-",
                _peers.fmt(ok["seconds"].mean(), ".0f"),
                _peers.chosen(ok),
                _peers.fmt(ok["sample_rate"].mean(), ".2f"),
                _peers.pseudo_returned(runs),
                _peers.fmt(ok["n_trials"].mean(), ".0f"),
                _peers.notes(runs) or "-",
            ]
        )
    header = [
        "table",
        "system",
        "hold-out RMSE",
        "per seed",
        "ratio to FLAML",
        "90% interval",
        "wins vs FLAML",
        "seconds",
        "chosen model",
        "mean sample_rate",
        "pseudo-labels returned",
        "trials",
        "notes",
    ]
    return _peers.markdown(header, rows)


def versus_peers_table(frame: pd.DataFrame) -> str:
    """pseudoboost's hold-out RMSE over each peer's, per table: the ratio of the means, a 90%
    interval of the per-seed ratio (:func:`_peers.ratio_interval`) and the seeds it wins."""
    peers = [s for s in SYSTEMS if s != "pseudoboost" and s in set(frame["system"])]
    versus = {
        peer: _peers.compare(frame, ["table"], "seed", peer, by="system").set_index(
            ["table", "system"]
        )
        for peer in peers
    }
    rows = []
    for table in frame["table"].unique():
        row = [table]
        for peer in peers:
            key = (table, "pseudoboost")
            if key not in versus[peer].index or not versus[peer].loc[key, "pairs"]:
                row.append("-")
                continue
            cell = versus[peer].loc[key]
            interval = _peers.fmt_interval(cell["low"], cell["high"])
            row.append(
                f"{_peers.fmt(cell['ratio'], '.4f')} ({interval}; "
                f"{int(cell['wins'])}/{int(cell['pairs'])} seeds)"
            )
        rows.append(row)
    header = ["table", *(f"pseudoboost / {peer}" for peer in peers)]
    return _peers.markdown(header, rows)


def plot_anytime(frame: pd.DataFrame, tables: list[str], path: Any) -> None:
    """Best validation RMSE against seconds, one panel per table, one line per system and seed;
    a star marks each run's hold-out RMSE at its wall time."""
    plt = _peers.figure()
    fig, axes = plt.subplots(1, len(tables), figsize=(5 * len(tables), 4), squeeze=False)
    colours = dict(zip(SYSTEMS, ("tab:blue", "tab:orange", "tab:green"), strict=True))
    for ax, table in zip(axes[0], tables, strict=True):
        runs = frame[(frame["table"] == table) & (frame["status"] == "ok")]
        labelled = set()
        for run in runs.itertuples(index=False):
            curve = np.array(json.loads(run.curve) if isinstance(run.curve, str) else [])
            label = None if run.system in labelled else run.system
            labelled.add(run.system)
            if curve.size:  # held at its last best until the run ended
                curve = np.vstack([curve, [max(run.seconds, curve[-1, 0]), curve[-1, 1]]])
                colour = colours[run.system]
                ax.step(*curve.T, where="post", color=colour, marker=".", label=label)
                label = None
            ax.plot(run.seconds, run.rmse, "*", color=colours[run.system], label=label)
        ax.set_title(f"{table} (star: hold-out RMSE)")
        ax.set_xlabel("seconds since the system started")
        ax.set_ylabel("best validation RMSE so far")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def check_table_sizes(parser: argparse.ArgumentParser, args: Any) -> None:
    """A one-line error, before any run, for a UCI table missing or too small for
    ``--n-rows`` test, labelled and pool rows."""
    for table in args.tables:
        if table == "bigmart":
            continue
        try:
            n = len(_peers.load_uci(args.uci, table)[1])
        except FileNotFoundError as error:
            parser.error(str(error))
        if n < 3 * args.n_rows:
            parser.error(
                f"{table} has {n} rows, too few for --n-rows {args.n_rows} (test, labelled and "
                f"pool rows each): use --n-rows {n // 3} or fewer for it."
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tables",
        nargs="+",
        default=TABLES,
        choices=TABLES + UNSEEN + SMALL,
        help=f"default: {' '.join(TABLES)}; {', '.join(UNSEEN + SMALL)} are tables no change "
        f"was tuned on ({' and '.join(SMALL)} with --n-rows up to a third of their rows)",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    parser.add_argument(
        "--bigmart",
        default=_peers.SHARED_DATA / "bigmart",
        help="folder of the real train.csv and test.csv (default: ../shared/data/bigmart)",
    )
    parser.add_argument(
        "--uci",
        default=_peers.SHARED_DATA / "uci",
        help="folder of the UCI *.csv.gz tables (default: ../shared/data/uci)",
    )
    parser.add_argument(
        "--n-rows", type=int, default=5000, help="UCI tables: test, labelled and pool rows each"
    )
    parser.add_argument(
        "--flaml-estimators",
        nargs="+",
        default=["lgbm", "xgboost", "rf", "extra_tree"],
        help="FLAML's estimator_list ('auto': FLAML's default list)",
    )
    _peers.add_common_arguments(parser, budget=120.0, out="benchmarks/out/vs_peers")
    args = parser.parse_args()
    check_table_sizes(parser, args)
    env = _peers.environment()
    args.missing = {name: _peers.peer_missing(*HINTS[name]) for name in HINTS}
    records = _peers.open_records(parser, args.out / "runs.csv", KEYS, COLUMNS, args.resume)

    for table in args.tables:
        for seed in args.seeds:
            todo = [s for s in args.systems if not records.done(table=table, seed=seed, system=s)]
            if not todo:
                continue
            split, peers, preprocessor = make_split(table, seed, args)
            for system in todo:
                key = {"table": table, "seed": seed, "system": system}
                row = run_system(system, split, peers, preprocessor, seed, args)
                row.update(key, budget=args.budget)
                records.append(row)
                _peers.progress(key, row)

    frame = records.frame()
    frame = frame[
        frame["table"].isin(args.tables)
        & frame["seed"].isin(args.seeds)
        & frame["system"].isin(args.systems)
    ].reset_index(drop=True)
    args.out.mkdir(parents=True, exist_ok=True)
    plot_anytime(frame, args.tables, args.out / "anytime.png")
    _peers.write_report(
        args.out,
        "Side by side: pseudoboost.tune, FLAML and AutoGluon at the same budget",
        [
            f"Budget {args.budget:g} s per system and seed, {args.n_jobs} core(s) each; seeds "
            f"{', '.join(map(str, args.seeds))}. Ratio: mean hold-out RMSE over FLAML's on the "
            "same seeds. FLAML estimators: " + ", ".join(args.flaml_estimators) + ".",
            summary_table(frame),
            "pseudoboost against each peer (a ratio below 1: pseudoboost's RMSE is lower; the "
            "interval: 90%, of the per-seed ratio's geometric mean, a t-interval over seeds):",
            versus_peers_table(frame),
            "Figure: anytime.png",
        ],
        env,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
