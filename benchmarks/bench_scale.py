"""Scale: tuning workers on one shared study, and PseudoLabelRegressor on large tables.

Two measurements, each a sub-command:

``fit``
    PseudoLabelRegressor(LGBMRegressor()) on generated tables of N labelled rows with N
    unlabelled rows, against one plain LGBMRegressor fit on the same 2N rows (labelled + pool,
    as if the pool were labelled). Each (size, method) runs in a fresh subprocess, so its peak
    memory is its own: the peak resident set size during ``fit`` (sampled every 5 ms, LightGBM
    allocates outside Python so tracemalloc cannot see it) minus the resident size before
    ``fit`` (the data itself), and the process's whole peak (``ru_maxrss``). Time is the
    process's CPU time during ``fit`` with LightGBM on one thread (``--n-jobs 1``), which
    measures the work even on a machine shared with other jobs; wall time is shown beside.

        python benchmarks/bench_scale.py fit --sizes 10000 100000 1000000

``workers``
    Trials per minute of ``pseudoboost.tune`` with 1 and 2 worker processes joined on one
    study, on PostgreSQL and on SQLite. Each worker is a separate ``python`` process calling
    ``tune(..., storage=URL, study_name=NAME, total_trials=T)``, so the workers together run
    T trials. Throughput is T over the span from the first trial's start to the last trial's
    end (read from the storage); the wall time from launch to the last exit, which includes
    each process's start-up (imports), is shown beside it.

        python benchmarks/bench_scale.py workers --postgres "$PSEUDOBOOST_TEST_POSTGRES_URL" \\
            --sqlite /tmp/bench_scale.db --total-trials 40 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np

N_FEATURES = 20


# --------------------------------------------------------------------------------------
# fit: one size, one method, in this process
# --------------------------------------------------------------------------------------
def make_table(n_labeled: int, n_unlabeled: int, seed: int = 0):
    """A learnable table: 20 Gaussian features, a non-linear target with noise.

    Returns the whole ``X`` and ``y`` (labelled rows first); the labelled rows and the pool
    are views of them, so both methods start from the same memory.
    """
    rng = np.random.default_rng(seed)
    n = n_labeled + n_unlabeled
    X = rng.standard_normal((n, N_FEATURES))
    y = (
        3.0 * np.sin(X[:, 0])
        + X[:, 1] * X[:, 2]
        + 0.5 * X[:, 3] ** 2
        + X[:, 4:8].sum(axis=1)
        + 0.5 * rng.standard_normal(n)
    )
    return X, y


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class PeakSampler:
    """Highest resident set size seen while the ``with`` block runs (5 ms polling)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.peak = _rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())


def one_fit(n: int, method: str, sample_rate: float, n_jobs: int, n_estimators: int) -> dict:
    from lightgbm import LGBMRegressor

    from pseudoboost import PseudoLabelRegressor

    X, y = make_table(n, n)
    model = LGBMRegressor(n_estimators=n_estimators, n_jobs=n_jobs, verbose=-1, random_state=0)
    if method == "plain":  # the pool's true targets, as if it were labelled
        X_fit, y_fit = X, y
        estimator = model
    else:
        X_fit, y_fit = X[:n], y[:n]
        estimator = PseudoLabelRegressor(
            model, unlabeled=X[n:], sample_rate=sample_rate, random_state=0
        )
    rss_before = _rss_bytes()
    with PeakSampler() as sampler:
        cpu_start = _cpu_seconds()
        start = time.perf_counter()
        estimator.fit(X_fit, y_fit)
        seconds = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu_start
    return {
        "n": n,
        "method": method,
        "sample_rate": sample_rate if method != "plain" else None,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_mb": rss_before / 2**20,
        "fit_peak_extra_mb": (sampler.peak - rss_before) / 2**20,
        "process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n_pseudo": int(getattr(estimator, "n_pseudo_", 0)),
    }


def run_fit(args: argparse.Namespace) -> None:
    methods = [("plain", 0.0)] + [("pseudo", rate) for rate in args.sample_rates]
    rows = []
    for n in args.sizes:
        for method, rate in methods:
            command = [
                sys.executable,
                __file__,
                "_one-fit",
                "--n",
                str(n),
                "--method",
                method,
                "--sample-rate",
                str(rate),
                "--n-jobs",
                str(args.n_jobs),
                "--n-estimators",
                str(args.n_estimators),
            ]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)

    print(
        "| labelled rows N | method | CPU s | x plain | CPU ms per 1k labelled rows | wall s "
        "| extra peak MB during fit | process peak MB | x plain |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        plain = next(r for r in rows if r["n"] == n and r["method"] == "plain")
        for row in (r for r in rows if r["n"] == n):
            name = (
                "LGBMRegressor on labelled + pool (2N rows)"
                if row["method"] == "plain"
                else f"PseudoLabelRegressor(sample_rate={row['sample_rate']:g})"
            )
            print(
                f"| {n:,} | {name} | {row['cpu_seconds']:.2f} "
                f"| {row['cpu_seconds'] / plain['cpu_seconds']:.2f} "
                f"| {1e6 * row['cpu_seconds'] / n:.0f} | {row['seconds']:.1f} "
                f"| {row['fit_peak_extra_mb']:.0f} | {row['process_peak_mb']:.0f} "
                f"| {row['process_peak_mb'] / plain['process_peak_mb']:.2f} |"
            )


# --------------------------------------------------------------------------------------
# workers: trials per minute on a shared study
# --------------------------------------------------------------------------------------
WORKER_CODE = """
import json, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
from pseudoboost import tune
storage, study_name, total_trials, model, n_rows, fixed = sys.argv[1:7]
rng = np.random.default_rng(0)
n = int(n_rows)
X = rng.standard_normal((2 * n, 8))
y = X[:, 0] * 2 + np.sin(X[:, 1]) + 0.3 * rng.standard_normal(2 * n)
tune(X[:n], y[:n], unlabeled=X[n:], model=model, total_trials=int(total_trials), cv=3,
     storage=storage, study_name=study_name, random_state=0, refit=False, pruner="none",
     search_space=json.loads(fixed))
"""


def _trial_span(storage: str, study_name: str) -> tuple[int, float]:
    """Finished trials of the study and seconds from the first start to the last finish."""
    import optuna

    from pseudoboost.tuning import open_storage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=study_name, storage=open_storage(storage))
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    trials = study.get_trials(deepcopy=False, states=states)
    first = min(t.datetime_start for t in trials)
    last = max(t.datetime_complete for t in trials)
    return len(trials), (last - first).total_seconds()


# Parameters that set a trial's cost are fixed, so that runs with 1 and 2 workers (whose
# samplers are seeded differently) do comparable work; the others are still tuned.
FIXED_PARAMS = {"lightgbm": {"n_estimators": 100, "num_leaves": 31, "max_iter": 1}}


def run_workers(args: argparse.Namespace) -> None:
    backends = []
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    if args.sqlite:
        backends.append(("SQLite", "sqlite:///" + str(Path(args.sqlite).resolve())))
    if not backends:
        raise SystemExit("give --postgres URL and/or --sqlite PATH")
    fixed = json.loads(args.fixed) if args.fixed else FIXED_PARAMS.get(args.model, {})
    print(
        "| storage | workers | finished trials | wall s (with start-up) | trial span s "
        "| trials / minute (span) | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, url in backends:
        base = None
        for workers in args.workers:
            name = f"bench-scale-{uuid.uuid4().hex[:8]}"
            start = time.perf_counter()
            procs = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        WORKER_CODE,
                        url,
                        name,
                        str(args.total_trials),
                        args.model,
                        str(args.n_rows),
                        json.dumps(fixed),
                    ],
                    stderr=subprocess.DEVNULL if not args.verbose else None,
                    # Its own session, as a worker started from its own shell or machine: with
                    # Linux's autogroup scheduling, processes of one session share one CPU share.
                    start_new_session=True,
                )
                for _ in range(workers)
            ]
            codes = [proc.wait() for proc in procs]
            wall = time.perf_counter() - start
            if any(codes):
                raise SystemExit(f"a worker failed on {label}: exit codes {codes}")
            finished, span = _trial_span(url, name)
            rate = 60 * finished / span
            base = base or rate
            print(
                f"| {label} | {workers} | {finished} | {wall:.1f} | {span:.1f} | {rate:.1f} "
                f"| {rate / base:.2f} |",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="fit time and peak memory against table size")
    fit.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    fit.add_argument("--sample-rates", type=float, nargs="+", default=[0.2, 1.0])
    fit.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="LightGBM threads (1: CPU time then measures work, even on a loaded machine)",
    )
    fit.add_argument("--n-estimators", type=int, default=100)

    one = sub.add_parser("_one-fit", help=argparse.SUPPRESS)
    one.add_argument("--n", type=int, required=True)
    one.add_argument("--method", choices=["plain", "pseudo"], required=True)
    one.add_argument("--sample-rate", type=float, default=0.2)
    one.add_argument("--n-jobs", type=int, default=1)
    one.add_argument("--n-estimators", type=int, default=100)

    workers = sub.add_parser("workers", help="trials per minute with several workers")
    workers.add_argument("--postgres", help="PostgreSQL URL (e.g. $PSEUDOBOOST_TEST_POSTGRES_URL)")
    workers.add_argument("--sqlite", help="SQLite file for the SQLite runs")
    workers.add_argument("--total-trials", type=int, default=40, help="study-wide trials per run")
    workers.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    workers.add_argument("--model", default="ridge")
    workers.add_argument("--n-rows", type=int, default=2000, help="labelled rows (same pool)")
    workers.add_argument(
        "--fixed",
        help="JSON dict of search_space overrides (default: the cost-setting parameters of "
        "lightgbm are fixed, see FIXED_PARAMS)",
    )
    workers.add_argument("--verbose", action="store_true")

    args = parser.parse_args()
    if args.command == "fit":
        run_fit(args)
    elif args.command == "_one-fit":
        print(
            json.dumps(
                one_fit(args.n, args.method, args.sample_rate, args.n_jobs, args.n_estimators)
            )
        )
    else:
        os.environ.setdefault("TMPDIR", tempfile.gettempdir())
        run_workers(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
