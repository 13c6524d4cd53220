"""Cloning estimators that hold a large, read-only ``unlabeled`` parameter."""

from __future__ import annotations

import copy
from typing import Any

from sklearn.base import clone


class SharedUnlabeledMixin:
    """Make :func:`sklearn.base.clone` share ``unlabeled`` instead of deep-copying it.

    scikit-learn's ``clone`` deep-copies every parameter that is not an estimator, which would
    copy a large unlabelled pool (a competition's test table, a folder of images) once per
    cross-validation fold and per search candidate. The pool is only ever read, so clones
    share it; every other parameter is cloned as ``clone`` does, and metadata requests
    (``set_fit_request``, ``set_score_request``) are kept, as ``clone`` keeps them. Put the
    mixin before ``BaseEstimator`` among the bases.
    """

    def __sklearn_clone__(self) -> Any:
        params = self.get_params(deep=False)  # type: ignore[attr-defined]
        pool = params.pop("unlabeled")
        params = {name: clone(value, safe=False) for name, value in params.items()}
        new = type(self)(**params, unlabeled=pool)
        if hasattr(self, "_metadata_request"):
            new._metadata_request = copy.deepcopy(self._metadata_request)
        return new
