"""Every user mistake: one line on stderr, exit status 2, no traceback, nothing written.

The mistakes listed in issue 6 run the CLI as a subprocess; the further cases run ``main`` in
this process (same code path, without paying the interpreter start-up again).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BASE = ("tune", "--train", "train.csv", "--test", "test.csv", "--target", "sales")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def check_usage_error(result, folder: Path, before: list[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("pseudoboost"), lines[0]
    assert ": error: " in lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    assert result.stdout == ""
    assert listing(folder) == before, "the command wrote files"


def test_missing_train_file(files, run_cli):
    before = listing(files["dir"])
    result = run_cli(
        "tune", "--train", "nope.csv", "--test", "test.csv", "--target", "sales", cwd=files["dir"]
    )
    check_usage_error(result, files["dir"], before, "--train 'nope.csv' does not exist")


def test_missing_test_file(files, run_main):
    before = listing(files["dir"])
    result = run_main(
        "tune",
        "--train",
        "train.csv",
        "--test",
        "missing/test.csv",
        "--target",
        "sales",
        cwd=files["dir"],
    )
    check_usage_error(result, files["dir"], before, "--test 'missing/test.csv' does not exist")


def test_unreadable_csv(files, run_cli):
    (files["dir"] / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01\x02" * 50)
    before = listing(files["dir"])
    result = run_cli(
        "tune", "--train", "binary.csv", "--test", "test.csv", "--target", "sales", cwd=files["dir"]
    )
    check_usage_error(result, files["dir"], before, "cannot read --train 'binary.csv' as CSV")


def test_semicolon_csv(files, run_main):
    (files["dir"] / "semi.csv").write_text("a;b;sales\n1;2;3\n4;5;6\n")
    before = listing(files["dir"])
    result = run_main(
        "tune", "--train", "semi.csv", "--test", "test.csv", "--target", "sales", cwd=files["dir"]
    )
    check_usage_error(result, files["dir"], before, "seems separated by semicolons")


def test_missing_target_column(files, run_cli):
    before = listing(files["dir"])
    result = run_cli(
        "tune", "--train", "train.csv", "--test", "test.csv", "--target", "Sales", cwd=files["dir"]
    )
    check_usage_error(
        result,
        files["dir"],
        before,
        "target column 'Sales' is not in --train",
        "did you mean 'sales'?",
        "row_id, size, colour, price, sales",
    )


def test_text_target_for_regression(files, run_cli):
    train = pd.read_csv(files["train"])
    train["sales"] = train["sales"].map(lambda v: f"${v:.2f}")
    train.to_csv(files["dir"] / "text.csv", index=False)
    before = listing(files["dir"])
    result = run_cli(
        "tune",
        "--train",
        "text.csv",
        "--test",
        "test.csv",
        "--target",
        "sales",
        "--task",
        "regression",
        cwd=files["dir"],
    )
    check_usage_error(
        result,
        files["dir"],
        before,
        "--task regression needs a numeric target",
        "'sales' holds text such as '$",
    )


def test_text_target_with_too_many_values(files, run_main):
    train = pd.read_csv(files["train"])
    train["sales"] = train["sales"].map(lambda v: f"{v:.2f} EUR")
    train.to_csv(files["dir"] / "text.csv", index=False)
    before = listing(files["dir"])
    result = run_main(
        "tune", "--train", "text.csv", "--test", "test.csv", "--target", "sales", cwd=files["dir"]
    )
    check_usage_error(result, files["dir"], before, "is not numeric", "too many to be classes")


def test_different_feature_columns(files, run_cli):
    test = pd.read_csv(files["test"]).rename(columns={"colour": "color"}).assign(extra=1)
    test.to_csv(files["test"], index=False)
    before = listing(files["dir"])
    result = run_cli(*BASE, cwd=files["dir"])
    check_usage_error(
        result,
        files["dir"],
        before,
        "only in --train: colour",
        "only in --test: color, extra",
        "--drop-column",
    )


def test_unknown_model(files, run_cli):
    before = listing(files["dir"])
    result = run_cli(*BASE, "--model", "lightgbn", cwd=files["dir"])
    check_usage_error(
        result,
        files["dir"],
        before,
        "unknown regression model 'lightgbn'",
        "did you mean 'lightgbm'?",
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--n-trials", "0", "argument --n-trials: expected an integer >= 1, got '0'"),
        ("--timeout", "-5", "argument --timeout: expected a number > 0, got '-5'"),
    ],
)
def test_bad_number(files, run_cli, option, value, message):
    before = listing(files["dir"])
    result = run_cli(*BASE, option, value, cwd=files["dir"])
    check_usage_error(result, files["dir"], before, message, "see 'pseudoboost tune --help'")
    assert result.stderr.startswith("pseudoboost tune: error:")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--n-trials", "ten", "argument --n-trials: expected an integer, got 'ten'"),
        ("--cv", "1", "argument --cv: expected an integer >= 2, got '1'"),
        ("--n-jobs", "0", "argument --n-jobs: expected a positive number of workers or -1"),
        ("--seed", "-1", "argument --seed: expected an integer in [0, 4294967295]"),
    ],
)
def test_bad_number_in_process(files, run_main, option, value, message):
    before = listing(files["dir"])
    result = run_main(*BASE, option, value, cwd=files["dir"])
    check_usage_error(result, files["dir"], before, message, "see 'pseudoboost tune --help'")
    assert result.stderr.startswith("pseudoboost tune: error:")


def test_output_folder_cannot_be_written(files, run_cli):
    (files["dir"] / "taken").write_text("a file, not a folder")
    before = listing(files["dir"])
    result = run_cli(*BASE, "--out", "taken/run1", cwd=files["dir"])
    check_usage_error(
        result, files["dir"], before, "cannot write to --out 'taken/run1'", "is a file"
    )


def test_storage_cannot_be_opened(files, run_cli):
    before = listing(files["dir"])
    result = run_cli(
        *BASE, "--storage", "sqlite:///no/such/folder/study.db", "--out", "run", cwd=files["dir"]
    )
    check_usage_error(result, files["dir"], before, "Cannot open the Optuna storage", "--storage")


def test_storage_that_is_not_a_url(files, run_main):
    before = listing(files["dir"])
    result = run_main(*BASE, "--storage", "mystudy", "--out", "run", cwd=files["dir"])
    check_usage_error(result, files["dir"], before, "give a path ending in .db")


def test_demo_with_files(files, run_main):
    before = listing(files["dir"])
    result = run_main("tune", "--demo", "--train", "train.csv", cwd=files["dir"])
    check_usage_error(result, files["dir"], before, "leave out --train")


def test_missing_options(files, run_main):
    before = listing(files["dir"])
    result = run_main("tune", "--train", "train.csv", cwd=files["dir"])
    check_usage_error(result, files["dir"], before, "missing --test, --target", "--demo")


def test_id_column_not_in_test(files, run_main):
    before = listing(files["dir"])
    result = run_main(*BASE, "--id-column", "RowId", cwd=files["dir"])
    check_usage_error(result, files["dir"], before, "--id-column 'RowId' is not in --test")


def test_bigmart_preprocess_on_other_table(files, run_main):
    before = listing(files["dir"])
    result = run_main(*BASE, "--preprocess", "bigmart-article", cwd=files["dir"])
    check_usage_error(
        result, files["dir"], before, "--preprocess bigmart-article is for the Big Mart files"
    )


def test_preprocess_none_with_text(files, run_main):
    before = listing(files["dir"])
    result = run_main(*BASE, "--preprocess", "none", cwd=files["dir"])
    check_usage_error(
        result, files["dir"], before, "--preprocess none needs numeric columns", "row_id, colour"
    )


def test_unknown_command(files, run_main):
    before = listing(files["dir"])
    result = run_main("tuen", cwd=files["dir"])
    check_usage_error(result, files["dir"], before, "invalid choice: 'tuen'")


def test_compare_bad_sample_rates(files, run_main):
    before = listing(files["dir"])
    result = run_main(
        "compare",
        "--train",
        "train.csv",
        "--test",
        "test.csv",
        "--target",
        "sales",
        "--sample-rates",
        "0,1.5",
        cwd=files["dir"],
    )
    check_usage_error(result, files["dir"], before, "each sample rate must be in [0, 1]")


def test_predict_missing_model(files, run_main):
    before = listing(files["dir"])
    result = run_main(
        "predict",
        "--model",
        "run/model.joblib",
        "--test",
        "test.csv",
        "--out",
        "sub.csv",
        cwd=files["dir"],
    )
    check_usage_error(result, files["dir"], before, "--model 'run/model.joblib' is not a file")


def test_predict_not_a_model(files, run_main):
    before = listing(files["dir"])
    result = run_main(
        "predict",
        "--model",
        "train.csv",
        "--test",
        "test.csv",
        "--out",
        "sub.csv",
        cwd=files["dir"],
    )
    check_usage_error(result, files["dir"], before, "cannot load --model 'train.csv'")


def test_closed_pipe_is_not_an_error():
    """`pseudoboost models | head -1`: the reader leaving early gives no traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pseudoboost", "models"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # before the program writes: its first write meets a closed pipe
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
