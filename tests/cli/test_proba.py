"""--proba: class probabilities in the submission, chosen automatically for log-loss / ROC AUC."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from pseudoboost.cli import SubmissionModel, main
from pseudoboost.cli._commands import check_proba
from pseudoboost.cli._errors import UsageError


@pytest.mark.parametrize(
    ("proba", "scoring", "expected"),
    [
        (None, None, False),
        (None, "accuracy", False),
        (None, "neg_log_loss", True),
        (None, "roc_auc", True),
        (False, "roc_auc", False),
        (True, "accuracy", True),
    ],
)
def test_probabilities_follow_the_scoring_unless_asked(proba, scoring, expected):
    assert check_proba(proba, scoring, "classification") is expected


def test_probabilities_are_for_classification():
    assert check_proba(None, "neg_log_loss", "regression") is False
    with pytest.raises(UsageError, match="--proba writes class probabilities, but the task is"):
        check_proba(True, None, "regression")


def _bundle(classes, proba=False):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    y = np.arange(60) % len(classes)
    estimator = LogisticRegression().fit(X + y[:, None], y)
    model = SubmissionModel(
        estimator,
        target="label",
        features=["a", "b"],
        id_columns=["id"],
        task="classification",
        classes=classes,
        proba=proba,
    )
    return model, X.assign(id=np.arange(60))


def test_binary_submission_holds_the_positive_class_probability():
    model, frame = _bundle(["no", "yes"], proba=True)
    submission = model.submission(frame)
    assert list(submission.columns) == ["id", "label"]
    expected = model.estimator.predict_proba(frame[["a", "b"]])[:, 1]
    np.testing.assert_allclose(submission["label"], expected)
    assert model.submission(frame, proba=False)["label"].isin(["no", "yes"]).all()


def test_multiclass_submission_has_one_column_per_class():
    model, frame = _bundle(["cat", "dog", "owl"])
    assert list(model.submission(frame).columns) == ["id", "label"]  # labels by default
    submission = model.submission(frame, proba=True)
    assert list(submission.columns) == ["id", "cat", "dog", "owl"]
    np.testing.assert_allclose(submission[["cat", "dog", "owl"]].sum(axis=1), 1.0)


def test_regression_models_have_no_probabilities(tmp_path, capsys):
    X = pd.DataFrame({"a": np.arange(10.0)})
    model = SubmissionModel(
        Ridge().fit(X, np.arange(10.0)),
        target="y",
        features=["a"],
        id_columns=[],
        task="regression",
    )
    path = model.save(tmp_path)
    X.to_csv(tmp_path / "test.csv", index=False)
    args = ["predict", "--model", str(path), "--test"]
    code = main([*args, str(tmp_path / "test.csv"), "--out", str(tmp_path / "s.csv"), "--proba"])
    assert code == 2
    assert "is a regression model" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()


def test_log_loss_tuning_writes_probabilities(make_tables, tmp_path, capsys, monkeypatch):
    train, test = make_tables()
    train["sales"] = np.where(train["sales"] > train["sales"].median(), "high", "low")
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    monkeypatch.chdir(tmp_path)
    args = ["tune", "--train", "train.csv", "--test", "test.csv", "--target", "sales"]
    args += ["--id-column", "row_id", "--model", "logistic_regression", "--n-trials", "2"]
    code = main([*args, "--cv", "2", "--scoring", "neg_log_loss", "--quiet", "--out", "run"])
    assert code == 0, capsys.readouterr().err
    submission = pd.read_csv(tmp_path / "run" / "submission.csv")
    assert list(submission.columns) == ["row_id", "sales"]
    assert submission["sales"].between(0, 1).all() and submission["sales"].nunique() > 2
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["settings"]["proba"] is True
    assert report["data"]["classes"] == ["high", "low"]  # the column is P(low)

    predict = ["predict", "--model", "run/model.skops", "--test", "test.csv", "--out"]
    assert main([*predict, "again.csv"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv("again.csv"), submission)
    assert main([*predict, "labels.csv", "--no-proba"]) == 0
    assert set(pd.read_csv("labels.csv")["sales"]) <= {"high", "low"}
