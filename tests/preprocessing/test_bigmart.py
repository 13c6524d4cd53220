"""Tests of BigMartPreprocessor on the generated table (always) and the real files (if present)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder

from pseudoboost import PseudoLabelRegressor
from pseudoboost.datasets import BIGMART_TARGET, load_bigmart, make_bigmart_like
from pseudoboost.preprocessing import BigMartPreprocessor

ARTICLE_COLUMNS = [
    "Item_Weight",
    "Item_Fat_Content",
    "Item_Visibility",
    "Item_MRP",
    "Outlet_Establishment_Year",
    "Outlet_Size",
    "Outlet_Location_Type",
    "Outlet_Type",
]
IMPROVED_COLUMNS = [
    "Item_Fat_Content",
    "Item_Visibility",
    "Item_MRP",
    "Outlet_Establishment_Year",
    "Outlet_Size",
    "Outlet_Location_Type",
    "Outlet_Type",
]
FLOAT_COLUMNS = {"Item_Weight", "Item_Visibility", "Item_MRP"}


def with_steps(*steps: str) -> type[BigMartPreprocessor]:
    """A preprocessor running the given "improved" steps (the benchmark's ablation hook)."""
    return type("Ablated", (BigMartPreprocessor,), {"_improved_steps": steps})


@pytest.fixture(scope="module", params=["generated", "real"])
def tables(request) -> tuple[pd.DataFrame, pd.DataFrame]:
    if request.param == "real":
        return load_bigmart(request.getfixturevalue("bigmart_dir"))
    return make_bigmart_like(n_train=2000, n_test=1000, random_state=0)


@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_bigmart_like(n_train=600, n_test=300, random_state=1)


def article_reference(train: pd.DataFrame) -> pd.DataFrame:
    """The article's preprocessing of train.csv, rewritten for pandas 3 (no inplace, no append)."""
    train = train.copy()
    train["Item_Weight"] = train["Item_Weight"].fillna(train["Item_Weight"].mean())
    train["Item_Fat_Content"] = (
        train["Item_Fat_Content"]
        .replace(["low fat", "LF"], ["Low Fat", "Low Fat"])
        .replace(["reg"], ["Regular"])
    )
    train["Outlet_Establishment_Year"] = 2013 - train["Outlet_Establishment_Year"]
    for column in ["Outlet_Size", "Outlet_Location_Type", "Outlet_Type", "Item_Fat_Content"]:
        train[column] = LabelEncoder().fit_transform(train[column].astype(str)).astype(int)
    return train.drop(columns=["Outlet_Identifier", "Item_Type", "Item_Identifier", BIGMART_TARGET])


# ----------------------------------------------------------------------------- article mode
def test_article_mode_matches_the_articles_code(tables) -> None:
    train, _ = tables
    out = BigMartPreprocessor().fit_transform(train)
    pd.testing.assert_frame_equal(out, article_reference(train), check_dtype=False)


@pytest.mark.parametrize("mode", ["article", "improved"])
def test_columns_dtypes_and_no_missing_values(tables, mode) -> None:
    train, test = tables
    prep = BigMartPreprocessor(mode=mode).fit(train.drop(columns=BIGMART_TARGET))
    out = prep.transform(test)
    expected = ARTICLE_COLUMNS if mode == "article" else IMPROVED_COLUMNS
    assert list(out.columns) == expected == list(prep.get_feature_names_out())
    for column in out.columns:
        assert out[column].dtype == (np.float64 if column in FLOAT_COLUMNS else np.int64), column
    assert int(out.isna().sum().sum()) == 0
    assert out.index.equals(test.index)
    # Every category is folded and known: no -1 codes on the same schema.
    codes = out.drop(columns=[c for c in out.columns if c in FLOAT_COLUMNS])
    assert int((codes < 0).sum().sum()) == 0
    assert set(out["Item_Fat_Content"]) <= {0, 1}
    assert set(out["Outlet_Size"]) <= {0, 1, 2, 3}
    assert set(out["Outlet_Type"]) <= {0, 1, 2, 3}
    assert set(out["Outlet_Location_Type"]) <= {0, 1, 2}


def test_article_codes_and_outlet_age(small) -> None:
    train, _ = small
    prep = BigMartPreprocessor().fit(train)
    assert prep.categories_ == {
        "Item_Fat_Content": ["Low Fat", "Regular"],
        "Outlet_Size": ["High", "Medium", "Small", "nan"],
        "Outlet_Location_Type": ["Tier 1", "Tier 2", "Tier 3"],
        "Outlet_Type": [
            "Grocery Store",
            "Supermarket Type1",
            "Supermarket Type2",
            "Supermarket Type3",
        ],
    }
    out = prep.transform(train)
    assert (out["Outlet_Establishment_Year"] == 2013 - train["Outlet_Establishment_Year"]).all()
    # A missing size is its own category, coded last (as the article's LabelEncoder did).
    assert (out.loc[train["Outlet_Size"].isna(), "Outlet_Size"] == 3).all()
    fat = train["Item_Fat_Content"]
    assert (out.loc[fat.isin(["Low Fat", "LF", "low fat"]), "Item_Fat_Content"] == 0).all()
    assert (out.loc[fat.isin(["Regular", "reg"]), "Item_Fat_Content"] == 1).all()


def test_learned_on_fit_data_only(small) -> None:
    train, test = small
    prep = BigMartPreprocessor().fit(train)
    odd = test.copy()
    odd["Item_Weight"] = np.nan
    odd["Outlet_Type"] = "Hypermarket"
    odd["Item_Fat_Content"] = "LOW FAT"
    out = prep.transform(odd)
    assert np.allclose(out["Item_Weight"], train["Item_Weight"].mean())
    assert (out["Outlet_Type"] == -1).all()
    assert (out["Item_Fat_Content"] == 0).all()
    # Rows are transformed independently of the batch they come in.
    one_by_one = pd.concat([prep.transform(test.iloc[[i]]) for i in range(5)])
    pd.testing.assert_frame_equal(one_by_one, prep.transform(test.iloc[:5]))


def test_target_column_is_ignored_and_clone_refits(small) -> None:
    train, _ = small
    prep = BigMartPreprocessor(mode="improved")
    with_target = prep.fit_transform(train)
    without = clone(prep).fit_transform(train.drop(columns=BIGMART_TARGET))
    pd.testing.assert_frame_equal(with_target, without)
    assert clone(prep).get_params() == {"mode": "improved"}


def test_set_output_pandas(small) -> None:
    train, test = small
    prep = BigMartPreprocessor().set_output(transform="pandas").fit(train)
    out = prep.transform(test)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ARTICLE_COLUMNS
    default = BigMartPreprocessor().set_output(transform="default").fit(train).transform(test)
    pd.testing.assert_frame_equal(out, default)


# ----------------------------------------------------------------------------- improved steps
def test_weight_from_item(small) -> None:
    train, test = small
    prep = with_steps("weight_from_item")(mode="improved").fit(train)
    weights = train.dropna(subset=["Item_Weight"]).groupby("Item_Identifier")["Item_Weight"].first()
    out = prep.transform(test)
    missing = test["Item_Weight"].isna()
    known = missing & test["Item_Identifier"].isin(weights.index)
    assert known.sum() > 20
    expected = test.loc[known, "Item_Identifier"].map(weights)
    assert np.allclose(out.loc[known, "Item_Weight"], expected)
    unknown = missing & ~test["Item_Identifier"].isin(weights.index)
    assert np.allclose(out.loc[unknown, "Item_Weight"], train["Item_Weight"].mean())


def test_visibility_zero_as_missing_and_item_category(small) -> None:
    train, test = small
    prep = with_steps("visibility_zero_as_missing", "item_category")(mode="improved").fit(train)
    out = prep.transform(test)
    assert (test["Item_Visibility"] == 0).sum() > 5
    assert (out["Item_Visibility"] > 0).all()
    category = test["Item_Identifier"].str[:2].map({"FD": 0, "DR": 1, "NC": 2})
    assert (out["Item_Category"] == category).all()
    assert (out.loc[category == 2, "Item_Fat_Content"] == 2).all()
    assert (out.loc[category != 2, "Item_Fat_Content"] < 2).all()


def test_expected_sales_needs_y(small) -> None:
    train, _ = small
    prep = with_steps("expected_sales")(mode="improved")
    with pytest.raises(ValueError, match="needs y in fit"):
        prep.fit(train.drop(columns=BIGMART_TARGET))
    out = prep.fit_transform(train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET])
    rate = prep.outlet_units_["OUT027"]
    rows = train["Outlet_Identifier"] == "OUT027"
    assert np.allclose(out.loc[rows, "Expected_Sales"], train.loc[rows, "Item_MRP"] * rate)


# ----------------------------------------------------------------------------- errors
def test_errors_name_the_problem(small) -> None:
    train, _ = small
    with pytest.raises(TypeError, match="expects a pandas DataFrame .* got ndarray"):
        BigMartPreprocessor().fit(train.to_numpy())
    bad = train.drop(columns=["Item_MRP"]).assign(Shelf="A")
    with pytest.raises(
        ValueError, match=r"missing columns \['Item_MRP'\]; unexpected columns \['Shelf'\]"
    ):
        BigMartPreprocessor().fit(bad)
    with pytest.raises(ValueError, match="The 'mode' parameter of BigMartPreprocessor must be"):
        BigMartPreprocessor(mode="kaggle").fit(train)
    with pytest.raises(ValueError, match="Item_Weight is missing in every row given to fit"):
        BigMartPreprocessor().fit(train.assign(Item_Weight=np.nan))
    # "improved" does not use the weight, so a table without any weight is fine.
    BigMartPreprocessor(mode="improved").fit(train.assign(Item_Weight=np.nan))
    prep = BigMartPreprocessor().fit(train)
    with pytest.raises(ValueError, match=r"missing columns \['Outlet_Type'\]"):
        prep.transform(train.drop(columns="Outlet_Type"))


# ----------------------------------------------------------------------------- with pseudoboost
@pytest.mark.parametrize("mode", ["article", "improved"])
def test_inside_pseudo_label_regressor_under_cross_val_score(small, mode) -> None:
    train, test = small
    X, y = train.drop(columns=BIGMART_TARGET), train[BIGMART_TARGET]
    pipeline = make_pipeline(BigMartPreprocessor(mode=mode), Ridge())
    cv = KFold(n_splits=3)
    supervised = cross_val_score(pipeline, X, y, cv=cv, scoring="neg_root_mean_squared_error")
    pseudo = PseudoLabelRegressor(pipeline, unlabeled=test, sample_rate=0.0, random_state=0)
    same = cross_val_score(pseudo, X, y, cv=cv, scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(same, supervised)  # sample_rate=0 is the supervised fit
    pseudo.set_params(sample_rate=0.2)
    scores = cross_val_score(pseudo, X, y, cv=cv, scoring="neg_root_mean_squared_error")
    assert np.all(np.isfinite(scores))
    # Price times the outlet explains most of the sales: far better than predicting the mean.
    assert -scores.mean() < 0.85 * y.std()
    fitted = pseudo.fit(X, y)
    assert fitted.n_pseudo_ == round(0.2 * len(test))


def test_pipeline_with_unlabelled_rows_marked_nan(small) -> None:
    train, test = small
    X = pd.concat([train.drop(columns=BIGMART_TARGET), test], ignore_index=True)
    y = np.r_[train[BIGMART_TARGET].to_numpy(), np.full(len(test), np.nan)]
    model = make_pipeline(
        BigMartPreprocessor(), PseudoLabelRegressor(Ridge(), sample_rate=0.5, random_state=0)
    ).fit(X, y)
    assert model[-1].n_pool_ == len(test)
    assert model[-1].n_pseudo_ == round(0.5 * len(test))
    assert model.predict(test).shape == (len(test),)
