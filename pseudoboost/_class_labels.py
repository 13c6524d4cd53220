"""Class labels as integer codes: any labels in, ``0..k-1`` out, ``-1`` for unlabelled rows.

XGBoost and friends only take ``0..k-1`` class codes, and the pseudo-labelling estimators
mark an unlabelled row with ``-1``. :func:`encode_labels` turns a classification target of
any labels (text, booleans, numbers) into those codes once, and
:class:`LabelEncodedClassifier` does it around any classifier, so that predictions come back
in the user's labels.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from pseudoboost.pseudo_label._targets import UNLABELED


def is_unlabeled(value: Any) -> bool:
    """Whether one target marks an unlabelled row: ``None``, NaN, ``pd.NA`` or the number -1."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return False
    return bool(np.isnan(value)) or value == UNLABELED


def unlabeled_labels(y: Any) -> np.ndarray:
    """Boolean mask of the unlabelled rows of a classification target (see :func:`is_unlabeled`).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels of any type.

    Returns
    -------
    ndarray of bool, shape (n_samples,)
    """
    y = _as_1d(y)
    if y.dtype.kind in "iu":
        return y == UNLABELED
    if y.dtype.kind == "f":
        return np.isnan(y) | (y == UNLABELED)
    if y.dtype.kind == "O":
        return np.fromiter((is_unlabeled(v) for v in y), dtype=bool, count=y.shape[0])
    return np.zeros(y.shape[0], dtype=bool)  # text, booleans: every row is labelled


def encode_labels(y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer class codes ``0..k-1`` of a classification target, and the class of each code.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels: text, booleans, integers or whole-number floats. ``None``, NaN,
        ``pd.NA`` and the number ``-1`` mark unlabelled rows.

    Returns
    -------
    codes : ndarray of int64, shape (n_samples,)
        The position of each row's label in ``classes``; ``-1`` for unlabelled rows.
    classes : ndarray of shape (n_classes,)
        The labels of the labelled rows, sorted (numbers by value, text alphabetically;
        mixed types by type name first). ``classes[codes[i]]`` is row ``i``'s label.

    Examples
    --------
    >>> from pseudoboost._class_labels import encode_labels
    >>> codes, classes = encode_labels(["b", "a", None, "b"])
    >>> codes.tolist(), classes.tolist()
    ([1, 0, -1, 1], ['a', 'b'])
    """
    y = _as_1d(y)
    unlabeled = unlabeled_labels(y)
    labelled = y[~unlabeled]
    try:
        classes = np.unique(labelled)
    except TypeError:  # mixed types that do not compare, e.g. 1 and "a"
        unique = list(dict.fromkeys(labelled.tolist()))
        classes = np.asarray(
            sorted(unique, key=lambda v: (type(v).__name__, v)),
            dtype=object,
        )
    codes = np.full(y.shape[0], UNLABELED, dtype=np.int64)
    if classes.dtype.kind == "O":
        lookup = {label: code for code, label in enumerate(classes.tolist())}
        codes[~unlabeled] = [lookup[label] for label in labelled.tolist()]
    else:
        codes[~unlabeled] = np.searchsorted(classes, labelled)
    return codes, classes


def decode_labels(codes: Any, classes: Any) -> np.ndarray:
    """The labels of integer class codes (the inverse of :func:`encode_labels`).

    Parameters
    ----------
    codes : array-like of int, shape (n_samples,)
        Codes in ``0..k-1``.
    classes : array-like of shape (n_classes,)
        ``encode_labels``'s second result.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return np.asarray(classes)[np.asarray(codes).astype(np.int64)]


def _as_1d(y: Any) -> np.ndarray:
    if isinstance(y, (pd.Series, pd.Index)):
        y = y.to_numpy()
    y = np.asarray(y)
    return y.ravel() if y.ndim != 1 else y


def _inner_has(attribute: str) -> Any:
    def check(self: LabelEncodedClassifier) -> bool:
        inner = getattr(self, "estimator_", self.estimator)
        return hasattr(inner, attribute)

    return check


class LabelEncodedClassifier(ClassifierMixin, BaseEstimator):
    """Fit a classifier on integer class codes, predict in the original labels.

    For classifiers that only take ``0..k-1`` codes (XGBoost) and for the pseudo-labelling
    estimators, which read ``-1`` as "unlabelled": ``fit`` encodes ``y`` with
    :func:`encode_labels` (``None``, NaN and ``-1`` become ``-1``), fits a clone of
    ``estimator`` on the codes, and ``predict`` turns codes back into labels.
    ``predict_proba`` columns follow ``classes_``.

    Parameters
    ----------
    estimator : classifier
        Fitted on the codes; a ``PseudoLabelClassifier`` sees the unlabelled rows as ``-1``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone.
    classes_ : ndarray of shape (n_classes,)
        The original labels, in code order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from pseudoboost._class_labels import LabelEncodedClassifier
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = LabelEncodedClassifier(LogisticRegression()).fit(X, ["no", "no", "yes", "yes"])
    >>> model.predict([[0.2], [2.8]]).tolist()
    ['no', 'yes']
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LabelEncodedClassifier:
        """Encode ``y`` and fit a clone of ``estimator`` on the codes.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Labels; ``None``, NaN and ``-1`` mark unlabelled rows.
        **fit_params : dict
            Passed to the inner ``fit``.

        Returns
        -------
        self : LabelEncodedClassifier
        """
        codes, self.classes_ = encode_labels(y)
        self.estimator_ = clone(self.estimator).fit(X, codes, **fit_params)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels (from ``classes_``)."""
        check_is_fitted(self)
        return decode_labels(self.estimator_.predict(X), self.classes_)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The inner estimator's decision function."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)
