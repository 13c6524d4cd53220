"""The Big Mart article example runs end to end on a small generated table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.model_selection import KFold, cross_val_score

from pseudoboost.datasets import BIGMART_TARGET, make_bigmart_like

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bigmart_article.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("bigmart_article", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_bigmart_article_example_prints_the_zoo_and_saves_the_figure(example, tmp_path, capsys):
    figure = tmp_path / "curve.png"
    args = ["--n-train", "240", "--n-test", "120", "--folds", "3", "--curve-folds", "2"]
    args += ["--curve-models", "Ridge,KNN", "--n-jobs", "1", "--figure", str(figure)]
    assert example.main(args) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ") and "model" not in line]
    names = [line.split("|")[1].strip() for line in table]
    assert names[:10] == list(example.model_zoo())
    assert names[10:] == ["Ridge", "KNN"]
    # Each model must beat predicting the training mean on the same folds (about 1930 here;
    # the models score 1240 to 1750), and the typical model by a wide margin.
    train, _ = make_bigmart_like(n_train=240, n_test=120)
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET]
    mean_rmse = -cross_val_score(
        DummyRegressor(), X, y, cv=KFold(3), scoring="neg_root_mean_squared_error"
    ).mean()
    scores = np.array([[float(cell) for cell in line.split("|")[2:4]] for line in table[:10]])
    assert (scores > 0).all() and (scores < mean_rmse).all()
    assert np.median(scores) < 0.85 * mean_rmse
    assert figure.stat().st_size > 10_000


def test_bigmart_article_example_rejects_unknown_curve_models(example, capsys):
    with pytest.raises(SystemExit) as error:
        example.main(["--curve-models", "Ridge,SVR"])
    assert error.value.code == 2
    assert "unknown --curve-models ['SVR']" in capsys.readouterr().err
