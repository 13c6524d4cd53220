"""Model files: skops by default, a pickle only with --trust (trusted=True)."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from pseudoboost import PseudoLabelRegressor
from pseudoboost.cli import SubmissionModel, main


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"id": np.arange(40), "a": rng.normal(size=40), "b": rng.normal(size=40)})


def _model(estimator, frame, y):
    estimator.fit(frame[["a", "b"]], y)
    return SubmissionModel(
        estimator, target="y", features=["a", "b"], id_columns=["id"], task="regression"
    )


def test_zoo_models_are_saved_with_skops_without_their_pool(frame, tmp_path):
    pool = frame[["a", "b"]].iloc[:10]
    estimator = PseudoLabelRegressor(Ridge(), unlabeled=pool, sample_rate=1.0, random_state=0)
    model = _model(estimator, frame, frame["a"] * 2)
    path = model.save(tmp_path)
    assert path.name == "model.skops"
    assert estimator.unlabeled is pool  # the pool is left out of the file, not dropped
    loaded = SubmissionModel.load(path)
    assert loaded.estimator.unlabeled is None
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame))


def test_a_pickle_loads_only_when_trusted(frame, tmp_path):
    model = _model(Ridge(), frame, frame["a"])
    joblib.dump(model, tmp_path / "model.joblib")
    with pytest.raises(ValueError, match="loading a pickle runs whatever code it holds"):
        SubmissionModel.load(tmp_path / "model.joblib")
    loaded = SubmissionModel.load(tmp_path / "model.joblib", trusted=True)
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame))


def test_skops_file_naming_other_functions_loads_only_when_trusted(frame, tmp_path):
    model = _model(make_pipeline(FunctionTransformer(abs), Ridge()), frame, frame["a"])
    path = model.save(tmp_path)
    with pytest.raises(ValueError, match=r"outside the model zoo's libraries \(builtins.abs\)"):
        SubmissionModel.load(path)
    np.testing.assert_allclose(
        SubmissionModel.load(path, trusted=True).predict(frame), model.predict(frame)
    )


def test_predict_refuses_a_pickle_without_trust(frame, tmp_path, capsys):
    model = _model(Ridge(), frame, frame["a"])
    joblib.dump(model, tmp_path / "model.joblib")
    frame.to_csv(tmp_path / "test.csv", index=False)
    args = ["predict", "--model", str(tmp_path / "model.joblib"), "--test"]
    args += [str(tmp_path / "test.csv"), "--out", str(tmp_path / "sub.csv")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "cannot load --model" in err and "(--trust)" in err
    assert not (tmp_path / "sub.csv").exists()
    assert main([*args, "--trust"]) == 0
    submission = pd.read_csv(tmp_path / "sub.csv")
    np.testing.assert_allclose(submission["y"], model.predict(frame))


def test_a_file_holding_something_else_is_refused(tmp_path):
    joblib.dump(LogisticRegression(), tmp_path / "other.joblib")
    with pytest.raises(ValueError, match="holds a LogisticRegression, not a SubmissionModel"):
        SubmissionModel.load(tmp_path / "other.joblib", trusted=True)
