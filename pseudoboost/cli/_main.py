"""The argument parser and ``main``: every user mistake becomes one line and exit status 2."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence

from pseudoboost._version import __version__
from pseudoboost.cli import _args
from pseudoboost.cli._defaults import (
    CV,
    DEFAULT_OUT,
    DEMO_CV,
    DEMO_N_REPEATS,
    DEMO_N_TRIALS,
    N_REPEATS,
    N_TRIALS,
    PREPROCESS_CHOICES,
    PROG,
)
from pseudoboost.cli._errors import UsageError

_MAIN_EPILOG = """\
examples:
  pseudoboost tune --demo
  pseudoboost tune --train train.csv --test test.csv --target SalePrice --id-column Id
  pseudoboost compare --train train.csv --test test.csv --target SalePrice --id-column Id
  pseudoboost predict --model pseudoboost-out/model.skops --test test.csv --out submission.csv
  pseudoboost models

Run 'pseudoboost COMMAND --help' for a command's options.
"""

_TUNE_EPILOG = f"""\
outputs (in --out, each written completely or not at all):
  submission.csv          the id columns, then the predicted target, one row per test row
  report.json             best parameters, CV mean/spread/per-fold scores, the same model's
                          score without pseudo-labels on the same folds, sizes, versions,
                          input file hashes, every trial
  optimization_history.png, sample_rate_curve.png, param_importances.png
  model.skops             the fitted model, for 'pseudoboost predict' (safe to load; a model
                          skops cannot write is saved as the pickle model.joblib instead)
  trials.csv              one row per trial
  study.db                the Optuna study (unless --storage is given)

Tuning resumes: run the same command again (same data, options and --out) and the new
trials are added to the finished ones; Ctrl-C keeps every finished trial.

examples:
  # the Big Mart look-alike shipped with pseudoboost ({DEMO_N_TRIALS} trials, {DEMO_CV}-fold CV, offline)
  pseudoboost tune --demo

  # a competition's files: the test file is the unlabelled pool and the rows to predict
  pseudoboost tune --train train.csv --test test.csv --target Item_Outlet_Sales \\
      --id-column Item_Identifier --id-column Outlet_Identifier --n-trials 30

  # let several models compete, 10 minutes at most, two worker processes
  pseudoboost tune --train train.csv --test test.csv --target y --model lightgbm \\
      --model xgboost --model ridge --timeout 600 --n-jobs 2 --out runs/y
"""

_COMPARE_EPILOG = """\
outputs (in --out): comparison.csv, comparison_folds.csv, comparison.png,
sample_rate_curve.png

examples:
  pseudoboost compare --demo --model lightgbm --model ridge
  pseudoboost compare --train train.csv --test test.csv --target y --id-column id \\
      --sample-rates 0,0.1,0.3,0.5,1 --cv 5 --n-repeats 3
"""

_PREDICT_EPILOG = """\
example:
  pseudoboost predict --model pseudoboost-out/model.skops --test test.csv --out submission.csv
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (a UsageError), not usage text and sys.exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')", prog=self.prog)


def _data_options(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--train", metavar="TRAIN.csv", help="labelled rows (with the target column)")
    data.add_argument(
        "--test",
        metavar="TEST.csv",
        help="rows to predict; they are also the unlabelled pool for pseudo-labels",
    )
    data.add_argument("--target", metavar="COLUMN", help="the column to predict")
    data.add_argument(
        "--id-column",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a test column copied into the submission (repeat for several); it stays a "
        "feature unless --preprocess auto finds it unique per row",
    )
    data.add_argument(
        "--drop-column",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a column left out of the features (repeat for several)",
    )
    data.add_argument(
        "--demo",
        action="store_true",
        help="use the embedded Big Mart look-alike (make_bigmart_like: 4000 train and 2500 "
        "test rows) instead of --train/--test/--target; works offline",
    )
    data.add_argument(
        "--task",
        choices=("auto", "regression", "classification"),
        default="auto",
        help="default: auto (text or a few integer values: classification)",
    )
    data.add_argument(
        "--preprocess",
        choices=PREPROCESS_CHOICES,
        default="auto",
        help="auto: numbers and categories detected, gaps filled, id-like columns dropped, "
        "categories encoded for the model (any table); bigmart-article / bigmart-improved: "
        "the Big Mart article's preprocessing / a stronger one (Big Mart files only); none: "
        "columns go to the model as read (all-numeric tables). Default: auto",
    )


def _run_options(parser: argparse.ArgumentParser, *, cv_help: str) -> None:
    run = parser.add_argument_group("evaluation and output")
    run.add_argument("--cv", type=_args.int_at_least(2), metavar="K", help=cv_help)
    run.add_argument(
        "--scoring",
        metavar="NAME",
        help="a scikit-learn scorer name (default: neg_root_mean_squared_error, reported as "
        "RMSE, for regression; accuracy for classification)",
    )
    run.add_argument(
        "--seed", type=_args.seed, default=0, metavar="S", help="random seed (default: 0)"
    )
    run.add_argument(
        "--n-jobs",
        type=_args.n_jobs,
        default=1,
        metavar="N",
        help="worker processes (-1: one per CPU; default: 1)",
    )
    run.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"output folder, created if missing (default: ./{DEFAULT_OUT})",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar and no notes")
    run.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of each failed trial (otherwise one line each)",
    )


def _proba_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument(
        "--proba",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="classification: write class probabilities instead of labels (two classes: the "
        "second class's probability in the target column; more: one column per class), as "
        f"log-loss and ROC AUC submissions need; {default_help}",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``pseudoboost`` argument parser with its four commands."""
    parser = _Parser(
        prog=PROG,
        description="Tuned, leak-free pseudo-labelling for tabular competitions: from "
        "train.csv and test.csv to a submission, a report and plots.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_tune_command(commands)
    _add_compare_command(commands)
    _add_predict_command(commands)
    _add_models_command(commands)
    return parser


def _add_tune_command(commands: argparse._SubParsersAction) -> None:
    """``pseudoboost tune``: the data, the search, evaluation and output, ``--proba``."""
    from pseudoboost.cli._commands import run_tune

    tune = commands.add_parser(
        "tune",
        help="tune a model and its pseudo-labelling with Optuna, write a submission",
        description="Tune the model's hyperparameters and the pseudo-labelling knobs "
        "(sample_rate 0..1, where 0 means no pseudo-labels; selection; pseudo_weight; "
        "max_iter) together with Optuna, cross-validated on the labelled rows with the test "
        "rows as the unlabelled pool; refit the best on everything and predict the test rows.",
        epilog=_TUNE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_options(tune)
    _search_options(tune)
    _run_options(tune, cv_help=f"cross-validation folds (default: {CV}; {DEMO_CV} with --demo)")
    _proba_option(
        tune, "default: on when --scoring needs probabilities (neg_log_loss, roc_auc, ...)"
    )
    tune.set_defaults(handler=run_tune)


def _search_options(parser: argparse.ArgumentParser) -> None:
    """``tune``'s "search" group: the models, the budget, the folds' repeats and the study."""
    from pseudoboost.models import default_models

    search = parser.add_argument_group("search")
    search.add_argument(
        "--model",
        action="append",
        metavar="NAME",
        help="a model of the zoo (repeat to let several compete, or 'all'); default: "
        f"{default_models('regression')[0]}. 'pseudoboost models' lists them",
    )
    search.add_argument(
        "--n-trials",
        type=_args.int_at_least(1),
        metavar="N",
        help=f"trials to run (default: {N_TRIALS}; {DEMO_N_TRIALS} with --demo)",
    )
    search.add_argument(
        "--total-trials",
        type=_args.int_at_least(1),
        metavar="N",
        help="instead of --n-trials, a budget for the whole study: run trials until it holds "
        "N finished trials, shared by every process given the same --storage and "
        "--study-name (a full study runs none and only writes the outputs)",
    )
    search.add_argument(
        "--timeout",
        type=_args.positive_float,
        metavar="SECONDS",
        help="start no new trial after this many seconds",
    )
    search.add_argument(
        "--n-repeats",
        type=_args.int_at_least(1),
        default=1,
        metavar="R",
        help="repeat the K-fold split R times with different shuffles (default: 1)",
    )
    search.add_argument(
        "--storage",
        metavar="URL",
        help="Optuna storage: a .db path, sqlite:///file.db or a database URL such as "
        "postgresql://user@host/db (default: DIR/study.db)",
    )
    search.add_argument(
        "--study-name",
        metavar="NAME",
        help="resume or create this study (default: a name derived from the data and options)",
    )


def _add_compare_command(commands: argparse._SubParsersAction) -> None:
    """``pseudoboost compare``: the data, the comparison grid, evaluation and output."""
    from pseudoboost.cli._commands import run_compare
    from pseudoboost.models import default_models

    compare = commands.add_parser(
        "compare",
        help="compare models at fixed sample rates on the same folds",
        description="Cross-validate each model at each sample_rate on the same folds and test "
        "every rate against the same model without pseudo-labels (Nadeau and Bengio's "
        "corrected paired t-test). Prints the table and saves it as CSV and plots.",
        epilog=_COMPARE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_options(compare)
    grid = compare.add_argument_group("comparison")
    grid.add_argument(
        "--model",
        action="append",
        metavar="NAME",
        help="a model of the zoo (repeat for several); default: "
        f"{', '.join(default_models('regression'))} (regression); "
        f"{', '.join(default_models('classification'))} (classification)",
    )
    grid.add_argument(
        "--sample-rates",
        type=_args.sample_rates,
        default=[0.0, 0.2, 0.5, 1.0],
        metavar="R1,R2,...",
        help="shares of the test rows added as pseudo-labels (default: 0,0.2,0.5,1)",
    )
    grid.add_argument(
        "--n-repeats",
        type=_args.int_at_least(1),
        metavar="R",
        help=f"repetitions of the K-fold split (default: {N_REPEATS}; {DEMO_N_REPEATS} with --demo)",
    )
    _run_options(compare, cv_help=f"cross-validation folds (default: {CV}; {DEMO_CV} with --demo)")
    compare.set_defaults(handler=run_compare)


def _add_predict_command(commands: argparse._SubParsersAction) -> None:
    """``pseudoboost predict``: a saved model, the test file, the submission, ``--proba``."""
    from pseudoboost.cli._commands import run_predict

    predict = commands.add_parser(
        "predict",
        help="predict a test file with a model saved by 'pseudoboost tune'",
        description="Predict every row of a test file with a saved model and write a "
        "submission: the id columns, then the predicted target.",
        epilog=_PREDICT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument(
        "--model",
        required=True,
        metavar="DIR/model.skops",
        help="a model saved by 'pseudoboost tune'",
    )
    predict.add_argument(
        "--trust",
        action="store_true",
        help="also load a pickle model file (model.joblib) or a .skops file naming types "
        "outside the model zoo's libraries. Loading a pickle runs whatever code it holds (a "
        "model file shared online can take over your computer): only for files you made or trust",
    )
    predict.add_argument("--test", required=True, metavar="TEST.csv", help="rows to predict")
    predict.add_argument("--out", required=True, metavar="FILE", help="the submission CSV to write")
    _proba_option(predict, "default: as the model was tuned")
    predict.set_defaults(handler=run_predict)


def _add_models_command(commands: argparse._SubParsersAction) -> None:
    """``pseudoboost models``: the zoo, for one task and a fold's size if asked."""
    from pseudoboost.cli._commands import run_models

    models = commands.add_parser(
        "models",
        help="list the model zoo",
        description="List the models 'tune' and 'compare' accept: each one's cost rank, row "
        "limit, tuned ranges, known-good starting values and the pseudo-labelling knobs it "
        "gets.",
    )
    models.add_argument(
        "--task", choices=("regression", "classification"), help="only models for this task"
    )
    models.add_argument(
        "--rows",
        type=_args.int_at_least(1),
        metavar="N",
        help="show the ranges and starting values a fit on N training rows gets (a "
        "fold's training part), and which models are too costly for it",
    )
    models.set_defaults(handler=run_models)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pseudoboost`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name (None: ``sys.argv[1:]``, as the program).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a user's mistake (one line on stderr), 1 when
        tuning produced no result, 130 when interrupted.

    Notes
    -----
    After Ctrl-C a library thread can be left running (Optuna's heartbeat thread, when the
    interrupt lands while a trial starts) and keep the interpreter from exiting. Run as the
    program (``argv=None``), ``main`` then exits at once with status 130 instead of waiting
    for it; finished trials are already in the storage and no output was half-written.
    """
    try:
        code = _dispatch(argv)
    except BrokenPipeError:
        # The reader went away (`pseudoboost models | head`): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if argv is None and code == 130:
        lingering = [
            thread
            for thread in threading.enumerate()
            if thread is not threading.main_thread() and thread.is_alive() and not thread.daemon
        ]
        if lingering:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return code


def _dispatch(argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run the command; every UsageError becomes one line and 2."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = PROG
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        prog = f"{PROG} {args.command}"
        args.argv = argv
        return int(args.handler(args) or 0)
    except UsageError as error:
        print(f"{error.prog or prog}: error: {error}", file=sys.stderr)
        return 2
    except SystemExit as stop:  # --help and --version
        return stop.code if isinstance(stop.code, int) else 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
