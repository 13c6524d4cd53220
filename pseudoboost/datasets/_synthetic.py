"""A generated Big Mart look-alike: the real schema and mess, a learnable target, no files."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from pseudoboost.datasets._schema import BIGMART_FEATURES, BIGMART_TARGET

# The ten outlets of the real files: identifier, establishment year, size (None = missing in
# the files), location tier, type, share of all items stocked, mean units sold per row, the
# spread (coefficient of variation) of units sold, and whether the files leave Item_Weight
# blank for every row of that outlet (they do for OUT019 and OUT027).
_OUTLETS = (
    ("OUT010", 1998, None, "Tier 3", "Grocery Store", 0.593, 2.38, 0.55, False),
    ("OUT013", 1987, "High", "Tier 3", "Supermarket Type1", 0.996, 16.0, 0.42, False),
    ("OUT017", 2007, None, "Tier 2", "Supermarket Type1", 0.990, 16.7, 0.40, False),
    ("OUT018", 2009, "Medium", "Tier 3", "Supermarket Type2", 0.992, 13.9, 0.44, False),
    ("OUT019", 1985, "Small", "Tier 1", "Grocery Store", 0.564, 2.44, 0.54, True),
    ("OUT027", 1985, "Medium", "Tier 3", "Supermarket Type3", 1.000, 26.6, 0.34, True),
    ("OUT035", 2004, "Small", "Tier 2", "Supermarket Type1", 0.994, 17.0, 0.40, False),
    ("OUT045", 2002, None, "Tier 2", "Supermarket Type1", 0.993, 15.6, 0.42, False),
    ("OUT046", 1997, "Small", "Tier 1", "Supermarket Type1", 0.994, 16.2, 0.42, False),
    ("OUT049", 1999, "Medium", "Tier 1", "Supermarket Type1", 0.994, 16.6, 0.40, False),
)

# Item families (the identifier's first two letters), their share of the catalogue and the
# item types each family holds, with the types' shares, as in the real files.
_FAMILIES = {
    "FD": (
        0.718,
        {
            "Fruits and Vegetables": 220,
            "Snack Foods": 220,
            "Frozen Foods": 155,
            "Canned": 120,
            "Baking Goods": 119,
            "Dairy": 100,
            "Meat": 80,
            "Breads": 45,
            "Starchy Foods": 30,
            "Breakfast": 20,
            "Seafood": 10,
        },
    ),
    "DR": (0.093, {"Soft Drinks": 80, "Hard Drinks": 40, "Dairy": 25}),
    "NC": (0.189, {"Household": 170, "Health and Hygiene": 95, "Others": 30}),
}
# Share of "Low Fat" items per family (non-consumables are all labelled "Low Fat").
_LOW_FAT_SHARE = {"FD": 0.52, "DR": 0.917, "NC": 1.0}
# Item_MRP comes in four price bands separated by gaps, with these shares of items.
_MRP_BANDS = (
    (31.29, 68.0, 0.155),
    (75.0, 135.0, 0.329),
    (141.0, 202.0, 0.347),
    (208.0, 266.89, 0.169),
)
_ROWS_PER_ITEM = 14204 / 1559  # real rows (train + test) per distinct item


def make_bigmart_like(
    n_train: int = 8523,
    n_test: int = 5681,
    random_state: int | np.random.RandomState | None = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a table with Big Mart Sales' schema, mess and kind of signal.

    Every row is one item in one of the ten real outlets. The mess of the real files is
    reproduced: ``Item_Fat_Content`` spelt five ways ("Low Fat", "LF", "low fat",
    "Regular", "reg"), ``Item_Weight`` blank for every row of outlets OUT019 and OUT027,
    ``Outlet_Size`` blank for OUT010, OUT017 and OUT045, and about 6% of
    ``Item_Visibility`` equal to zero. Each item has one weight, type and fat content
    across outlets, its price varies by about 1% between outlets, and each item is stocked
    at most once per outlet, as in the real files.

    The target is ``Item_MRP`` times the units sold, where the units depend on the
    outlet (grocery stores sell about 2.4 units, the Type3 supermarket about 27), on a small
    per-item popularity effect and on Gamma noise with about the real files' spread
    (coefficient of variation about 0.42). Models therefore reach about the real files' error: a
    boosted-tree model scores a cross-validated RMSE near 1100 against a target standard
    deviation near 1700.

    Parameters
    ----------
    n_train : int, default=8523
        Number of labelled rows (the real train.csv has 8523).
    n_test : int, default=5681
        Number of unlabelled rows (the real test.csv has 5681).
    random_state : int, RandomState instance or None, default=0
        Seed of the generator; the same seed gives the same tables.

    Returns
    -------
    train : pandas.DataFrame
        ``n_train`` rows: the 11 feature columns and ``Item_Outlet_Sales``.
    test : pandas.DataFrame
        ``n_test`` rows: the 11 feature columns.

    See Also
    --------
    load_bigmart : Read the real files.

    Examples
    --------
    >>> from pseudoboost.datasets import make_bigmart_like
    >>> train, test = make_bigmart_like(n_train=500, n_test=200, random_state=0)
    >>> train.shape, test.shape
    ((500, 12), (200, 11))
    >>> sorted(train["Item_Fat_Content"].unique())
    ['LF', 'Low Fat', 'Regular', 'low fat', 'reg']
    """
    for name, value, low in (("n_train", n_train, 1), ("n_test", n_test, 0)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    rng = check_random_state(random_state)
    n_total = int(n_train) + int(n_test)
    n_items = max(2, int(np.ceil(n_total / _ROWS_PER_ITEM)))
    items = _make_items(n_items, rng)

    # Rows: each outlet stocks a share of the catalogue, each item at most once.
    coverage = np.array([outlet[5] for outlet in _OUTLETS])
    wanted = coverage * n_total / coverage.sum()
    counts = np.minimum(np.floor(wanted).astype(int), n_items)
    order = np.argsort(wanted - counts)[::-1]
    for index in order[: n_total - counts.sum()]:
        counts[index] += 1
    outlet_index = np.repeat(np.arange(len(_OUTLETS)), counts)
    item_index = np.concatenate([rng.permutation(n_items)[:count] for count in counts])
    shuffle = rng.permutation(n_total)
    outlet_index, item_index = outlet_index[shuffle], item_index[shuffle]

    outlets = list(zip(*_OUTLETS, strict=True))
    grocery = np.array([kind == "Grocery Store" for kind in outlets[4]])[outlet_index]

    weight = items["weight"][item_index].copy()
    weight[np.array(outlets[8])[outlet_index]] = np.nan

    low_fat = items["low_fat"][item_index]
    spelling = rng.random(n_total)
    fat = np.where(
        low_fat,
        np.select([spelling < 0.057, spelling < 0.076], ["LF", "low fat"], "Low Fat"),
        np.where(spelling < 0.039, "reg", "Regular"),
    )

    visibility = items["visibility"][item_index] * rng.lognormal(0.0, 0.25, n_total)
    visibility = np.round(np.clip(np.where(grocery, 1.7 * visibility, visibility), 0.0, 0.33), 9)
    visibility[rng.random(n_total) < 0.062] = 0.0

    mrp = np.round(items["mrp"][item_index] * (1.0 + rng.normal(0.0, 0.011, n_total)), 4)

    units_mean = np.array(outlets[6])[outlet_index]
    shape = 1.0 / np.array(outlets[7])[outlet_index] ** 2
    units = units_mean * items["popularity"][item_index] * rng.gamma(shape, 1.0 / shape)
    sales = np.round(mrp * np.maximum(units, 0.5), 4)

    size = np.array([np.nan if s is None else s for s in outlets[2]], dtype=object)
    frame = pd.DataFrame(
        {
            "Item_Identifier": items["identifier"][item_index],
            "Item_Weight": weight,
            "Item_Fat_Content": fat,
            "Item_Visibility": visibility,
            "Item_Type": items["type"][item_index],
            "Item_MRP": mrp,
            "Outlet_Identifier": np.array(outlets[0])[outlet_index],
            "Outlet_Establishment_Year": np.array(outlets[1], dtype=np.int64)[outlet_index],
            "Outlet_Size": size[outlet_index],
            "Outlet_Location_Type": np.array(outlets[3])[outlet_index],
            "Outlet_Type": np.array(outlets[4])[outlet_index],
            BIGMART_TARGET: sales,
        }
    )
    train = frame.iloc[:n_train].reset_index(drop=True)
    test = frame.iloc[n_train:, : len(BIGMART_FEATURES)].reset_index(drop=True)
    return train, test


def _make_items(n_items: int, rng: np.random.RandomState) -> dict[str, np.ndarray]:
    """Draw the item catalogue: identifier, type, weight, fat, price, visibility, popularity."""
    names = list(_FAMILIES)
    shares = np.array([_FAMILIES[name][0] for name in names])
    family_index = rng.choice(len(names), size=n_items, p=shares / shares.sum())
    identifiers = np.empty(n_items, dtype=object)
    types = np.empty(n_items, dtype=object)
    low_fat = np.zeros(n_items, dtype=bool)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    for position, name in enumerate(names):
        members = np.flatnonzero(family_index == position)
        if members.size == 0:
            continue
        # Codes look like FDA15: family, a letter, a number (1-60 in the real files).
        top = 60 if members.size <= 26 * 60 else int(np.ceil(members.size / 26)) + 1
        width = max(2, len(str(top)))
        codes = rng.choice(26 * top, size=members.size, replace=False)
        identifiers[members] = [
            f"{name}{letters[code % 26]}{code // 26 + 1:0{width}d}" for code in codes
        ]
        type_counts = _FAMILIES[name][1]
        type_names = list(type_counts)
        type_shares = np.array([type_counts[t] for t in type_names], dtype=float)
        types[members] = np.array(type_names, dtype=object)[
            rng.choice(len(type_names), size=members.size, p=type_shares / type_shares.sum())
        ]
        low_fat[members] = rng.random(members.size) < _LOW_FAT_SHARE[name]
    band_shares = np.array([band[2] for band in _MRP_BANDS])
    band = rng.choice(len(_MRP_BANDS), size=n_items, p=band_shares / band_shares.sum())
    lows = np.array([b[0] for b in _MRP_BANDS])[band]
    highs = np.array([b[1] for b in _MRP_BANDS])[band]
    popularity = rng.lognormal(0.0, 0.12, n_items)
    return {
        "identifier": identifiers.astype(str),
        "type": types.astype(str),
        "weight": np.round(np.round(rng.uniform(4.555, 21.35, n_items) / 0.005) * 0.005, 3),
        "low_fat": low_fat,
        "mrp": rng.uniform(lows, highs),
        "visibility": np.clip(rng.gamma(2.2, 0.03, n_items), 0.004, 0.21),
        "popularity": popularity / popularity.mean(),
    }
