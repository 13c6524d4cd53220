"""AutoPreprocessor: column kinds, gaps, ids, encodings, leak-free use inside pseudo-labelling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from pseudoboost import PseudoLabelRegressor
from pseudoboost.datasets import make_bigmart_like
from pseudoboost.preprocessing import AutoPreprocessor


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Unnamed: 0": [0, 1, 2, 3, 4, 5],
            "Id": [10, 11, 12, 13, 14, 15],
            "code": ["a1", "a2", "a3", "a4", "a5", "a6"],
            "size": [1.0, np.nan, 3.0, 5.0, np.nan, 7.0],
            "count": [1, 2, 2, 3, 3, 3],
            "colour": ["red", "blue", None, "red", "red", "green"],
            "flag": [True, False, True, True, False, False],
            "numbers_as_text": ["1", "2.5", "3", None, "4", "5"],
            "constant": ["x"] * 6,
            "empty": [np.nan] * 6,
        }
    )


def test_column_kinds_and_dropped_columns(table):
    pre = AutoPreprocessor().fit(table)
    assert pre.numeric_columns_ == ["size", "count", "flag", "numbers_as_text"]
    assert pre.categorical_columns_ == ["colour"]
    assert pre.dropped_columns_ == {
        "Unnamed: 0": "id-like",
        "Id": "id-like",
        "code": "id-like",
        "constant": "constant",
        "empty": "empty",
    }


def test_unique_integers_not_named_like_an_id_are_kept():
    frame = pd.DataFrame({"paid_amount": [5, 7, 9, 11], "rooms": [1, 2, 3, 4]})
    pre = AutoPreprocessor().fit(frame)
    assert pre.numeric_columns_ == ["paid_amount", "rooms"] and pre.dropped_columns_ == {}


def test_ordinal_output_values(table):
    out = AutoPreprocessor().fit_transform(table)
    assert list(out.columns) == [
        "size",
        "count",
        "flag",
        "numbers_as_text",
        "colour",
        "size__missing",
        "numbers_as_text__missing",
    ]
    assert out["size"].tolist() == [1.0, 4.0, 3.0, 5.0, 4.0, 7.0]  # median 4 fills the gaps
    assert out["size__missing"].tolist() == [0, 1, 0, 0, 1, 0]
    # sorted categories: __missing__, blue, green, red
    assert out["colour"].tolist() == [3, 1, 0, 3, 3, 2]
    assert out.isna().sum().sum() == 0
    assert out["colour"].dtype == np.int64 and out["size"].dtype == np.float64


def test_learned_on_fit_rows_only(table):
    pre = AutoPreprocessor().fit(table.iloc[:3])
    new = table.iloc[3:].copy()
    new.loc[3, "colour"] = "purple"  # never seen in fit
    out = pre.transform(new)
    assert pre.fill_values_["size"] == 2.0  # median of the fit rows 1 and 3
    assert out.loc[4, "size"] == 2.0
    assert out.loc[3, "colour"] == -1
    assert out.index.tolist() == [3, 4, 5]


def test_onehot_groups_rare_and_unseen_categories():
    train = pd.DataFrame({"c": ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"], "x": np.arange(13.0)})
    pre = AutoPreprocessor(encoding="onehot", max_categories=3).fit(train)
    assert list(pre.get_feature_names_out()) == ["x", "c=a", "c=b", "c=__other__"]
    out = pre.transform(pd.DataFrame({"c": ["a", "c", "zzz"], "x": [1.0, 2.0, 3.0]}))
    assert out[["c=a", "c=b", "c=__other__"]].to_numpy().tolist() == [
        [1, 0, 0],
        [0, 0, 1],
        [0, 0, 1],
    ]


def test_for_models_picks_the_encoding():
    assert AutoPreprocessor.for_models("lightgbm").encoding == "ordinal"
    assert AutoPreprocessor.for_models(["xgboost", "random_forest"]).encoding == "ordinal"
    assert AutoPreprocessor.for_models(["lightgbm", "ridge"]).encoding == "onehot"
    assert AutoPreprocessor.for_models([]).encoding == "onehot"


def test_bad_parameters_and_missing_columns(table):
    with pytest.raises(ValueError, match="The 'encoding' parameter of AutoPreprocessor"):
        AutoPreprocessor(encoding="target").fit(table)
    pre = AutoPreprocessor().fit(table)
    with pytest.raises(ValueError, match=r"X lacks columns seen in fit: \['colour'\]"):
        pre.transform(table.drop(columns="colour"))


def test_arrays_work_too():
    X = np.array([[1.0, 2.0], [np.nan, 4.0], [3.0, 4.0]])
    out = AutoPreprocessor().fit_transform(X)
    assert list(out.columns) == ["x0", "x1", "x0__missing"]
    assert out["x0"].tolist() == [1.0, 2.0, 3.0]


def test_inside_pseudo_labelling_with_raw_pool_under_cross_validation():
    train, test = make_bigmart_like(n_train=300, n_test=150, random_state=1)
    X, y = train.drop(columns="Item_Outlet_Sales"), train["Item_Outlet_Sales"]
    model = PseudoLabelRegressor(
        make_pipeline(AutoPreprocessor(encoding="onehot"), Ridge()),
        unlabeled=test,
        sample_rate=0.5,
        random_state=0,
    )
    scores = cross_val_score(model, X, y, cv=3, scoring="neg_root_mean_squared_error")
    assert np.all(np.isfinite(scores))
    assert -scores.mean() < y.std()  # better than predicting the mean
