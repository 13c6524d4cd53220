"""Tests of load_bigmart, check_bigmart_frame and make_bigmart_like."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from pseudoboost.datasets import (
    BIGMART_FEATURES,
    BIGMART_ID_COLUMNS,
    BIGMART_NUMERIC_COLUMNS,
    BIGMART_TARGET,
    check_bigmart_frame,
    load_bigmart,
    make_bigmart_like,
)

TEXT_COLUMNS = [c for c in BIGMART_FEATURES if c not in BIGMART_NUMERIC_COLUMNS]


def _assert_schema(train: pd.DataFrame, test: pd.DataFrame) -> None:
    assert list(train.columns) == [*BIGMART_FEATURES, BIGMART_TARGET]
    assert list(test.columns) == list(BIGMART_FEATURES)
    for frame in (train, test):
        for column in ("Item_Weight", "Item_Visibility", "Item_MRP"):
            assert frame[column].dtype == np.float64
        assert frame["Outlet_Establishment_Year"].dtype == np.int64
        for column in TEXT_COLUMNS:
            assert pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object
    assert train[BIGMART_TARGET].dtype == np.float64


def test_constants() -> None:
    assert BIGMART_TARGET == "Item_Outlet_Sales"
    assert BIGMART_ID_COLUMNS == ("Item_Identifier", "Outlet_Identifier")
    assert len(BIGMART_FEATURES) == 11


# ----------------------------------------------------------------------------- real files
def test_load_bigmart_real_files(bigmart_dir) -> None:
    train, test = load_bigmart(bigmart_dir / "train.csv", bigmart_dir / "test.csv")
    assert train.shape == (8523, 12)
    assert test.shape == (5681, 11)
    _assert_schema(train, test)
    assert int(train["Item_Weight"].isna().sum()) == 1463
    assert int(train["Outlet_Size"].isna().sum()) == 2410


def test_load_bigmart_from_folder(bigmart_dir) -> None:
    train, test = load_bigmart(bigmart_dir)
    assert train.shape == (8523, 12) and test.shape == (5681, 11)


def test_load_bigmart_names_missing_and_unexpected_columns(tmp_path) -> None:
    train, test = make_bigmart_like(n_train=30, n_test=20)
    train.drop(columns=["Item_MRP"]).assign(Store_Manager="x").to_csv(
        tmp_path / "tr.csv", index=False
    )
    test.to_csv(tmp_path / "te.csv", index=False)
    with pytest.raises(
        ValueError, match=r"missing columns \['Item_MRP'\]; unexpected columns \['Store_Manager'\]"
    ):
        load_bigmart(tmp_path / "tr.csv", tmp_path / "te.csv")


def test_load_bigmart_test_file_with_target_is_rejected(tmp_path) -> None:
    train, _ = make_bigmart_like(n_train=30, n_test=0)
    train.to_csv(tmp_path / "train.csv", index=False)
    train.to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(
        ValueError,
        match=r"test.csv is not a Big Mart table: unexpected columns \['Item_Outlet_Sales'\]",
    ):
        load_bigmart(tmp_path)


def test_load_bigmart_wrong_dtype(tmp_path) -> None:
    train, test = make_bigmart_like(n_train=30, n_test=20)
    train.assign(Item_MRP="cheap").to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(ValueError, match=r"'Item_MRP' should be numeric but has dtype"):
        load_bigmart(tmp_path)


def test_load_bigmart_path_errors(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="Big Mart file not found"):
        load_bigmart(tmp_path)
    with pytest.raises(ValueError, match="test_path is required unless train_path is a folder"):
        load_bigmart(tmp_path / "train.csv")


def test_check_bigmart_frame_errors() -> None:
    train, _ = make_bigmart_like(n_train=20, n_test=0)
    check_bigmart_frame(train, with_target=True)
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got ndarray"):
        check_bigmart_frame(train.to_numpy(), with_target=True)
    with pytest.raises(ValueError, match=r"missing columns \['Item_Outlet_Sales'\]"):
        check_bigmart_frame(train.drop(columns=BIGMART_TARGET), with_target=True)
    bad = train.assign(Item_Type=1.0)
    with pytest.raises(ValueError, match="'Item_Type' should hold text but has dtype float64"):
        check_bigmart_frame(bad, with_target=True)
    with pytest.raises(ValueError, match="'Item_Outlet_Sales' has 1 missing values"):
        check_bigmart_frame(train.assign(Item_Outlet_Sales=[np.nan] + [1.0] * 19), with_target=True)


# ----------------------------------------------------------------------------- generated table
@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_bigmart_like()


def test_make_bigmart_like_schema_and_sizes(generated) -> None:
    train, test = generated
    assert train.shape == (8523, 12) and test.shape == (5681, 11)
    _assert_schema(train, test)
    check_bigmart_frame(train, with_target=True)
    check_bigmart_frame(test, with_target=False)
    small_train, small_test = make_bigmart_like(n_train=7, n_test=0, random_state=1)
    assert small_train.shape == (7, 12) and small_test.shape == (0, 11)


def test_make_bigmart_like_is_fast_and_seeded() -> None:
    start = time.process_time()  # CPU time: the sandbox's wall clock is shared with others
    first = make_bigmart_like(random_state=3)
    assert time.process_time() - start < 1.0
    second = make_bigmart_like(random_state=3)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    other = make_bigmart_like(random_state=4)
    assert not first[0][BIGMART_TARGET].equals(other[0][BIGMART_TARGET])


def test_make_bigmart_like_has_the_real_mess(generated) -> None:
    train, test = generated
    both = pd.concat([train, test], ignore_index=True)
    assert set(both["Item_Fat_Content"]) == {"Low Fat", "LF", "low fat", "Regular", "reg"}
    missing_weight = both.loc[both["Item_Weight"].isna(), "Outlet_Identifier"]
    assert set(missing_weight) == {"OUT019", "OUT027"}
    assert (
        both.loc[both["Outlet_Identifier"].isin(["OUT019", "OUT027"]), "Item_Weight"].isna().all()
    )
    missing_size = both.loc[both["Outlet_Size"].isna(), "Outlet_Identifier"]
    assert set(missing_size) == {"OUT010", "OUT017", "OUT045"}
    assert 0.04 < (both["Item_Visibility"] == 0).mean() < 0.085
    assert both["Outlet_Identifier"].nunique() == 10
    assert set(both["Item_Identifier"].str[:2]) == {"FD", "DR", "NC"}
    # Non-consumables are labelled low fat, as in the real files.
    nc_fat = both.loc[both["Item_Identifier"].str.startswith("NC"), "Item_Fat_Content"]
    assert set(nc_fat) <= {"Low Fat", "LF", "low fat"}


def test_make_bigmart_like_items_are_consistent(generated) -> None:
    both = pd.concat(generated, ignore_index=True)
    per_item = both.groupby("Item_Identifier")
    assert (per_item["Item_Weight"].nunique() <= 1).all()
    assert (per_item["Item_Type"].nunique() == 1).all()
    assert not both.duplicated(["Item_Identifier", "Outlet_Identifier"]).any()
    assert 1400 <= both["Item_Identifier"].nunique() <= 1700
    price_spread = per_item["Item_MRP"].std() / per_item["Item_MRP"].mean()
    assert price_spread.median() < 0.03


def test_make_bigmart_like_distributions_match_the_real_files(generated) -> None:
    train, _ = generated
    sales = train[BIGMART_TARGET]
    # Real train.csv: mean 2181, std 1706, all sales positive and right-skewed.
    assert 1900 < sales.mean() < 2450
    assert 1450 < sales.std() < 1950
    assert sales.min() > 0 and sales.skew() > 0.8
    assert 125 < train["Item_MRP"].mean() < 155
    assert 0.055 < train["Item_Visibility"].mean() < 0.08
    grocery = train["Outlet_Type"] == "Grocery Store"
    assert sales[grocery].mean() < 0.25 * sales[~grocery].mean()


def test_make_bigmart_like_target_is_learnable_but_noisy(generated) -> None:
    train, _ = generated
    rate = (
        train.groupby("Outlet_Identifier")[BIGMART_TARGET].sum()
        / train.groupby("Outlet_Identifier")["Item_MRP"].sum()
    )
    oracle = train["Item_MRP"] * train["Outlet_Identifier"].map(rate)
    rmse = float(np.sqrt(np.mean((train[BIGMART_TARGET] - oracle) ** 2)))
    std = float(train[BIGMART_TARGET].std())
    # Price times the outlet's volume explains most of the variance; the rest is noise,
    # as in the real files (best CV RMSE about 1080 against a std of 1706).
    assert 0.5 * std < rmse < 0.75 * std


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_train": 0}, "n_train must be an integer >= 1; got 0"),
        ({"n_test": -1}, "n_test must be an integer >= 0; got -1"),
        ({"n_train": 2.5}, "n_train must be an integer >= 1; got 2.5"),
    ],
)
def test_make_bigmart_like_rejects_bad_sizes(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        make_bigmart_like(**kwargs)
