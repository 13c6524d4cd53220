"""AutoPreprocessor: column kinds, gaps, ids, encodings, leak-free use inside pseudo-labelling."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from pseudoboost import PseudoLabelRegressor
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart, make_bigmart_like
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


# ----------------------------------------------------------------------------- against pandas
@pytest.fixture(scope="module", params=["generated", "real"])
def bigmart(request) -> tuple[pd.DataFrame, pd.DataFrame]:
    if request.param == "real":
        train, test = load_bigmart(request.getfixturevalue("bigmart_dir"))
    else:
        train, test = make_bigmart_like(n_train=1500, n_test=800, random_state=0)
    return train.drop(columns=BIGMART_TARGET), test


def as_text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "__missing__").astype(str)


def test_ordinal_output_is_median_fill_sorted_codes_and_indicators(bigmart):
    """The output, column by column, equals a plain pandas computation on the fit rows."""
    train, test = bigmart
    pre = AutoPreprocessor().fit(train)
    assert pre.dropped_columns_ == {}  # an item is sold in several outlets: not an id
    numeric = [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])]
    assert pre.numeric_columns_ == numeric
    with_gaps = [c for c in numeric if train[c].isna().any()]
    expected_names = numeric + pre.categorical_columns_ + [f"{c}__missing" for c in with_gaps]
    for frame in (train, test):
        out = pre.transform(frame)
        assert list(out.columns) == expected_names == list(pre.get_feature_names_out())
        assert out.index.equals(frame.index)
        for column in numeric:
            expected = frame[column].fillna(train[column].median()).astype(float)
            pd.testing.assert_series_equal(out[column], expected)
        for column in pre.categorical_columns_:
            categories = sorted(as_text(train[column]).unique())
            assert pre.categories_[column] == categories
            codes = pd.Index(categories).get_indexer(as_text(frame[column]))
            assert out[column].dtype == np.int64
            np.testing.assert_array_equal(out[column], codes)
        for column in with_gaps:
            assert out[f"{column}__missing"].dtype == np.int64
            np.testing.assert_array_equal(out[f"{column}__missing"], frame[column].isna())


@pytest.mark.parametrize("max_categories", [3, 5, 20])
def test_onehot_output_keeps_the_most_frequent_categories(bigmart, max_categories):
    train, test = bigmart
    pre = AutoPreprocessor(encoding="onehot", max_categories=max_categories).fit(train)
    out = pre.transform(test)
    assert list(out.columns) == list(pre.get_feature_names_out())
    for column in pre.categorical_columns_:
        counts = as_text(train[column]).value_counts()
        kept = pre.categories_[column]
        block = [name for name in out.columns if name.startswith(f"{column}=")]
        other = f"{column}=__other__"
        assert 1 < len(block) <= max_categories
        assert kept == sorted(kept)
        if len(counts) >= max_categories:  # scikit-learn's infrequent categories
            assert len(kept) == max_categories - 1 and block[-1] == other
            assert counts[kept].min() >= counts.drop(kept).max()
        else:
            assert kept == sorted(counts.index) and other not in block
        values = as_text(test[column])
        for category in kept:
            np.testing.assert_array_equal(out[f"{column}={category}"], values == category)
        if other in block:
            np.testing.assert_array_equal(out[other], ~values.isin(kept))
        assert set(out[block].sum(axis=1)) <= {0.0, 1.0}
    indicators = [name for name in out.columns if name.endswith("__missing")]
    assert (out.drop(columns=indicators).dtypes == np.float64).all()


def test_onehot_with_fewer_categories_than_the_limit_zeroes_unseen_ones():
    train = pd.DataFrame({"c": ["a", "a", "b", None], "x": [1.0, 2.0, 3.0, 4.0]})
    pre = AutoPreprocessor(encoding="onehot", max_categories=4).fit(train)
    assert list(pre.get_feature_names_out()) == ["x", "c=__missing__", "c=a", "c=b"]
    out = pre.transform(pd.DataFrame({"c": ["zzz", None], "x": [0.0, 0.0]}))
    assert out[["c=__missing__", "c=a", "c=b"]].to_numpy().tolist() == [[0, 0, 0], [1, 0, 0]]
    # With as many categories as the limit, the rarest shares the __other__ column.
    pre = AutoPreprocessor(encoding="onehot", max_categories=3).fit(train)
    assert list(pre.get_feature_names_out()) == ["x", "c=a", "c=b", "c=__other__"]


# ----------------------------------------------------------------------------- frame shapes
@pytest.fixture
def gappy() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 120
    train = pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "k": rng.integers(0, 5, n),
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "colour": rng.choice(["red", "blue", "green", None], n),
            "mixed": rng.choice(np.array([1, "a", 2.5, None], dtype=object), n),
            "grade": pd.Categorical(rng.choice(["lo", "mid", "hi"], n)),
        }
    )
    test = train.sample(40, random_state=1)
    test.loc[test.index[:5], ["colour", "mixed"]] = ["purple", "zz"]
    test.loc[test.index[5:10], "k"] = np.nan  # no gap in fit: filled, no indicator
    return train, test


@pytest.mark.parametrize("encoding", ["ordinal", "onehot"])
def test_numeric_only_and_categorical_only_frames(gappy, encoding):
    train, test = gappy
    numbers = ["x", "k", "when"]
    pre = AutoPreprocessor(encoding=encoding).fit(train[numbers])
    out = pre.transform(test)  # extra columns are ignored
    assert list(out.columns) == [*numbers, "x__missing"]
    assert pre.categorical_columns_ == [] and pre.categories_ == {}
    assert out.loc[test.index[5:10], "k"].eq(train["k"].median()).all()
    days = (test["when"] - pd.Timestamp("1970-01-01")).dt.days
    np.testing.assert_array_equal(out["when"], days)

    labels = ["colour", "mixed", "grade"]
    pre = AutoPreprocessor(encoding=encoding).fit(train[labels])
    out = pre.transform(test)
    assert pre.numeric_columns_ == [] and pre.fill_values_ == {}
    assert pre.categories_["mixed"] == ["1", "2.5", "__missing__", "a"]
    if encoding == "ordinal":
        assert list(out.columns) == labels
        assert (out.loc[test.index[:5], ["colour", "mixed"]] == -1).all().all()
    else:
        unseen = out.loc[test.index[:5], [c for c in out.columns if c.startswith("colour=")]]
        assert (unseen == 0).all().all()


def test_nothing_left_gives_an_empty_frame_with_the_index(table):
    pre = AutoPreprocessor().fit(table[["Unnamed: 0", "code", "constant", "empty"]])
    out = pre.transform(table.iloc[2:])
    assert out.shape == (4, 0) and out.index.tolist() == [2, 3, 4, 5]


def test_text_that_is_not_a_number_is_a_gap_at_transform():
    train = pd.DataFrame({"n": ["1", "2", None, "4"]})
    out = AutoPreprocessor().fit(train).transform(pd.DataFrame({"n": ["oops", "3"]}))
    assert out.to_numpy().tolist() == [[2.0, 1], [3.0, 0]]


@pytest.mark.parametrize("encoding", ["ordinal", "onehot"])
def test_set_output_clone_pickle_and_row_independence(gappy, encoding):
    train, test = gappy
    pre = AutoPreprocessor(encoding=encoding)
    default = clone(pre).fit(train).transform(test)
    as_pandas = clone(pre).set_output(transform="pandas").fit(train).transform(test)
    pd.testing.assert_frame_equal(default, as_pandas)
    assert default.index.equals(test.index)
    fitted = pickle.loads(pickle.dumps(clone(pre).fit(train)))
    pd.testing.assert_frame_equal(fitted.transform(test), default)
    one_by_one = pd.concat([fitted.transform(test.iloc[[i]]) for i in range(len(test))])
    pd.testing.assert_frame_equal(one_by_one, default)
    assert clone(pre).get_params() == {
        "encoding": encoding,
        "max_categories": 20,
        "drop_id_like": True,
        "add_indicator": True,
    }
    # Column lists are decided in fit and handed to scikit-learn's ColumnTransformer.
    routes = {name: cols for name, _, cols in fitted.column_transformer_.transformers_}
    assert routes["numeric"] == ["x", "k", "when"] and routes["missing"] == ["x"]
