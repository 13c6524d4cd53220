"""``SubmissionModel``: the fitted pipeline saved by ``pseudoboost tune``, ready to predict."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pseudoboost._extrapolation import Extrapolation, beyond_range

#: Packages whose types a ``.skops`` model file may hold without ``trusted=True``: the
#: libraries of the model zoo. Loading builds objects of these types from data (skops never
#: unpickles), so a file can name no other type or function unless the user trusts it.
SAFE_PACKAGES = frozenset(
    {"pseudoboost", "sklearn", "numpy", "scipy", "lightgbm", "xgboost", "catboost"}
)
SAFE_TYPES = frozenset({"collections.OrderedDict", "collections.defaultdict"})
SKOPS_SUFFIX = ".skops"
PICKLE_SUFFIX = ".joblib"


class SubmissionModel:
    """A fitted model with what it needs to turn a test table into a submission.

    ``pseudoboost tune`` saves one with :meth:`save` as ``model.skops`` (or, for a model
    skops cannot write, as the pickle ``model.joblib``); ``pseudoboost predict`` loads it.
    From Python: ``SubmissionModel.load("model.skops").predict(test_frame)``.

    Parameters
    ----------
    estimator : estimator
        The fitted pseudo-labelling pipeline (``TuneResult.best_estimator_``).
    target : str
        Name of the predicted column.
    features : list of str
        Raw feature columns the estimator expects, in order.
    id_columns : list of str
        Columns copied from the test table into the submission.
    task : {"regression", "classification"}
        The learning task.
    classes : list, default=None
        Classification: the label of each class code the estimator predicts.
    info : dict, default=None
        Best parameters, scores and versions, as in report.json.
    proba : bool, default=False
        Classification: submissions hold class probabilities (see :meth:`submission`)
        instead of labels, as metrics such as log-loss and ROC AUC need.
    feature_range : dict, default=None
        The labelled rows' (min, max) of each numeric feature
        (:func:`pseudoboost._extrapolation.feature_range`), for :meth:`extrapolation`.
    """

    # What models saved before these options existed read back as.
    proba = False
    feature_range: dict[str, tuple[float, float]] | None = None

    def __init__(
        self,
        estimator: Any,
        *,
        target: str,
        features: list[str],
        id_columns: list[str],
        task: str,
        classes: list[Any] | None = None,
        info: dict[str, Any] | None = None,
        proba: bool = False,
        feature_range: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.estimator = estimator
        self.target = target
        self.features = list(features)
        self.id_columns = list(id_columns)
        self.task = task
        self.classes = None if classes is None else list(classes)
        self.info = dict(info or {})
        self.proba = bool(proba)
        self.feature_range = None if feature_range is None else dict(feature_range)

    def missing_columns(self, frame: pd.DataFrame) -> list[str]:
        """Feature and id columns the model needs that ``frame`` lacks."""
        needed = list(dict.fromkeys([*self.id_columns, *self.features]))
        return [column for column in needed if column not in frame.columns]

    def extrapolation(self, frame: pd.DataFrame) -> Extrapolation | None:
        """The rows of ``frame`` far outside the labelled rows' feature range, whose
        predictions the CV score does not measure (None when there are none, or for a model
        saved without the range)."""
        if not self.feature_range:
            return None
        return beyond_range(self.feature_range, frame[self.features])

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted targets (class labels for classification) for the rows of ``frame``."""
        missing = [column for column in self.features if column not in frame.columns]
        if missing:
            raise ValueError(f"The table lacks the model's feature columns {missing}.")
        predictions = np.asarray(self.estimator.predict(frame[self.features]))
        if self.classes is not None:
            predictions = np.asarray(self.classes, dtype=object)[predictions.astype(np.int64)]
        return predictions

    def predict_proba(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities, one column per class label, for the rows of ``frame``.

        Raises
        ------
        ValueError
            For a regression model, or an estimator without ``predict_proba``.
        """
        if self.task != "classification" or self.classes is None:
            raise ValueError("Class probabilities need a classification model.")
        if not hasattr(self.estimator, "predict_proba"):
            raise ValueError(
                f"The model ({type(self.estimator).__name__}) gives no class probabilities."
            )
        missing = [column for column in self.features if column not in frame.columns]
        if missing:
            raise ValueError(f"The table lacks the model's feature columns {missing}.")
        proba = np.asarray(self.estimator.predict_proba(frame[self.features]), dtype=float)
        return pd.DataFrame(proba, columns=[str(label) for label in self.classes])

    def submission(self, frame: pd.DataFrame, proba: bool | None = None) -> pd.DataFrame:
        """The id columns of ``frame``, then the prediction, one row per input row.

        Parameters
        ----------
        frame : DataFrame
            Rows to predict, with the feature and id columns.
        proba : bool, default=None
            Class probabilities instead of labels: for two classes the target column holds
            the probability of the second class (``classes[1]``, the positive one), for more
            one column per class, named after the class. None: the model's ``proba``.
        """
        out = frame[self.id_columns].reset_index(drop=True).copy()
        if not (self.proba if proba is None else proba):
            out[self.target] = self.predict(frame)
            return out
        probabilities = self.predict_proba(frame)
        if probabilities.shape[1] == 2:
            out[self.target] = probabilities.iloc[:, 1].to_numpy()
            return out
        return pd.concat([out, probabilities], axis=1)

    def save(self, folder: str | Path) -> Path:
        """Write the model into ``folder`` as ``model.skops``, else as ``model.joblib``.

        ``skops.io`` writes a file that :meth:`load` reads without running code from it.
        Estimators holding objects skops cannot write fall back to a joblib pickle, which
        only ``load(..., trusted=True)`` reads. The unlabelled pools kept in the
        estimators' ``unlabeled`` parameters are left out (predictions do not need them).

        Returns
        -------
        Path
            The file written.
        """
        folder = Path(folder)
        with _without_pools(self):
            try:
                import skops.io

                path = folder / f"model{SKOPS_SUFFIX}"
                skops.io.dump(self, path)
                return path
            except Exception:  # a type skops cannot write (or skops missing): pickle
                (folder / f"model{SKOPS_SUFFIX}").unlink(missing_ok=True)
            import joblib

            path = folder / f"model{PICKLE_SUFFIX}"
            joblib.dump(self, path)
            return path

    @classmethod
    def load(cls, path: str | Path, *, trusted: bool = False) -> SubmissionModel:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            A ``.skops`` file, or a pickle (``.joblib``).
        trusted : bool, default=False
            Also load what could run code: a pickle (loading one runs whatever code it
            holds, a classic attack through model files shared online), or a ``.skops``
            file naming types outside the model zoo's libraries. Only for files you made or
            trust.

        Raises
        ------
        ValueError
            For a file that needs ``trusted=True``, or that holds something else than a
            ``SubmissionModel``.
        """
        path = Path(path)
        if path.suffix == SKOPS_SUFFIX:
            import skops.io

            untrusted = skops.io.get_untrusted_types(file=path)
            unknown = [name for name in untrusted if not _safe_type(name)]
            if unknown and not trusted:
                raise ValueError(
                    f"{str(path)!r} names types outside the model zoo's libraries "
                    f"({', '.join(unknown)}), "
                    "which could run code when loaded; load it only if you trust its source "
                    "(trusted=True, --trust on the command line)."
                )
            model = skops.io.load(path, trusted=untrusted)
        else:
            if not trusted:
                raise ValueError(
                    f"{str(path)!r} is not a {SKOPS_SUFFIX} file, so it would be read as a "
                    "pickle, and loading a pickle runs whatever code it holds; load it only if "
                    "you made it or trust its source (trusted=True, --trust on the command line)."
                )
            import joblib

            model = joblib.load(path)
        if not isinstance(model, cls):
            raise ValueError(
                f"{str(path)!r} holds a {type(model).__name__}, not a {cls.__name__} (a model "
                "written by 'pseudoboost tune')."
            )
        return model

    def __repr__(self) -> str:
        return (
            f"SubmissionModel(target={self.target!r}, task={self.task!r}, "
            f"n_features={len(self.features)}, id_columns={self.id_columns!r})"
        )


def _safe_type(name: str) -> bool:
    return name in SAFE_TYPES or name.split(".", 1)[0] in SAFE_PACKAGES


@contextlib.contextmanager
def _without_pools(root: Any) -> Iterator[None]:
    """Set every estimator's ``unlabeled`` parameter to None for a while, then restore it."""
    changed: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif hasattr(obj, "get_params") or isinstance(obj, SubmissionModel):
            state = vars(obj) if hasattr(obj, "__dict__") else {}
            if state.get("unlabeled") is not None:
                changed.append((obj, state["unlabeled"]))
                obj.unlabeled = None
            stack.extend(state.values())
    try:
        yield
    finally:
        for obj, pool in changed:
            obj.unlabeled = pool
