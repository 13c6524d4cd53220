"""The four commands. Each checks its inputs, calls the public API and writes its outputs."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import logging
import platform
import shlex
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pseudoboost._logging import TrialLogFilter, filtered, optuna_handlers
from pseudoboost._version import __version__
from pseudoboost.cli import _data, _defaults
from pseudoboost.cli._errors import UsageError
from pseudoboost.cli._interrupt import GracefulInterrupt
from pseudoboost.cli._outputs import OutputDir, check_writable_file, write_file_atomically
from pseudoboost.cli._progress import TrialProgress, progress_enabled

logger = logging.getLogger("pseudoboost.cli")

_VERSIONED = (
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "optuna",
    "lightgbm",
    "xgboost",
    "catboost",
)


@contextlib.contextmanager
def _quiet_libraries(debug: bool = False) -> Iterator[None]:
    """Hide library warnings (unless -W asks for them) and tracebacks in Optuna's log; with
    ``debug``, show the traceback of each failed trial (the ``pseudoboost`` logger's DEBUG)."""
    if debug:
        _show_debug_log()
    # Optuna's log of a failed trial, on one line; the trial stopped by Ctrl-C not at all.
    with filtered(optuna_handlers(), TrialLogFilter(tracebacks=False)), warnings.catch_warnings():
        if not sys.warnoptions:
            warnings.simplefilter("ignore")
        yield


def _show_debug_log() -> None:
    logger = logging.getLogger("pseudoboost")
    logger.setLevel(logging.DEBUG)
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler(sys.stderr))


def _note(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"pseudoboost: {message}", file=sys.stderr)


def versions() -> dict[str, str]:
    """Versions of Python, pseudoboost and the libraries that shape the numbers."""
    found = {"python": platform.python_version(), "pseudoboost": __version__}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


# --- inputs ------------------------------------------------------------------------------------
def load_inputs(args: argparse.Namespace) -> _data.Inputs:
    """The demo tables or the user's files, checked against the options."""
    if args.demo:
        given = [opt for opt, value in (("--train", args.train), ("--test", args.test)) if value]
        if given:
            raise UsageError(
                f"--demo uses the embedded Big Mart look-alike; leave out {' and '.join(given)} "
                "or drop --demo."
            )
        from pseudoboost.datasets import BIGMART_ID_COLUMNS, BIGMART_TARGET

        train, test, sources = _data.demo_tables()
        target = args.target or BIGMART_TARGET
        id_columns = args.id_column or list(BIGMART_ID_COLUMNS)
    else:
        missing = [
            opt
            for opt, value in (
                ("--train", args.train),
                ("--test", args.test),
                ("--target", args.target),
            )
            if not value
        ]
        if missing:
            raise UsageError(
                f"missing {', '.join(missing)}: give --train TRAIN.csv --test TEST.csv "
                "--target COLUMN, or --demo for the embedded example."
            )
        train, test, sources = _data.file_tables(args.train, args.test)
        target, id_columns = args.target, args.id_column
    inputs = _data.prepare(
        train,
        test,
        sources,
        target=target,
        id_columns=id_columns,
        drop_columns=args.drop_column,
        task=args.task,
    )
    _check_preprocess(args.preprocess, inputs, train, test)
    return inputs


def _check_preprocess(
    mode: str, inputs: _data.Inputs, train: pd.DataFrame, test: pd.DataFrame
) -> None:
    if mode == "none":
        text = _data.text_columns(inputs.X)
        if text:
            raise UsageError(
                f"--preprocess none needs numeric columns, but {_data._listing(text)} hold text; "
                "use --preprocess auto (the default) or leave them out with --drop-column."
            )
    elif mode.startswith("bigmart-"):
        from pseudoboost.datasets import BIGMART_TARGET, check_bigmart_frame

        if inputs.task != "regression" or inputs.target != BIGMART_TARGET:
            raise UsageError(
                f"--preprocess {mode} is for the Big Mart files (target {BIGMART_TARGET!r}); "
                "use --preprocess auto for other tables."
            )
        for name, frame, with_target in (("--train", train, True), ("--test", test, False)):
            columns = [
                c
                for c in frame.columns
                if c in set(inputs.features) or (with_target and c == BIGMART_TARGET)
            ]
            try:
                check_bigmart_frame(frame[columns], with_target=with_target, name=name)
            except ValueError as error:
                raise UsageError(f"{error} Use --preprocess auto for other tables.") from None


def check_models(names: list[str] | None, task: str, default: list[str] | None) -> list[str] | None:
    """The model names, checked against the registry (``"all"`` expands)."""
    from pseudoboost.models import list_models

    if not names:
        return default
    available = list_models(task)
    if "all" in names:
        if len(names) > 1:
            raise UsageError("--model all already names every model; give it alone.")
        return available
    for name in names:
        if name not in available:
            raise UsageError(
                f"unknown {task} model {name!r}{_data._did_you_mean(name, available)}; "
                f"choose from: {', '.join(available)} (or run 'pseudoboost models')."
            )
    if len(set(names)) != len(names):
        raise UsageError(f"--model names a model twice: {', '.join(names)}.")
    return list(names)


def _tune_default(task: str) -> list[str]:
    """``tune``'s model when ``--model`` is not given: the zoo's first default model."""
    from pseudoboost.models import default_models

    return default_models(task)[:1]


def make_preprocessor(mode: str, models: list[str] | None) -> Any:
    """The transformer for ``--preprocess``, fitted inside every fold by the library."""
    if mode == "none":
        return None
    if mode == "auto":
        from pseudoboost.preprocessing import AutoPreprocessor

        return AutoPreprocessor.for_models(models or [])
    from pseudoboost.preprocessing import BigMartPreprocessor

    return BigMartPreprocessor(mode=mode.removeprefix("bigmart-"))


def check_scoring(scoring: str | None) -> None:
    if scoring is None:
        return
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    if scoring not in names:
        raise UsageError(
            f"unknown --scoring {scoring!r}{_data._did_you_mean(scoring, names)}; use a "
            "scikit-learn scorer name such as neg_root_mean_squared_error, r2, accuracy or roc_auc."
        )


#: Scorers that rank or weigh class probabilities: their submissions are probabilities.
PROBA_SCORERS = frozenset(
    {
        "neg_log_loss",
        "d2_log_loss_score",
        "neg_brier_score",
        "d2_brier_score",
        "roc_auc",
        "roc_auc_ovr",
        "roc_auc_ovo",
        "roc_auc_ovr_weighted",
        "roc_auc_ovo_weighted",
        "average_precision",
    }
)


def check_proba(proba: bool | None, scoring: str | None, task: str) -> bool:
    """Whether submissions hold class probabilities: ``--proba``, else what ``--scoring`` needs."""
    if task != "classification":
        if proba:
            raise UsageError(
                f"--proba writes class probabilities, but the task is {task}; leave it out "
                "or pass --task classification."
            )
        return False
    return scoring in PROBA_SCORERS if proba is None else proba


def _open_storage(url: str | Path) -> Any:
    from pseudoboost.tuning import open_storage

    try:
        return open_storage(str(url))
    except ValueError as error:
        raise UsageError(f"{error} Fix --storage or leave it out to use DIR/study.db.") from None


def default_study_name(inputs: _data.Inputs, args: argparse.Namespace, models: list[str]) -> str:
    """A name that is the same for the same data and options, so a rerun resumes."""
    fingerprint = hashlib.sha256()
    for part in (
        json.dumps(inputs.sources, sort_keys=True),
        inputs.target,
        ",".join(inputs.features),
        inputs.task,
        args.preprocess,
        str(args.cv),
        str(args.n_repeats),
        str(args.scoring),
        str(args.seed),
        ",".join(models),
    ):
        fingerprint.update(part.encode())
        fingerprint.update(b"\0")
    label = models[0] if len(models) == 1 else f"{len(models)}-models"
    return f"pseudoboost-{label}-{fingerprint.hexdigest()[:10]}"


def _finished_trials(storage: Any, study_name: str) -> int:
    import optuna

    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        return 0
    return sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))


def _count_after_interrupt(storage: Any, study_name: str) -> str:
    """How many trials finished, read after Ctrl-C ("all the" if the storage cannot say)."""
    try:
        # The interrupt may have left this thread's session inside a transaction that holds
        # SQLite's lock; closing it rolls that back so the count below does not wait on it.
        remove_session = getattr(storage, "remove_session", None)
        if remove_session is not None:
            remove_session()
        return str(_finished_trials(storage, study_name))
    except Exception:  # the count is a courtesy; the trials are in the storage either way
        return "all the"


def _test_frame(inputs: _data.Inputs) -> pd.DataFrame:
    frame = inputs.X_test.copy()
    for column in inputs.id_columns:
        frame[column] = inputs.ids[column].to_numpy()
    return frame


def _save_figure(fig: Any, path: Path) -> None:
    fig.savefig(path, dpi=110)


# --- tune ----------------------------------------------------------------------------------------
def run_tune(args: argparse.Namespace) -> int:
    """``pseudoboost tune``."""
    started = time.perf_counter()
    inputs, models, preprocessor = _prepare_tune(args)
    out = OutputDir(args.out)
    out.check()
    study_name = args.study_name or default_study_name(inputs, args, models)
    storage, storage_text = _tune_storage(args, out)
    _announce_tune(args, inputs, models, storage, study_name, storage_text)
    progress = TrialProgress(
        getattr(args, "total_trials", None) or args.n_trials,
        args.timeout,
        "score" if args.scoring else ("rmse" if inputs.task == "regression" else "accuracy"),
        enabled=progress_enabled(args.quiet),
    )
    interrupt = GracefulInterrupt()
    try:
        with _quiet_libraries(getattr(args, "debug", False)), interrupt:
            result = _call_tune(args, inputs, models, preprocessor, storage, study_name, progress)
    except (KeyboardInterrupt, Exception) as error:
        progress.close()
        if isinstance(error, KeyboardInterrupt) or interrupt.requested:
            if not isinstance(error, KeyboardInterrupt):
                # A library failed on its way out after Ctrl-C (Optuna, when a second Ctrl-C
                # cut a database write): an interruption all the same.
                logger.debug("The error that followed Ctrl-C", exc_info=True)
            out.abort(remove_created=False)
            _report_interrupt(args, storage, study_name, storage_text)
            return 130
        if isinstance(error, ValueError):
            _abort_new(out, args)
            raise UsageError(" ".join(str(error).split())) from None
        if isinstance(error, RuntimeError):
            _abort_new(out, args)
            print(f"pseudoboost tune: {' '.join(str(error).split())}", file=sys.stderr)
            return 1
        raise
    finally:
        progress.close()

    try:
        written = _write_tune_outputs(args, inputs, result, out, study_name, storage_text, started)
    except BaseException:
        out.abort(remove_created=False)
        raise
    _print_tune_summary(args, inputs, result, written)
    return 0


def _prepare_tune(args: argparse.Namespace) -> tuple[_data.Inputs, list[str], Any]:
    """Fill ``tune``'s defaults into ``args`` and check the inputs and options.

    Returns
    -------
    inputs : Inputs
        The tables, target and task.
    models : list of str
        The model names, checked against the zoo.
    preprocessor : transformer or None
        The transformer for ``--preprocess``.
    """
    args.n_trials = args.n_trials or (_defaults.DEMO_N_TRIALS if args.demo else _defaults.N_TRIALS)
    args.cv = args.cv or (_defaults.DEMO_CV if args.demo else _defaults.CV)
    inputs = load_inputs(args)
    models = check_models(args.model, inputs.task, _tune_default(inputs.task))
    assert models is not None
    check_scoring(args.scoring)
    args.proba = check_proba(getattr(args, "proba", None), args.scoring, inputs.task)
    return inputs, models, make_preprocessor(args.preprocess, models)


def _tune_storage(args: argparse.Namespace, out: OutputDir) -> tuple[Any, str]:
    """The Optuna storage and how to name it to the user: ``--storage`` or DIR/study.db.

    Without ``--storage`` the output folder is created to hold the study.
    """
    if args.storage:
        return _open_storage(args.storage), args.storage
    out.create()
    return _open_storage(out.path / "study.db"), str(out.path / "study.db")


def _announce_tune(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    models: list[str],
    storage: Any,
    study_name: str,
    storage_text: str,
) -> None:
    """The notes before tuning: the data's, a resumed study's size, and what will run."""
    for note in inputs.notes:
        _note(args, note)
    resumed = _finished_trials(storage, study_name)
    if resumed:
        _note(args, f"resuming study {study_name!r}: {resumed} finished trials in {storage_text}")
    _note(
        args,
        f"tuning {', '.join(models)} on {len(inputs.X)} train rows x {len(inputs.features)} "
        f"columns with {len(inputs.X_test)} test rows as the pool: "
        + (
            f"until the study has {args.total_trials} trials, "
            if getattr(args, "total_trials", None)
            else f"{args.n_trials} trials, "
        )
        + f"{args.cv}-fold CV",
    )


def _call_tune(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    models: list[str],
    preprocessor: Any,
    storage: Any,
    study_name: str,
    progress: TrialProgress,
) -> Any:
    """:func:`pseudoboost.tune` with the command's options; returns its ``TuneResult``."""
    from pseudoboost import tune

    return tune(
        inputs.X,
        inputs.y,
        unlabeled=inputs.X_test,
        model=models if len(models) > 1 else models[0],
        n_trials=args.n_trials,
        total_trials=getattr(args, "total_trials", None),
        timeout=args.timeout,
        cv=args.cv,
        n_repeats=args.n_repeats,
        scoring=args.scoring,
        storage=storage,
        study_name=study_name,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        preprocessor=preprocessor,
        callbacks=[progress],
        task=inputs.task,
    )


def _report_interrupt(
    args: argparse.Namespace, storage: Any, study_name: str, storage_text: str
) -> None:
    """After Ctrl-C: how many trials are kept, where, and how to resume."""
    kept = _count_after_interrupt(storage, study_name)
    total = getattr(args, "total_trials", None)
    more = (
        f"it runs until the study holds {total} trials"
        if total
        else f"it adds --n-trials {args.n_trials} more"
    )
    print(
        f"pseudoboost tune: interrupted; {kept} finished trials are kept in study "
        f"{study_name!r} in {storage_text}. Run the same command again to resume "
        f"({more}); no outputs were written.",
        file=sys.stderr,
    )


def _abort_new(out: OutputDir, args: argparse.Namespace) -> None:
    """After a failed start: remove the staging folder, and the output folder if this run made it
    (it then holds only this run's empty study)."""
    out.abort(remove_created=False)
    if out.created and not args.storage:
        shutil.rmtree(out.created[0], ignore_errors=True)


def _write_tune_outputs(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    result: Any,
    out: OutputDir,
    study_name: str,
    storage_text: str,
    started: float,
) -> list[Path]:
    """Stage every output of ``tune`` in ``out``, then move them into place together."""
    if out.staging is None:
        out.create()
    assert out.staging is not None
    summary = result.to_dict(trials=False)
    trials = result.trials_table()
    report = _tune_report(args, inputs, summary, trials, study_name, storage_text)
    model = _submission_model(args, inputs, result, report, summary)
    try:
        submission = model.submission(_test_frame(inputs))
    except ValueError as error:  # the best model gives no class probabilities
        raise UsageError(f"{error} Leave out --proba or choose other models.") from None
    submission.to_csv(out.stage("submission.csv"), index=False)
    pd.DataFrame(trials).to_csv(out.stage("trials.csv"), index=False)
    result.leaderboard().to_csv(out.stage("leaderboard.csv"), index=False)
    _save_model(args, model, out.staging)
    _save_tune_plots(result, out)
    report["outputs"] = sorted(p.name for p in out.staging.iterdir()) + ["report.json"]
    report["wall_time_seconds"] = round(time.perf_counter() - started, 2)
    with out.stage("report.json").open("w") as handle:
        json.dump(report, handle, indent=2, default=_json_default)
        handle.write("\n")
    return out.commit()


def _tune_report(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    summary: dict[str, Any],
    trials: Any,
    study_name: str,
    storage_text: str,
) -> dict[str, Any]:
    """``report.json`` without its ``outputs`` (``wall_time_seconds`` is filled in last)."""
    return {
        "pseudoboost_version": __version__,
        "command": "pseudoboost " + shlex.join(getattr(args, "argv", [])),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "data": _report_data(inputs, summary),
        "settings": _report_settings(args, inputs, summary, study_name, storage_text),
        "result": summary,
        "versions": versions(),
        "trials": trials,
        "wall_time_seconds": None,
    }


def _report_data(inputs: _data.Inputs, summary: dict[str, Any]) -> dict[str, Any]:
    """The report's ``data``: files, columns, row counts, task and classes."""
    return {
        "train": inputs.sources["train"],
        "test": inputs.sources["test"],
        "target": inputs.target,
        "id_columns": inputs.id_columns,
        "features": inputs.features,
        "n_train": int(len(inputs.X)),
        "n_labelled": summary.get("n_labelled"),
        "n_pool": summary.get("n_pool"),
        "n_test": int(len(inputs.X_test)),
        "task": inputs.task,
        "classes": inputs.classes,
    }


def _report_settings(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    summary: dict[str, Any],
    study_name: str,
    storage_text: str,
) -> dict[str, Any]:
    """The report's ``settings``: the options the run used, defaults filled in."""
    return {
        "models": check_models(args.model, inputs.task, _tune_default(inputs.task)),
        "n_trials": None if getattr(args, "total_trials", None) else args.n_trials,
        "total_trials": getattr(args, "total_trials", None),
        "timeout": args.timeout,
        "cv": args.cv,
        "n_repeats": args.n_repeats,
        "scoring": args.scoring,
        "seed": args.seed,
        "n_jobs": args.n_jobs,
        "preprocess": args.preprocess,
        "proba": args.proba,
        "storage": storage_text if not args.storage else summary.get("storage", "(given)"),
        "study_name": study_name,
    }


def _submission_model(
    args: argparse.Namespace,
    inputs: _data.Inputs,
    result: Any,
    report: dict[str, Any],
    summary: dict[str, Any],
) -> Any:
    """The fitted model with what ``pseudoboost predict`` needs to write a submission."""
    from pseudoboost.cli._bundle import SubmissionModel

    return SubmissionModel(
        result.best_estimator_,
        target=inputs.target,
        features=inputs.features,
        id_columns=inputs.id_columns,
        task=inputs.task,
        classes=inputs.classes,
        info={k: report[k] for k in ("data", "settings", "versions")} | {"result": summary},
        proba=args.proba,
        feature_range=inputs.feature_range,
    )


def _save_model(args: argparse.Namespace, model: Any, folder: Path) -> None:
    """Save the model in ``folder``, with a note when it had to be a pickle."""
    from pseudoboost.cli._bundle import PICKLE_SUFFIX

    saved = model.save(folder)
    if saved.suffix == PICKLE_SUFFIX:
        _note(
            args,
            f"skops cannot save this model, so {saved.name} is a pickle: 'pseudoboost "
            "predict' reads it only with --trust",
        )


def _save_tune_plots(result: Any, out: OutputDir) -> None:
    """The search's four figures, staged in ``out``."""
    from pseudoboost.cli import _plots

    for name, draw in (
        ("optimization_history.png", _plots.optimisation_history),
        ("sample_rate_curve.png", _plots.sample_rate_curve),
        ("param_importances.png", _plots.parameter_importances),
        ("anytime.png", _plots.anytime_curve),
    ):
        _save_figure(draw(result), out.stage(name))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _print_tune_summary(
    args: argparse.Namespace, inputs: _data.Inputs, result: Any, written: list[Path]
) -> None:
    print(result.summary())
    if not args.quiet:
        print(result.leaderboard().to_string(index=False, float_format=lambda v: f"{v:.5g}"))
    print(f"wrote {len(written)} files to {args.out}: {', '.join(p.name for p in written)}")


# --- compare -------------------------------------------------------------------------------------
def run_compare(args: argparse.Namespace) -> int:
    """``pseudoboost compare``."""
    args.cv = args.cv or (_defaults.DEMO_CV if args.demo else _defaults.CV)
    args.n_repeats = args.n_repeats or (
        _defaults.DEMO_N_REPEATS if args.demo else _defaults.N_REPEATS
    )
    inputs = load_inputs(args)
    models = check_models(args.model, inputs.task, None)
    check_scoring(args.scoring)
    preprocessor = make_preprocessor(args.preprocess, models)
    out = OutputDir(args.out)
    out.check()
    for note in inputs.notes:
        _note(args, note)
    from pseudoboost import compare, plot_comparison, plot_sample_rate_curve

    rates = sorted(set([0.0, *args.sample_rates]))
    try:
        with _quiet_libraries(getattr(args, "debug", False)):
            summary, folds = compare(
                inputs.X,
                inputs.y,
                unlabeled=inputs.X_test,
                models=models,
                sample_rates=rates,
                cv=args.cv,
                n_repeats=args.n_repeats,
                scoring=args.scoring,
                random_state=args.seed,
                preprocessor=preprocessor,
                n_jobs=args.n_jobs,
                task=inputs.task,
                progress=progress_enabled(args.quiet),
                return_folds=True,
            )
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(summary.to_string(index=False, float_format=lambda v: f"{v:.5g}"))
    try:
        summary.to_csv(out.stage("comparison.csv"), index=False)
        folds.to_csv(out.stage("comparison_folds.csv"), index=False)
        _save_figure(plot_comparison(summary, folds=folds), out.stage("comparison.png"))
        _save_figure(plot_sample_rate_curve(summary), out.stage("sample_rate_curve.png"))
        written = out.commit()
    except BaseException:
        out.abort()
        raise
    print(f"wrote {len(written)} files to {args.out}: {', '.join(p.name for p in written)}")
    return 0


# --- predict -------------------------------------------------------------------------------------
def run_predict(args: argparse.Namespace) -> int:
    """``pseudoboost predict``."""
    from pseudoboost.cli._bundle import SubmissionModel

    path = Path(args.model)
    if not path.is_file():
        hint = " (give the model file inside it)" if path.is_dir() else "; check the path"
        raise UsageError(f"--model {args.model!r} is not a file{hint}.")
    trust = getattr(args, "trust", False)
    try:
        model = SubmissionModel.load(path, trusted=trust)
    except ValueError as error:
        message = " ".join(str(error).split()).replace(
            "(trusted=True, --trust on the command line)", "(--trust)"
        )
        raise UsageError(f"cannot load --model {args.model!r}: {message}") from None
    except Exception as error:  # a file that is not a model raises many kinds
        raise UsageError(
            f"cannot load --model {args.model!r} ({type(error).__name__}); give a model.skops "
            "written by 'pseudoboost tune'."
        ) from None
    test = _data.read_csv(args.test, "--test")
    missing = model.missing_columns(test)
    if missing:
        raise UsageError(
            f"--test {args.test!r} lacks columns the model needs: {_data._listing(missing)}."
        )
    proba = getattr(args, "proba", None)
    if proba and model.task != "classification":
        raise UsageError(
            f"--proba writes class probabilities, but --model {args.model!r} is a "
            f"{model.task} model."
        )
    out = Path(args.out)
    check_writable_file(out, "--out")
    shift = model.extrapolation(test)
    if shift is not None:
        _note(args, shift.message())
    try:
        with _quiet_libraries(getattr(args, "debug", False)):
            submission = model.submission(test, proba=proba)
    except ValueError as error:
        raise UsageError(f"{error} Leave out --proba.") from None
    write_file_atomically(out, lambda tmp: submission.to_csv(tmp, index=False))
    print(f"wrote {len(submission)} rows to {args.out}")
    return 0


# --- models --------------------------------------------------------------------------------------
def run_models(args: argparse.Namespace) -> int:
    """``pseudoboost models``."""
    from pseudoboost.cli._listing import knobs_line, model_lines
    from pseudoboost.models import get_model, list_models
    from pseudoboost.tuning import pseudo_label_search_space

    rows = getattr(args, "rows", None)
    tasks = [args.task] if args.task else ["regression", "classification"]
    for index, task in enumerate(tasks):
        knobs = pseudo_label_search_space(task)
        print(("\n" if index else "") + f"{task}:")
        for name in list_models(task):
            print("\n".join(model_lines(get_model(name, task), rows, knobs)))
        print(knobs_line(task, knobs))
    return 0
