"""The Big Mart Sales schema: column names, kinds and the check shared by loader and generator."""

from __future__ import annotations

import pandas as pd

BIGMART_TARGET = "Item_Outlet_Sales"
"""Name of the target column (sales of one item in one outlet, in the file's currency)."""

BIGMART_ID_COLUMNS = ("Item_Identifier", "Outlet_Identifier")
"""Identifier columns: one product code and one store code per row."""

BIGMART_FEATURES = (
    "Item_Identifier",
    "Item_Weight",
    "Item_Fat_Content",
    "Item_Visibility",
    "Item_Type",
    "Item_MRP",
    "Outlet_Identifier",
    "Outlet_Establishment_Year",
    "Outlet_Size",
    "Outlet_Location_Type",
    "Outlet_Type",
)
"""The eleven feature columns of train.csv and test.csv, in file order."""

BIGMART_NUMERIC_COLUMNS = (
    "Item_Weight",
    "Item_Visibility",
    "Item_MRP",
    "Outlet_Establishment_Year",
)
"""Feature columns that must be numeric; every other feature column holds text."""


def check_bigmart_frame(frame: pd.DataFrame, *, with_target: bool, name: str = "data") -> None:
    """Raise a ``ValueError`` naming every problem with a Big Mart table's schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to check.
    with_target : bool
        Whether ``frame`` must hold the target column (train) or must not (test).
    name : str, default="data"
        How the table is named in the error message (for example the file's path).

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If columns are missing or unexpected, a numeric column holds text, a text column
        holds numbers, or the target has missing values.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}.")
    expected = list(BIGMART_FEATURES) + ([BIGMART_TARGET] if with_target else [])
    missing = [column for column in expected if column not in frame.columns]
    unexpected = [column for column in frame.columns if column not in expected]
    problems = []
    if missing:
        problems.append(f"missing columns {missing}")
    if unexpected:
        problems.append(f"unexpected columns {[str(column) for column in unexpected]}")
    if problems:
        raise ValueError(
            f"{name} is not a Big Mart table: {'; '.join(problems)}. "
            f"Expected exactly these columns: {expected}."
        )
    numeric = list(BIGMART_NUMERIC_COLUMNS) + ([BIGMART_TARGET] if with_target else [])
    bad = [
        f"{column!r} should be numeric but has dtype {frame[column].dtype}"
        for column in numeric
        if not pd.api.types.is_numeric_dtype(frame[column])
        or pd.api.types.is_bool_dtype(frame[column])
    ]
    bad += [
        f"{column!r} should hold text but has dtype {frame[column].dtype}"
        for column in BIGMART_FEATURES
        if column not in BIGMART_NUMERIC_COLUMNS
        and not (
            pd.api.types.is_string_dtype(frame[column])
            or pd.api.types.is_object_dtype(frame[column])
            or isinstance(frame[column].dtype, pd.CategoricalDtype)
        )
    ]
    if with_target and frame[BIGMART_TARGET].isna().any():
        bad.append(
            f"{BIGMART_TARGET!r} has {int(frame[BIGMART_TARGET].isna().sum())} missing values"
        )
    if bad:
        raise ValueError(f"{name} has wrong dtypes or values: {'; '.join(bad)}.")
