"""Helpers shared by ``bench_label_scarce.py`` and ``bench_vs_peers.py`` (not a benchmark).

Loading the UCI tables and drawing their random splits, running the optional peers (FLAML,
AutoGluon) side by side with ``pseudoboost.tune``, recording one CSV row per run as it finishes
(so a killed run loses nothing and ``--resume`` picks up where it stopped), paired comparisons
over splits, and the machine, load and package versions written with every summary. Public API
of pseudoboost only; the peers are optional and imported where they are used.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import root_mean_squared_error

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# The per-run fields both benchmarks record (after their own key columns).
RESULT_COLUMNS = [
    "status",
    "rmse",
    "seconds",
    "model",
    "returned",
    "sample_rate",
    "n_complete",
    "n_trials",
    "cv_score",
]
PACKAGES = (
    "pseudoboost",
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "optuna",
    "lightgbm",
    "xgboost",
    "catboost",
    "flaml",
    "autogluon.tabular",
)


# ----------------------------------------------------------------------------- data


def uci_tables(folder: str | os.PathLike[str]) -> list[str]:
    """Names of the ``*.csv.gz`` tables in ``folder``, sorted."""
    return sorted(path.name.removesuffix(".csv.gz") for path in Path(folder).glob("*.csv.gz"))


@functools.cache
def load_uci(folder: str | os.PathLike[str], name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of ``folder/name.csv.gz``: no header, all numeric, the target last.

    Read once per process (a benchmark splits each table once per seed): the arrays are
    read-only, so that no caller can change what the next one gets.
    """
    path = Path(folder) / f"{name}.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist; pass the folder of the UCI tables (see "
            "../shared/data/README.md) or choose --tables among those it holds."
        )
    data = pd.read_csv(path, header=None).to_numpy(dtype=float)
    data.flags.writeable = False
    return data[:, :-1], data[:, -1]


@dataclass
class Split:
    """Labelled rows, the unlabelled pool and the test rows of one random split."""

    X_lab: Any
    y_lab: np.ndarray
    pool: Any
    X_test: Any
    y_test: np.ndarray


def random_split(
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    *,
    n_test: int,
    n_labels: int,
    n_pool: int,
    transductive: bool = False,
) -> Split:
    """Permute the rows with ``RandomState(1000 + seed)``: test rows, labelled rows, pool.

    The pool takes up to ``n_pool`` of the rows left after the test and labelled rows (fewer
    when the table is small); ``transductive`` appends the test rows' features to it.
    """
    order = np.random.RandomState(1000 + seed).permutation(len(y))
    if len(order) < n_test + n_labels + 1:
        raise ValueError(
            f"the table has {len(order)} rows: too few for {n_test} test rows, {n_labels} "
            "labelled rows and a pool."
        )
    test = order[:n_test]
    labelled = order[n_test : n_test + n_labels]
    pool = X[order[n_test + n_labels : n_test + n_labels + n_pool]]
    if transductive:
        pool = np.vstack([pool, X[test]])
    return Split(X[labelled], y[labelled], pool, X[test], y[test])


def as_categories(frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames with every object column as a pandas category, one vocabulary for all.

    The vocabulary is the union of the frames' values (features only, never a target), so a
    category means the same code in the training, pool and test rows.
    """
    columns = [c for c in frames[0].columns if frames[0][c].dtype == object]
    out = [frame.copy() for frame in frames]
    for column in columns:
        values = pd.concat([frame[column] for frame in frames]).dropna().unique()
        dtype = pd.CategoricalDtype(sorted(values))
        for frame in out:
            frame[column] = frame[column].astype(dtype)
    return out


# ----------------------------------------------------------------------------- runs


def measure(
    fit_predict: Callable[[], tuple[np.ndarray, dict[str, Any]]],
    y_true: np.ndarray,
    *,
    failure: str = "failed",
) -> dict[str, Any]:
    """Run ``fit_predict`` and return its test RMSE, wall seconds, status and extra fields.

    ``fit_predict()`` returns ``(test predictions, extra fields)``. An exception becomes a
    row with ``status=failure`` and the error as its note, so one broken method never stops
    the benchmark.
    """
    start = time.perf_counter()
    try:
        predictions, extra = fit_predict()
    except Exception as error:  # noqa: BLE001 - recorded, the benchmark goes on
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return {
            "status": failure,
            "seconds": time.perf_counter() - start,
            "note": f"{type(error).__name__}: {message}"[:300],
        }
    seconds = time.perf_counter() - start
    rmse = root_mean_squared_error(y_true, np.asarray(predictions, dtype=float))
    return {"status": "ok", "rmse": rmse, "seconds": seconds, **extra}


def tune_fields(result: Any) -> dict[str, Any]:
    """What a ``TuneResult`` chose and how much it searched.

    ``returned`` is ``result.chosen`` (supervised, ensemble, pseudo or pseudo_ensemble) and
    ``sample_rate`` its ``effective_sample_rate`` (an ensemble's members' weighted rate).
    """
    return {
        "model": result.best_params.get("model"),
        "returned": result.chosen,
        "sample_rate": result.effective_sample_rate,
        "n_complete": result.n_complete,
        "n_trials": result.n_trials,
        "cv_score": result.best_score,
    }


def pseudo_returned(runs: pd.DataFrame) -> str:
    """Runs whose returned model uses pseudo-labels, e.g. ``2/5`` ("-" when not recorded)."""
    ok = runs[runs["status"] == "ok"]
    if "returned" not in ok or ok["returned"].isna().all():
        return "-"
    return f"{int(ok['returned'].astype(str).str.startswith('pseudo').sum())}/{len(ok)}"


def tune_curve(result: Any, started: datetime) -> str:
    """Best CV score against seconds since ``started`` (the call to ``tune``), as JSON pairs.

    ``result.anytime_curve()`` when this pseudoboost has it, else the study's completed
    trials in the order they finished.
    """
    trials = result.study.get_trials(deepcopy=False)
    if hasattr(result, "anytime_curve"):
        # Its seconds count from the study's first trial: shift them to the call's start.
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        offset = (min(starts) - started).total_seconds() if starts else 0.0
        frame = result.anytime_curve()
        pairs = zip(frame["seconds"], frame["best_score"], strict=True)
        return json.dumps([[float(s) + offset, float(b)] for s, b in pairs])
    better = max if result.greater_is_better else min
    trials = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    best, curve = None, []
    for trial in sorted(trials, key=lambda t: t.datetime_complete):
        best = trial.value if best is None else better(best, trial.value)
        curve.append([(trial.datetime_complete - started).total_seconds(), float(best)])
    return json.dumps(curve)


def peer_missing(module: str, hint: str) -> str | None:
    """None when ``module`` imports, else the note to record for a skipped peer."""
    try:
        __import__(module)
    except ImportError as error:
        return f"{module} not importable ({error}); {hint}"
    return None


def fit_flaml(
    X: Any,
    y: np.ndarray,
    X_test: Any,
    *,
    budget: float,
    seed: int,
    n_jobs: int,
    curve: bool = False,
    **settings: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """FLAML's ``AutoML`` for regression on RMSE with ``time_budget=budget``.

    Returns the test predictions and the fields to record: the best learner, the configs it
    tried and, with ``curve``, its best validation RMSE against seconds from FLAML's log.
    """
    from flaml import AutoML
    from flaml.automl.data import get_output_from_log

    with tempfile.TemporaryDirectory(prefix="bench-flaml-") as folder:
        log_file = os.path.join(folder, "flaml.log")
        automl = AutoML()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            automl.fit(
                X,
                y,
                task="regression",
                metric="rmse",
                time_budget=budget,
                verbose=0,
                seed=seed,
                n_jobs=n_jobs,
                log_file_name=log_file if curve else "",
                **settings,
            )
        fields: dict[str, Any] = {
            "model": automl.best_estimator,
            "n_trials": len(automl.config_history),
            "cv_score": automl.best_loss,
        }
        if curve and os.path.exists(log_file):
            times, best, *_ = get_output_from_log(log_file, float("inf"))
            fields["curve"] = json.dumps(
                [[float(t), float(b)] for t, b in zip(times, best, strict=True)]
            )
    return automl.predict(X_test), fields


def fit_autogluon(
    X: Any, y: np.ndarray, X_test: Any, *, budget: float, n_jobs: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """AutoGluon's ``TabularPredictor`` (medium quality, RMSE) with ``time_limit=budget``.

    Its curve is one point: the best validation RMSE of its leaderboard when it stopped.
    """
    from autogluon.tabular import TabularPredictor

    label = "__target__"
    X, X_test = pd.DataFrame(X), pd.DataFrame(X_test)
    X.columns = X_test.columns = [str(c) for c in X.columns]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-autogluon-") as folder:
        predictor = TabularPredictor(
            label=label,
            problem_type="regression",
            eval_metric="root_mean_squared_error",
            path=folder,
            verbosity=0,
        )
        predictor.fit(
            X.assign(**{label: y}),
            time_limit=budget,
            presets="medium_quality",
            num_cpus=n_jobs,
        )
        seconds = time.perf_counter() - start
        predictions = np.asarray(predictor.predict(X_test))
        board = predictor.leaderboard(silent=True)
    best = float(-board["score_val"].max())  # score_val is higher-is-better: minus the RMSE
    fields = {
        "model": str(board.iloc[board["score_val"].argmax()]["model"]),
        "n_trials": len(board),
        "cv_score": best,
        "curve": json.dumps([[seconds, best]]),
    }
    return predictions, fields


# ----------------------------------------------------------------------------- records


class Records:
    """Rows appended to a CSV one by one; the last row of a key wins when read back.

    Parameters
    ----------
    path : path
        The CSV file.
    keys : list of str
        Columns that identify a run (e.g. table, n_labels, split, method).
    columns : list of str
        Every column, in file order.
    resume : bool
        Keep an existing file and skip the keys it already holds with status ``ok``;
        without it an existing file is an error (so a long run is never overwritten).
    """

    def __init__(
        self, path: Path, keys: Sequence[str], columns: Sequence[str], *, resume: bool
    ) -> None:
        self.path, self.keys, self.columns = Path(path), list(keys), list(columns)
        if self.path.exists() and not resume:
            raise FileExistsError(
                f"{self.path} exists: pass --resume to continue that run, or another --out "
                "(or delete the file) to start a new one."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        frame = self.frame()
        if self.path.exists() and list(pd.read_csv(self.path, nrows=0).columns) != self.columns:
            # A file from an older version of the bench: rewrite it with today's columns,
            # so that the rows appended below line up with its header.
            frame.to_csv(self.path, index=False)
        self._done = {self._key(row) for _, row in frame[frame["status"] == "ok"].iterrows()}

    def _key(self, row: Any) -> tuple[str, ...]:
        return tuple(str(row[k]) for k in self.keys)

    def done(self, **key: Any) -> bool:
        """Whether this key already has a row with status ``ok``."""
        return self._key(key) in self._done

    def append(self, row: dict[str, Any]) -> None:
        """Write one row now (header first when the file is new)."""
        frame = pd.DataFrame([row]).reindex(columns=self.columns)
        frame.to_csv(self.path, mode="a", header=not self.path.exists(), index=False)
        if row.get("status") == "ok":
            self._done.add(self._key(row))

    def frame(self) -> pd.DataFrame:
        """All rows, the last one per key."""
        if not self.path.exists():
            return pd.DataFrame(columns=self.columns)
        frame = pd.read_csv(self.path).reindex(columns=self.columns)
        return frame.drop_duplicates(subset=self.keys, keep="last").reset_index(drop=True)


def open_records(
    parser: argparse.ArgumentParser,
    path: Path,
    keys: Sequence[str],
    columns: Sequence[str],
    resume: bool,
) -> Records:
    """``Records`` or a usage error from ``parser`` (message, usage, exit status 2)."""
    try:
        return Records(path, keys, columns, resume=resume)
    except FileExistsError as error:
        parser.error(str(error))
        raise  # parser.error exits; this line is for type checkers


def progress(key: dict[str, Any], row: dict[str, Any]) -> None:
    """One line per finished run."""
    where = " ".join(f"{k}={v}" for k, v in key.items())
    if row["status"] == "ok":
        what = f"RMSE {row['rmse']:.4g}"
        if row.get("model") is not None:
            chose = [str(row["model"])]
            if row.get("returned") is not None:
                chose.append(f"returned {row['returned']}")
            if row.get("sample_rate") is not None:
                chose.append(f"sample_rate {row['sample_rate']:g}")
            if row.get("n_complete") is not None:
                chose.append(f"{row['n_complete']}/{row['n_trials']} trials complete")
            elif row.get("n_trials") is not None:
                chose.append(f"{row['n_trials']} trials")
            what += f" ({', '.join(chose)})"
    else:
        what = f"{row['status']}: {row.get('note', '')}"
    print(f"{where}: {what}, {row['seconds']:.1f} s", flush=True)


# ----------------------------------------------------------------------------- statistics


def paired_p(values: np.ndarray, reference: np.ndarray) -> float:
    """Two-sided paired t-test on log RMSE over splits (NaN below 2 pairs or no spread)."""
    diff = np.log(values) - np.log(reference)
    if diff.size < 2 or np.allclose(diff, diff[0]):
        return float("nan")
    return float(stats.ttest_rel(np.log(values), np.log(reference)).pvalue)


def ratio_interval(values: np.ndarray, reference: np.ndarray, level: float = 0.9) -> tuple:
    """A ``level`` confidence interval of the typical ratio ``values / reference`` over paired
    splits: a t-interval of the mean log ratio, exponentiated ((NaN, NaN) below 2 pairs).

    With 3 seeds it is wide: a mean ratio of 0.99 says little about the next 3 seeds.
    """
    diff = np.log(values) - np.log(reference)
    if diff.size < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return float(np.exp(diff.mean() - half)), float(np.exp(diff.mean() + half))


def compare(
    frame: pd.DataFrame, groups: Sequence[str], pair: str, reference: str, *, by: str
) -> pd.DataFrame:
    """Each ``by`` value against ``reference`` within every group, paired on ``pair``.

    Columns: ``rmse`` (mean over the runs that finished), ``runs``, and over the runs paired
    with the reference's: ``ratio`` (mean RMSE / the reference's mean RMSE on the same runs),
    ``wins`` (runs with a lower RMSE), ``pairs``, ``p`` (:func:`paired_p`) and ``low`` and
    ``high`` (:func:`ratio_interval`).
    """
    ok = frame[frame["status"] == "ok"]
    rows = []
    for group, sub in frame.groupby(list(groups), sort=False):
        group = group if isinstance(group, tuple) else (group,)
        ref = ok.loc[ok.index.isin(sub.index) & (ok[by] == reference)].set_index(pair)["rmse"]
        for name, runs in sub.groupby(by, sort=False):
            done = runs[runs["status"] == "ok"].set_index(pair)["rmse"]
            common = done.index.intersection(ref.index)
            a, b = done.loc[common].to_numpy(float), ref.loc[common].to_numpy(float)
            low, high = ratio_interval(a, b)
            rows.append(
                {
                    **dict(zip(groups, group, strict=True)),
                    by: name,
                    "rmse": done.mean() if len(done) else np.nan,
                    "runs": len(done),
                    "ratio": a.mean() / b.mean() if len(common) else np.nan,
                    "wins": int((a < b).sum()),
                    "pairs": len(common),
                    "p": paired_p(a, b) if name != reference else np.nan,
                    "low": low if name != reference else np.nan,
                    "high": high if name != reference else np.nan,
                }
            )
    return pd.DataFrame(rows)


def chosen(runs: pd.DataFrame) -> str:
    """The models a search returned over the runs, most frequent first, e.g. ``ridge x3``."""
    models = runs.loc[runs["status"] == "ok", "model"].dropna()
    if models.empty:
        return "-"
    return ", ".join(f"{m} x{c}" for m, c in models.value_counts().items())


def notes(runs: pd.DataFrame) -> str:
    """The distinct notes of runs that did not finish."""
    text = runs.loc[runs["status"] != "ok", "note"].dropna().astype(str).unique()
    return "; ".join(text)


# ----------------------------------------------------------------------------- reports


def fmt(value: Any, spec: str = ".4g") -> str:
    """A number for a markdown cell; ``-`` for missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return format(value, spec)


def fmt_interval(low: float, high: float) -> str:
    """An interval (:func:`ratio_interval`) for a markdown cell, ``low-high``; ``-`` for
    missing."""
    return "-" if not np.isfinite(low) else f"{fmt(low, '.3f')}-{fmt(high, '.3f')}"


def _numeric(cell: str) -> bool:
    try:
        float(cell.split()[0].split("/")[0])
    except (ValueError, IndexError):
        return False
    return True


def markdown(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A markdown table; columns of numbers (``-`` for none) are right-aligned."""
    rows = [[str(cell) for cell in row] for row in rows]
    align = [
        "---:"
        if any(_numeric(row[i]) for row in rows)
        and all(_numeric(row[i]) or row[i] == "-" for row in rows)
        else "---"
        for i in range(len(header))
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def versions() -> dict[str, str]:
    """Installed versions of the packages the benchmarks touch."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def environment() -> dict[str, Any]:
    """Date, command line, machine, Python, load average now, package versions."""
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": "python " + shlex.join(sys.argv),
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_start": os.getloadavg(),
        "versions": versions(),
    }


def environment_lines(env: dict[str, Any]) -> list[str]:
    """The environment as markdown bullet lines, with the load average now as the end load."""
    load = ", ".join(f"{x:.2f}" for x in env["load_start"])
    load_end = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    packages = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    return [
        f"- date: {env['date']}",
        f"- command: `{env['command']}`",
        f"- machine: {env['machine']}, Python {env['python']}",
        f"- load average (1, 5, 15 min): {load} at the start, {load_end} at the end",
        f"- packages: {packages}",
    ]


def write_report(out: Path, title: str, sections: Sequence[str], env: dict[str, Any]) -> Path:
    """Print the summary and save it as ``out/summary.md``."""
    text = "\n\n".join([f"# {title}", "\n".join(environment_lines(env)), *sections]) + "\n"
    print("\n" + text)
    path = out / "summary.md"
    path.write_text(text)
    print(f"written: {path}")
    return path


def add_common_arguments(parser: argparse.ArgumentParser, *, budget: float, out: str) -> None:
    """The flags both benchmarks share: budget, output folder, resume, cores."""
    parser.add_argument(
        "--budget", type=float, default=budget, help="seconds of search per system and run"
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / out, help="output folder")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the CSV in --out, skipping runs it holds (needed when it exists)",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="cores for every system (tune's n_jobs, FLAML's n_jobs), the same for all",
    )


def figure() -> Any:
    """matplotlib.pyplot on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
