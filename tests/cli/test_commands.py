"""The commands end to end on tiny tables: outputs, their content, resume, Ctrl-C, predict."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import optuna
import pandas as pd
import pytest

from pseudoboost.cli import SubmissionModel, main
from pseudoboost.cli._outputs import STAGING_PREFIX
from pseudoboost.models import get_model

TUNE_OUTPUTS = {
    "submission.csv",
    "report.json",
    "optimization_history.png",
    "sample_rate_curve.png",
    "param_importances.png",
    "model.skops",
    "trials.csv",
    "leaderboard.csv",
    "anytime.png",
    "study.db",
}
TINY = ("--model", "ridge", "--n-trials", "3", "--cv", "2")


@pytest.fixture(scope="module")
def tuned(tmp_path_factory, make_tables, run_cli):
    """One tiny `pseudoboost tune` in a subprocess (its stderr is not a terminal)."""
    folder = tmp_path_factory.mktemp("tuned")
    train, test = make_tables()
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    args = ("tune", "--train", "train.csv", "--test", "test.csv", "--target", "sales")
    args += ("--id-column", "row_id", *TINY, "--out", "run")
    result = run_cli(*args, cwd=folder)
    assert result.returncode == 0, result.stderr
    return {"dir": folder, "out": folder / "run", "result": result, "args": args, "test": test}


def test_tune_writes_every_output(tuned):
    names = {p.name for p in tuned["out"].iterdir()}
    assert names == TUNE_OUTPUTS
    assert not any(name.startswith(STAGING_PREFIX) for name in os.listdir(tuned["dir"]))


def test_tune_is_quiet_without_a_terminal(tuned):
    stderr = tuned["result"].stderr
    assert "\r" not in stderr and "trial/s" not in stderr and "it/s" not in stderr
    assert "tuning ridge on 120 train rows x 4 columns with 40 test rows as the pool" in stderr
    stdout = tuned["result"].stdout
    assert "returned: supervised (ridge, sample_rate=0); CV rmse " in stdout
    assert "baseline: the best trial without pseudo-labels of this search" in stdout
    assert "corrected paired t-test against the baseline p = " in stdout


def test_leaderboard_has_one_row_per_model_tried(tuned):
    board = pd.read_csv(tuned["out"] / "leaderboard.csv")
    assert board["model"].tolist() == ["ridge"]
    assert board.loc[0, "n_complete"] + board.loc[0, "n_pruned"] + board.loc[0, "n_failed"] == 3
    assert bool(board.loc[0, "chosen"])


def test_submission_has_ids_then_target_in_test_order(tuned):
    submission = pd.read_csv(tuned["out"] / "submission.csv")
    assert list(submission.columns) == ["row_id", "sales"]
    assert submission["row_id"].tolist() == tuned["test"]["row_id"].tolist()
    assert np.isfinite(submission["sales"]).all()
    # The signal is learnable: predictions follow 3 * size (not a constant).
    known = tuned["test"]["size"].notna()
    corr = np.corrcoef(submission["sales"][known], tuned["test"]["size"][known])[0, 1]
    assert corr > 0.8


def test_report_content(tuned):
    report = json.loads((tuned["out"] / "report.json").read_text())
    result = report["result"]
    assert len(result["cv_scores"]) == 2 and len(result["supervised_cv_scores"]) == 2
    assert result["best_score"] == pytest.approx(np.mean(result["cv_scores"]))
    assert result["best_score_std"] == pytest.approx(np.std(result["cv_scores"], ddof=1))
    assert 0 <= result["best_params"]["sample_rate"] <= 1
    assert result["metric"] == "rmse" and report["data"]["task"] == "regression"
    train_bytes = (tuned["dir"] / "train.csv").read_bytes()
    assert report["data"]["train"]["sha256"] == hashlib.sha256(train_bytes).hexdigest()
    assert report["data"]["train"]["rows"] == 120 and report["data"]["n_test"] == 40
    assert report["data"]["features"] == ["row_id", "size", "colour", "price"]
    assert {"python", "pseudoboost", "scikit-learn", "optuna"} <= set(report["versions"])
    assert len(report["trials"]) == 3
    assert report["command"].startswith("pseudoboost tune --train train.csv")
    assert "report.json" in report["outputs"]


def test_saved_model_predicts_the_submission(tuned, tmp_path):
    model = SubmissionModel.load(tuned["out"] / "model.skops")
    assert isinstance(model, SubmissionModel)
    submission = pd.read_csv(tuned["out"] / "submission.csv")
    np.testing.assert_allclose(model.predict(tuned["test"]), submission["sales"], rtol=1e-6)
    code = main(
        [
            "predict",
            "--model",
            str(tuned["out"] / "model.skops"),
            "--test",
            str(tuned["dir"] / "test.csv"),
            "--out",
            str(tmp_path / "sub.csv"),
        ]
    )
    assert code == 0
    again = pd.read_csv(tmp_path / "sub.csv")
    pd.testing.assert_frame_equal(again, submission)
    assert os.listdir(tmp_path) == ["sub.csv"]


def test_predict_names_missing_columns(tuned, tmp_path, capsys):
    tuned["test"].drop(columns=["colour", "row_id"]).to_csv(tmp_path / "t.csv", index=False)
    code = main(
        [
            "predict",
            "--model",
            str(tuned["out"] / "model.skops"),
            "--test",
            str(tmp_path / "t.csv"),
            "--out",
            str(tmp_path / "sub.csv"),
        ]
    )
    assert code == 2
    assert "lacks columns the model needs: row_id, colour" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["t.csv"]


def test_rerun_resumes_the_study(tuned, capsys, monkeypatch):
    monkeypatch.chdir(tuned["dir"])
    assert main(list(tuned["args"])) == 0
    err = capsys.readouterr().err
    assert "resuming study" in err and "3 finished trials" in err
    report = json.loads((tuned["out"] / "report.json").read_text())
    study = optuna.load_study(
        study_name=report["settings"]["study_name"],
        storage=f"sqlite:///{tuned['out'] / 'study.db'}",
    )
    assert len(study.trials) == 6
    assert report["result"]["n_trials"] == 3


def test_ctrl_c_keeps_finished_trials(make_tables, tmp_path):
    train, test = make_tables()
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    command = [
        sys.executable,
        "-m",
        "pseudoboost",
        "tune",
        "--train",
        "train.csv",
        "--test",
        "test.csv",
        "--target",
        "sales",
        "--model",
        "ridge",
        "--n-trials",
        "100000",
        "--cv",
        "2",
        "--study-name",
        "interrupted",
        "--out",
        "run",
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell started in the background (as CI may start this suite) ignores SIGINT and
        # its children inherit that, so Python would never raise KeyboardInterrupt. A user's
        # Ctrl-C reaches a foreground process whose SIGINT is at its default: restore that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    storage = f"sqlite:///{tmp_path / 'run' / 'study.db'}"
    # Watch the study read-only: a reader that may write would create Optuna's tables too if
    # it opened the database while tune creates it, and make tune lose that race.
    read_only = f"sqlite:///file:{tmp_path / 'run' / 'study.db'}?mode=ro&uri=true"
    reader = None
    deadline = time.monotonic() + 90
    finished = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        try:
            reader = reader or optuna.storages.RDBStorage(read_only)
            study = optuna.load_study(study_name="interrupted", storage=reader)
            finished = sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))
        except Exception:  # no database, tables or study yet
            continue
        if finished >= 2:
            break
    if finished < 2 and process.poll() is not None:  # it ended early: say why
        pytest.fail(
            f"tune exited ({process.returncode}) early; stderr:\n{process.communicate()[1]}"
        )
    assert finished >= 2, "no trial finished in time"
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"tune did not exit after Ctrl-C; its stderr:\n{err}")
    assert process.returncode == 130, err
    assert "interrupted;" in err and "finished trials are kept in study 'interrupted'" in err
    assert "Run the same command again to resume" in err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path / "run")) == ["study.db"]
    study = optuna.load_study(study_name="interrupted", storage=storage)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) >= 2


def test_classification_with_text_labels(make_tables, tmp_path, capsys, monkeypatch):
    train, test = make_tables()
    train["sales"] = np.where(train["sales"] > train["sales"].median(), "high", "low")
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "tune",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--target",
            "sales",
            "--id-column",
            "row_id",
            "--model",
            "knn",
            "--n-trials",
            "2",
            "--cv",
            "2",
            "--quiet",
            "--out",
            "run",
        ]
    )
    assert code == 0, capsys.readouterr().err
    submission = pd.read_csv(tmp_path / "run" / "submission.csv")
    assert set(submission["sales"]) <= {"high", "low"} and len(submission) == 40
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["data"]["task"] == "classification"
    assert report["data"]["classes"] == ["high", "low"]
    assert report["result"]["metric"] == "accuracy"


def test_demo_path_writes_a_bigmart_submission(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["tune", "--demo", "--model", "ridge", "--n-trials", "2", "--cv", "2", "--quiet"])
    assert code == 0, capsys.readouterr().err
    out = tmp_path / "pseudoboost-out"
    assert {p.name for p in out.iterdir()} == TUNE_OUTPUTS
    submission = pd.read_csv(out / "submission.csv")
    assert list(submission.columns) == ["Item_Identifier", "Outlet_Identifier", "Item_Outlet_Sales"]
    assert len(submission) == 2500


def test_compare_prints_and_saves(files, capsys, monkeypatch):
    monkeypatch.chdir(files["dir"])
    code = main(
        [
            "compare",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--target",
            "sales",
            "--id-column",
            "row_id",
            "--model",
            "ridge",
            "--sample-rates",
            "0.5",
            "--cv",
            "2",
            "--n-repeats",
            "1",
            "--quiet",
            "--out",
            "cmp",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "sample_rate" in captured.out and "ridge" in captured.out
    names = {p.name for p in (files["dir"] / "cmp").iterdir()}
    assert names == {
        "comparison.csv",
        "comparison_folds.csv",
        "comparison.png",
        "sample_rate_curve.png",
    }
    table = pd.read_csv(files["dir"] / "cmp" / "comparison.csv")
    assert table["sample_rate"].tolist() == [0.0, 0.5]
    assert table["n_folds"].tolist() == [2, 2]


def _model_block(out: str, name: str) -> str:
    """The lines ``pseudoboost models`` prints for ``name`` (up to the next model)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {name} "))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith(" " * 26)),
        len(lines),
    )
    return "\n".join(lines[start:end])


def test_models_lists_costs_limits_defaults_and_the_knobs_each_model_gets(capsys):
    assert main(["models", "--task", "regression"]) == 0
    out = capsys.readouterr().out
    assert "classification:" not in out
    lightgbm = _model_block(out, "lightgbm")
    assert "cost rank 3 of 5" in lightgbm and "any number of rows" in lightgbm
    assert "tunes: n_estimators 50..2000 log, learning_rate 0.005..0.3 log" in lightgbm
    defaults = get_model("lightgbm").defaults
    assert f"starts at: n_estimators={defaults['n_estimators']}, learning_rate=" in lightgbm
    # The alternatives, only what differs from the defaults.
    assert "then tries: n_estimators=1000, learning_rate=0.1, min_child_samples=5, " in lightgbm
    assert "n_estimators=2000, learning_rate=0.15, num_leaves=5, min_child_samples=2, " in lightgbm
    assert "then tries" not in _model_block(out, "ridge")
    refit = "refit: up to 4 times its n_estimators with the time left"
    assert refit in _model_block(out, "extra_trees") and refit not in lightgbm
    assert "cost rank 1 of 5 (1 cheapest), any number of rows, targets >= 0 only" in (
        _model_block(out, "poisson_glm")
    )
    assert "targets >= 0" not in lightgbm
    assert "pseudo-labelling: sample_rate, selection, pseudo_weight, max_iter, " in lightgbm
    assert "label_source, teacher" in lightgbm
    # k-NN and the Gaussian process take no sample_weight: no pseudo_weight for them.
    for name in ("knn", "gaussian_process"):
        block = _model_block(out, name)
        assert "pseudo_weight" not in block.split("(no pseudo_weight")[0]
        assert "(no pseudo_weight: its fit takes no sample_weight)" in block
    assert "up to 1,000 rows" in _model_block(out, "gaussian_process")
    assert "pseudo-labelling knobs (regression)" in out and "sample_rate 0..1 step 0.05" in out

    assert main(["models", "--task", "classification", "--rows", "20"]) == 0
    out = capsys.readouterr().out
    knn = _model_block(out, "knn")
    assert "n_neighbors 1..10 log" in knn and "starts at: n_neighbors=10" in knn
    assert (
        "pseudo-labelling: sample_rate, selection, max_iter, threshold, balance_classes (no pseudo_weight"
        in knn
    )
    assert "label_source" not in out  # a regression knob
    assert main(["models", "--task", "regression", "--rows", "5000"]) == 0
    gp = _model_block(capsys.readouterr().out, "gaussian_process")
    assert "up to 1,000 rows: left out of --model all at 5,000" in gp


def test_models_version_and_help(capsys):
    assert main(["models", "--task", "regression"]) == 0
    out = capsys.readouterr().out
    assert "lightgbm" in out and "ridge" in out and "tunes: n_estimators" in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip().startswith("pseudoboost ")
    assert main(["tune", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "pseudoboost tune --demo" in help_text and "20 with --demo" in help_text


def test_progress_bar_shows_trials_and_best_score(capsys):
    import io

    from pseudoboost.cli._progress import TrialProgress, progress_enabled

    assert not progress_enabled(False, io.StringIO())  # not a terminal
    assert not progress_enabled(True)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    bar = TrialProgress(3, 60, "rmse", enabled=True)
    study.optimize(lambda trial: trial.suggest_float("x", 0, 1) + 2.0, n_trials=3, callbacks=[bar])
    bar.close()
    err = capsys.readouterr().err
    assert "3/3" in err and f"best rmse={study.best_value:.5g}" in err and "timeout in=" in err
    silent = TrialProgress(3, None, "rmse", enabled=False)
    study.optimize(lambda trial: 1.0, n_trials=1, callbacks=[silent])
    silent.close()
    optuna.logging.set_verbosity(verbosity)
    assert capsys.readouterr().err == "" and silent.done == 1


def test_demo_with_bigmart_preprocessing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["tune", "--demo", "--preprocess", "bigmart-improved", "--model", "ridge"]
    code = main([*args, "--n-trials", "1", "--cv", "2", "--quiet", "--out", "bm"])
    assert code == 0, capsys.readouterr().err
    model = SubmissionModel.load(tmp_path / "bm" / "model.skops")
    assert type(model.estimator.estimator_.steps[0][1]).__name__ == "BigMartPreprocessor"
    report = json.loads((tmp_path / "bm" / "report.json").read_text())
    assert report["settings"]["preprocess"] == "bigmart-improved"


def test_total_trials_is_recorded_and_reached(tuned, tmp_path, monkeypatch):
    """A study-wide budget is what the report says, and the study ends with exactly that many."""
    monkeypatch.chdir(tuned["dir"])
    args = list(tuned["args"][:-2])  # without its trailing "--out run"
    position = args.index("--n-trials")
    del args[position : position + 2]
    out = tmp_path / "budget"
    assert main([*args, "--total-trials", "4", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["settings"]["total_trials"] == 4 and report["settings"]["n_trials"] is None
    study = optuna.load_study(
        study_name=report["settings"]["study_name"], storage=f"sqlite:///{out / 'study.db'}"
    )
    assert sum(t.state.is_finished() for t in study.trials) == 4


def test_the_commands_do_not_import_the_parser():
    """No import cycle: the parser imports the commands, the commands only the defaults."""
    import ast
    import inspect

    import pseudoboost.cli._commands as commands

    tree = ast.parse(inspect.getsource(commands))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
            imported.add(str(node.module))
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert not {name for name in imported if name.startswith("pseudoboost.cli._main")}
    assert "pseudoboost.cli._defaults" in imported


def test_tune_says_when_test_rows_are_far_outside_the_labelled_rows(
    tmp_path, make_tables, run_main
):
    train, test = make_tables()
    test.loc[3, "price"] = 1e6  # prices 1-5 in the training rows
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    args = ("tune", "--train", "train.csv", "--test", "test.csv", "--target", "sales")
    result = run_main(*args, "--id-column", "row_id", *TINY, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "pseudoboost: 1 of 40 rows to predict have a numeric feature far outside the labelled "
        "rows' range (farthest: price = 1e+06, labelled "
    ) in result.stderr


def test_tune_says_nothing_of_test_rows_inside_the_labelled_range(tuned):
    assert "far outside" not in tuned["result"].stderr


def test_predict_says_when_rows_are_far_outside_the_labelled_rows(tuned, tmp_path, capsys):
    model = SubmissionModel.load(tuned["out"] / "model.skops")
    assert set(model.feature_range) == {"size", "price"}  # the numeric features
    far = tuned["test"].copy()
    far.loc[[2, 7], "size"] = -1e5
    far.to_csv(tmp_path / "far.csv", index=False)
    capsys.readouterr()
    for name in ("test.csv", "far.csv"):
        folder = tuned["dir"] if name == "test.csv" else tmp_path
        args = ["predict", "--model", str(tuned["out"] / "model.skops"), "--test"]
        assert main([*args, str(folder / name), "--out", str(tmp_path / "sub.csv")]) == 0
    err = capsys.readouterr().err
    assert err.count("far outside") == 1
    assert (
        "pseudoboost: 2 of 40 rows to predict have a numeric feature far outside the labelled "
        "rows' range (farthest: size = -100000, labelled "
    ) in err


def test_a_model_saved_without_the_labelled_range_predicts_without_the_check(tuned, tmp_path):
    model = SubmissionModel.load(tuned["out"] / "model.skops")
    del model.feature_range  # as a model saved before the range was kept
    far = tuned["test"].copy()
    far["size"] = 1e9
    assert model.extrapolation(far) is None
    assert len(model.submission(far)) == len(far)
