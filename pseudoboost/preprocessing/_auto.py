"""``AutoPreprocessor``: make any Kaggle-like table usable by any model in the zoo.

The column work is scikit-learn's: a :class:`~sklearn.compose.ColumnTransformer` of
:class:`~sklearn.impute.SimpleImputer`, :class:`~sklearn.impute.MissingIndicator` and
:class:`~sklearn.preprocessing.OrdinalEncoder` / :class:`~sklearn.preprocessing.OneHotEncoder`
pipelines. This module keeps only the project's own rules, as small functions: which columns
are dropped (:func:`_column_kind`), which count as numbers (:func:`_as_numeric`) and which
encoding suits which models (:meth:`AutoPreprocessor.for_models`).
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder
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
      as a number) keep their values; a missing value (or, in ``transform``, a text that is
      not a number) gets the column's median in ``fit``, and, with ``add_indicator``, a
      ``<column>__missing`` 0/1 column records that it was missing (only for columns with
      missing values in ``fit``).
    - **Categorical** columns (any other dtype) are read as text; a missing value is its
      own category, ``"__missing__"``. ``encoding="ordinal"`` gives each category seen in
      ``fit`` a code 0..k-1 in sorted order (int64) and codes a category never seen in
      ``fit`` as -1; ``encoding="onehot"`` makes one 0/1 column ``<column>=<category>``
      per category, in sorted order. A column with ``max_categories`` categories or more
      keeps its ``max_categories - 1`` most frequent ones and puts the rest, and any
      category never seen in ``fit``, in one ``<column>=__other__`` column (scikit-learn's
      infrequent categories); with fewer, a category never seen in ``fit`` is all zeros.
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
        ``encoding="onehot"`` only: at most this many columns per categorical column,
        the ``__other__`` column included.
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
        Median of each numeric column in ``fit``.
    categories_ : dict of str to list of str
        ``encoding="ordinal"``: each categorical column's categories in code order.
        ``encoding="onehot"``: the categories that get their own column.
    column_transformer_ : ColumnTransformer
        The fitted scikit-learn transformer doing the work, with pandas output; its
        transformers are ``"numeric"``, ``"categorical"`` and ``"missing"``.

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
        forests, scikit-learn boosting) get ordinal codes; if any other model is among
        ``models`` (linear models, k-nearest neighbours, a model of one's own), every
        category gets one-hot columns.

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
        if len(frame) == 0:
            raise ValueError("AutoPreprocessor needs at least one row to fit.")
        kinds = {
            column: _column_kind(column, frame[column], drop_id_like=self.drop_id_like)
            for column in frame.columns
        }
        self.numeric_columns_ = [c for c, kind in kinds.items() if kind == "numeric"]
        self.categorical_columns_ = [c for c, kind in kinds.items() if kind == "categorical"]
        self.dropped_columns_ = {
            c: kind for c, kind in kinds.items() if kind not in ("numeric", "categorical")
        }
        with_gaps = [c for c in self.numeric_columns_ if _as_numeric(frame[c]).isna().any()]
        self.column_transformer_ = self._column_transformer(
            with_gaps if self.add_indicator else []
        ).fit(frame)
        steps = self.column_transformer_.named_transformers_
        medians = getattr(steps["numeric"][-1], "statistics_", [])
        self.fill_values_ = dict(zip(self.numeric_columns_, map(float, medians), strict=True))
        self.categories_ = _kept_categories(self.categorical_columns_, steps["categorical"][-1])
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
        check_is_fitted(self, "column_transformer_")
        return self.column_transformer_.transform(self._as_frame(X, reset=False))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, in order."""
        check_is_fitted(self, "column_transformer_")
        return self.column_transformer_.get_feature_names_out()

    def _column_transformer(self, with_indicator: list[str]) -> ColumnTransformer:
        """Unfitted scikit-learn pipelines for the column lists decided in ``fit``."""
        if self.encoding == "ordinal":
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value", unknown_value=-1, dtype=np.int64
            )
        else:
            encoder = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=self.max_categories,
                sparse_output=False,
                feature_name_combiner=_onehot_name,
            )
        numbers = FunctionTransformer(_numeric_frame, feature_names_out="one-to-one")
        text = FunctionTransformer(_text_frame, feature_names_out="one-to-one")
        flags = FunctionTransformer(_int_frame, feature_names_out=_indicator_names)
        return ColumnTransformer(
            [
                (
                    "numeric",
                    make_pipeline(numbers, SimpleImputer(strategy="median")),
                    self.numeric_columns_,
                ),
                (
                    "categorical",
                    make_pipeline(
                        text, SimpleImputer(strategy="constant", fill_value=MISSING), encoder
                    ),
                    self.categorical_columns_,
                ),
                (
                    "missing",
                    make_pipeline(numbers, MissingIndicator(features="all"), flags),
                    with_indicator,
                ),
            ],
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")

    def _as_frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            frame = X
        else:
            array = np.asarray(X, dtype=object) if not hasattr(X, "shape") else X
            if np.ndim(array) != 2:
                raise ValueError(f"Expected a 2-D table, got an array of shape {np.shape(array)}.")
            frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(np.shape(array)[1])])
        columns = [str(column) for column in frame.columns]
        frame = frame.set_axis(columns, axis=1)
        if reset:
            self.n_features_in_ = len(columns)
            if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
                self.feature_names_in_ = np.asarray(columns, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            self._columns = columns
            return frame
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
        return frame[self._columns]


# ----------------------------------------------------------------------------- the own rules
def _column_kind(column: str, values: pd.Series, *, drop_id_like: bool = True) -> str:
    """``"numeric"``, ``"categorical"``, or why the column is dropped.

    A column is ``"empty"`` with no value, ``"constant"`` with a single value and no gaps,
    ``"id-like"`` (only with ``drop_id_like`` and at least two rows) by :func:`_is_id_like`,
    ``"numeric"`` when :func:`_is_numeric`, and ``"categorical"`` otherwise.
    """
    n_present = int(values.notna().sum())
    if n_present == 0:
        return "empty"
    if n_present == len(values) and values.nunique(dropna=True) == 1:
        return "constant"
    numeric = _is_numeric(values)
    if drop_id_like and len(values) > 1 and _is_id_like(column, values, numeric=numeric):
        return "id-like"
    return "numeric" if numeric else "categorical"


def _is_numeric(values: pd.Series) -> bool:
    """Numbers, booleans and dates, or text whose every present value parses as a number."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return True
    if isinstance(dtype, pd.CategoricalDtype):
        return False
    present = values.notna()
    return bool(present.any() and _as_numeric(values)[present].notna().all())


def _as_numeric(values: pd.Series) -> pd.Series:
    """``values`` as float64: dates as days since 1970, text that is not a number as NaN."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return (naive - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float)
    return pd.to_numeric(values.astype(object), errors="coerce").astype(float)


def _is_id_like(column: str, values: pd.Series, *, numeric: bool) -> bool:
    """A different value on every row: text codes, or integers whose name says id."""
    if values.isna().any() or values.nunique(dropna=True) != len(values):
        return False
    if not numeric:
        return True
    integral = bool(np.all(np.mod(_as_numeric(values).to_numpy(), 1) == 0))
    lowered = column.lower()
    named_id = (
        lowered == "id"
        or lowered.endswith(("id", "_id", "identifier"))
        or lowered.startswith(("id_", "unnamed:"))  # "Unnamed: 0": a saved pandas index
    )
    return integral and named_id


# ----------------------------------------------------------------------------- glue for sklearn
def _numeric_frame(X: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _as_numeric(X[c]) for c in X.columns}, index=X.index)


def _text_frame(X: pd.DataFrame) -> pd.DataFrame:
    """Every present value as its text (so 1 and "1" are one category); gaps as NaN."""
    return pd.DataFrame({c: _as_text(X[c]) for c in X.columns}, index=X.index, dtype=object)


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype(str).astype(object)
    return text.where(values.notna(), np.nan)


def _int_frame(X: pd.DataFrame) -> pd.DataFrame:
    return X.astype(np.int64)


def _indicator_names(transformer: Any, input_features: Any) -> list[str]:
    """``size__missing`` for MissingIndicator's ``missingindicator_size``."""
    return [f"{name.removeprefix('missingindicator_')}__missing" for name in input_features]


def _onehot_name(column: str, category: Any) -> str:
    return f"{column}={OTHER if category == 'infrequent_sklearn' else category}"


def _kept_categories(columns: list[str], encoder: Any) -> dict[str, list[str]]:
    """Each column's categories with an own output: all but the infrequent ones."""
    if not columns:
        return {}
    # OrdinalEncoder without max_categories has no infrequent_categories_.
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))
    kept = {}
    for column, categories, rare in zip(columns, encoder.categories_, infrequent, strict=True):
        kept[column] = [str(c) for c in categories if rare is None or c not in rare]
    return kept
