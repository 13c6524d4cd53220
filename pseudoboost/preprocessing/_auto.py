"""``AutoPreprocessor``: make any Kaggle-like table usable by any model in the zoo."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from pseudoboost.models import tree_models

MISSING = "__missing__"
OTHER = "__other__"


class AutoPreprocessor(TransformerMixin, BaseEstimator):
    """Detect numeric and categorical columns, fill gaps, drop ids and encode categories.

    Everything is learned from the rows given to ``fit`` and only applied by
    ``transform``, so the transformer can sit inside cross-validation and inside a
    pseudo-labelling estimator whose pool is a raw test file.

    - **Numeric** columns (numbers and booleans, and text columns whose every value parses
      as a number) keep their values; a missing value gets the column's median in ``fit``,
      and, with ``add_indicator``, a ``<column>__missing`` 0/1 column records that it was
      missing (only for columns with missing values in ``fit``).
    - **Categorical** columns (any other dtype) are read as text; a missing value is its
      own category. ``encoding="ordinal"`` gives each category seen in ``fit`` a code
      0..k-1 in sorted order (int64) and codes a category never seen in ``fit`` as -1;
      ``encoding="onehot"`` makes one 0/1 column ``<column>=<category>`` for each of the
      ``max_categories - 1`` most frequent categories and one ``<column>=__other__``
      column for the rest and for categories never seen.
    - **Dropped** columns: id-like columns (a different value on every row, for text, or
      for integers named like an id: "id", a name ending in "id" or "identifier" or
      starting with "id_", or pandas' "Unnamed: 0" of a saved index), columns with a single
      value and no gaps, and columns with no value at all. :attr:`dropped_columns_` says why.

    Parameters
    ----------
    encoding : {"ordinal", "onehot"}, default="ordinal"
        How categories reach the model: codes for tree models, 0/1 columns for linear
        models and nearest neighbours. :meth:`for_models` picks it from model names.
    max_categories : int, default=20
        ``encoding="onehot"`` only: at most this many columns per categorical column.
    drop_id_like : bool, default=True
        Drop id-like columns (a different value on every row of ``fit``).
    add_indicator : bool, default=True
        Add a ``<column>__missing`` column for each numeric column with gaps in ``fit``.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns seen in ``fit`` (when they are all strings).
    numeric_columns_ : list of str
        Columns kept as numbers.
    categorical_columns_ : list of str
        Columns encoded as categories.
    dropped_columns_ : dict of str to str
        Each dropped column and why ("id-like", "constant", "empty").
    fill_values_ : dict of str to float
        Median of each numeric column in ``fit`` (0.0 when it had no value).
    categories_ : dict of str to list of str
        ``encoding="ordinal"``: each categorical column's categories in code order.
        ``encoding="onehot"``: the categories that get their own column.

    Examples
    --------
    >>> import pandas as pd
    >>> from pseudoboost.preprocessing import AutoPreprocessor
    >>> train = pd.DataFrame({"id": ["a", "b", "c"], "size": [1.0, None, 3.0],
    ...                       "colour": ["red", "blue", "red"]})
    >>> AutoPreprocessor().fit_transform(train)
       size  colour  size__missing
    0   1.0       1              0
    1   2.0       0              1
    2   3.0       1              0
    """

    _parameter_constraints: dict = {
        "encoding": [StrOptions({"ordinal", "onehot"})],
        "max_categories": [Interval(Integral, 2, None, closed="left")],
        "drop_id_like": ["boolean"],
        "add_indicator": ["boolean"],
    }

    def __init__(
        self,
        encoding: str = "ordinal",
        max_categories: int = 20,
        drop_id_like: bool = True,
        add_indicator: bool = True,
    ) -> None:
        self.encoding = encoding
        self.max_categories = max_categories
        self.drop_id_like = drop_id_like
        self.add_indicator = add_indicator

    @classmethod
    def for_models(cls, models: str | Iterable[str], **params: Any) -> AutoPreprocessor:
        """An ``AutoPreprocessor`` whose encoding suits every named model.

        Tree models (:func:`pseudoboost.models.tree_models`: LightGBM, XGBoost, CatBoost,
        forests, scikit-learn boosting) get ordinal codes; if any other model is among ``models`` (linear models, k-nearest
        neighbours, a model of one's own), every category gets one-hot columns.

        Parameters
        ----------
        models : str or iterable of str
            Registry names of the models the output will feed.
        **params : dict
            Other constructor parameters.

        Returns
        -------
        AutoPreprocessor

        Examples
        --------
        >>> AutoPreprocessor.for_models(["lightgbm", "ridge"]).encoding
        'onehot'
        """
        names = [models] if isinstance(models, str) else list(models)
        trees = set(tree_models())
        encoding = "ordinal" if names and all(name in trees for name in names) else "onehot"
        return cls(encoding=encoding, **params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> AutoPreprocessor:
        """Learn column kinds, fill values and categories from ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Raw features. Arrays get columns named ``x0``, ``x1``, ...
        y : None
            Ignored.

        Returns
        -------
        self : AutoPreprocessor
        """
        frame = self._as_frame(X, reset=True)
        n_rows = len(frame)
        if n_rows == 0:
            raise ValueError("AutoPreprocessor needs at least one row to fit.")
        self.numeric_columns_: list[str] = []
        self.categorical_columns_: list[str] = []
        self.dropped_columns_: dict[str, str] = {}
        self.fill_values_: dict[str, float] = {}
        self.categories_: dict[str, list[str]] = {}
        self._with_indicator: list[str] = []
        for column in frame.columns:
            values = frame[column]
            numeric = _as_numeric(values)
            n_present = int(values.notna().sum())
            n_unique = int(values.nunique(dropna=True))
            if n_present == 0:
                self.dropped_columns_[column] = "empty"
            elif n_unique == 1 and n_present == n_rows:
                self.dropped_columns_[column] = "constant"
            elif self.drop_id_like and n_rows > 1 and _is_id_like(column, values, numeric):
                self.dropped_columns_[column] = "id-like"
            elif numeric is not None:
                self.numeric_columns_.append(column)
                median = numeric.median()
                self.fill_values_[column] = 0.0 if pd.isna(median) else float(median)
                if self.add_indicator and numeric.isna().any():
                    self._with_indicator.append(column)
            else:
                self.categorical_columns_.append(column)
                text = _as_text(values)
                if self.encoding == "ordinal":
                    self.categories_[column] = sorted(text.unique().tolist())
                else:
                    counts = text.value_counts()
                    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                    keep = (
                        ranked
                        if len(ranked) <= self.max_categories
                        else ranked[: self.max_categories - 1]
                    )
                    self.categories_[column] = [str(value) for value, _ in keep]
        self._other = (
            {
                column: len(self.categories_[column]) < int(_as_text(frame[column]).nunique())
                for column in self.categorical_columns_
            }
            if self.encoding == "onehot"
            else {}
        )
        self.feature_names_out_ = np.asarray(self._output_names(), dtype=object)
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """Apply what ``fit`` learned.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Raw features with the columns seen in ``fit`` (extra columns are ignored).

        Returns
        -------
        DataFrame
            Numeric columns (float64), then categorical codes (int64) or one-hot columns
            (float64), then missing-value indicators (int64); the index of ``X``.
        """
        check_is_fitted(self, "feature_names_out_")
        frame = self._as_frame(X, reset=False)
        parts: dict[str, Any] = {}
        for column in self.numeric_columns_:
            numeric = _as_numeric(frame[column], strict=False)
            parts[column] = numeric.fillna(self.fill_values_[column]).to_numpy(dtype=float)
        for column in self.categorical_columns_:
            text = _as_text(frame[column])
            categories = self.categories_[column]
            if self.encoding == "ordinal":
                codes = pd.Index(categories).get_indexer(text)  # -1: never seen in fit
                parts[column] = codes.astype(np.int64)
            else:
                known = text.isin(categories).to_numpy()
                for value in categories:
                    parts[f"{column}={value}"] = (text == value).to_numpy(dtype=float)
                if self._other[column]:
                    parts[f"{column}={OTHER}"] = (~known).astype(float)
        for column in self._with_indicator:
            parts[f"{column}__missing"] = frame[column].isna().to_numpy(dtype=np.int64)
        out = pd.DataFrame(parts, index=frame.index, columns=list(parts))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, in order."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def _output_names(self) -> list[str]:
        names = list(self.numeric_columns_)
        for column in self.categorical_columns_:
            if self.encoding == "ordinal":
                names.append(column)
            else:
                names += [f"{column}={value}" for value in self.categories_[column]]
                if self._other[column]:
                    names.append(f"{column}={OTHER}")
        names += [f"{column}__missing" for column in self._with_indicator]
        return names

    def _as_frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            frame = X
        else:
            array = np.asarray(X, dtype=object) if not hasattr(X, "shape") else X
            if np.ndim(array) != 2:
                raise ValueError(f"Expected a 2-D table, got an array of shape {np.shape(array)}.")
            frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(np.shape(array)[1])])
        columns = [str(column) for column in frame.columns]
        if reset:
            self.n_features_in_ = len(columns)
            if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
                self.feature_names_in_ = np.asarray(columns, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            self._columns = columns
            return frame.set_axis(columns, axis=1)
        frame = frame.set_axis(columns, axis=1)
        if not isinstance(X, pd.DataFrame):
            if len(columns) != self.n_features_in_:
                raise ValueError(
                    f"X has {len(columns)} features, but AutoPreprocessor was fitted with "
                    f"{self.n_features_in_}."
                )
            return frame
        missing = [column for column in self._columns if column not in frame.columns]
        if missing:
            raise ValueError(f"X lacks columns seen in fit: {missing}.")
        return frame


def _as_numeric(values: pd.Series, strict: bool = True) -> pd.Series | None:
    """``values`` as float64 if it is numeric (or text that is all numbers), else None."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values):
        naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return (naive - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
    if isinstance(values.dtype, pd.CategoricalDtype):
        return None if strict else pd.to_numeric(values.astype(object), errors="coerce")
    converted = pd.to_numeric(values, errors="coerce")
    if not strict:
        return converted.astype(float)
    present = values.notna()
    if present.any() and converted[present].notna().all():
        return converted.astype(float)
    return None


def _as_text(values: pd.Series) -> pd.Series:
    """``values`` as strings with missing values as their own category."""
    return values.astype(object).where(values.notna(), MISSING).astype(str)


def _is_id_like(column: str, values: pd.Series, numeric: pd.Series | None) -> bool:
    """A different value on every row: text codes, or integers whose name says id."""
    if values.isna().any() or values.nunique(dropna=True) != len(values):
        return False
    if numeric is None:
        return True
    integral = bool(np.all(np.mod(numeric.to_numpy(), 1) == 0))
    lowered = column.lower()
    named_id = (
        lowered == "id"
        or lowered.endswith(("id", "_id", "identifier"))
        or lowered.startswith(("id_", "unnamed:"))  # "Unnamed: 0": a saved pandas index
    )
    return integral and named_id
