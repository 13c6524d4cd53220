"""``SubmissionModel``: the fitted pipeline saved by ``pseudoboost tune``, ready to predict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class SubmissionModel:
    """A fitted model with what it needs to turn a test table into a submission.

    ``pseudoboost tune`` saves one as ``model.joblib``; ``pseudoboost predict`` loads it.
    From Python: ``joblib.load("model.joblib").predict(test_frame)``.

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
    """

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
    ) -> None:
        self.estimator = estimator
        self.target = target
        self.features = list(features)
        self.id_columns = list(id_columns)
        self.task = task
        self.classes = None if classes is None else list(classes)
        self.info = dict(info or {})

    def missing_columns(self, frame: pd.DataFrame) -> list[str]:
        """Feature and id columns the model needs that ``frame`` lacks."""
        needed = list(dict.fromkeys([*self.id_columns, *self.features]))
        return [column for column in needed if column not in frame.columns]

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted targets (class labels for classification) for the rows of ``frame``."""
        missing = [column for column in self.features if column not in frame.columns]
        if missing:
            raise ValueError(f"The table lacks the model's feature columns {missing}.")
        predictions = np.asarray(self.estimator.predict(frame[self.features]))
        if self.classes is not None:
            predictions = np.asarray(self.classes, dtype=object)[predictions.astype(np.int64)]
        return predictions

    def submission(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The id columns of ``frame``, then the predicted target, one row per input row."""
        out = frame[self.id_columns].reset_index(drop=True).copy()
        out[self.target] = self.predict(frame)
        return out

    def __repr__(self) -> str:
        return (
            f"SubmissionModel(target={self.target!r}, task={self.task!r}, "
            f"n_features={len(self.features)}, id_columns={self.id_columns!r})"
        )
