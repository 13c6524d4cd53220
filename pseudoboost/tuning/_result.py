"""``TuneResult``: what :func:`pseudoboost.tune` found, and how it compares with no pseudo-labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into JSON-friendly Python objects."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass
class TuneResult:
    """The outcome of :func:`pseudoboost.tune`.

    Scores are in the metric's natural sign (an RMSE is positive, lower is better).

    Attributes
    ----------
    best_params : dict
        ``model``, the pseudo-labelling knobs (``sample_rate``, and when it is above 0
        ``selection``, ``pseudo_weight``, ``max_iter``) and the model's hyperparameters,
        unprefixed.
    best_score : float
        Mean CV score of the best parameters.
    best_score_std : float
        Standard deviation of that score over the folds.
    cv_scores : ndarray of shape (n_folds,)
        The best parameters' score on each fold.
    oof_predictions : ndarray of shape (n_labelled,)
        Out-of-fold predictions of the best parameters for the labelled rows (mean over
        repeats for regression); NaN where a row was never in a test fold.
    supervised_score, supervised_score_std : float
        The same model and hyperparameters with ``sample_rate=0``, on the same folds.
    supervised_cv_scores : ndarray of shape (n_folds,)
        Its per-fold scores; ``cv_scores - supervised_cv_scores`` are paired differences.
    best_estimator_ : estimator or None
        The best pipeline refitted on all labelled rows and the pool (None if ``refit=False``).
    pool_predictions : ndarray or None
        ``best_estimator_``'s predictions for the pool (None without a pool or refit).
    study : optuna.study.Study
        The study, with every trial (its user attributes hold ``fold_scores``,
        ``sample_rate``, ``model`` and, for failed ones, ``error``).
    metric : str
        The metric's readable name, e.g. ``"rmse"``.
    greater_is_better : bool
        Orientation of the scores.
    task : str
        ``"regression"`` or ``"classification"``.
    n_trials : int
        Trials started by this call (a resumed study may hold more).
    n_complete, n_pruned, n_failed : int
        States of all the study's trials.
    wall_time : float
        Seconds spent in this call, search and refit included.
    """

    best_params: dict[str, Any]
    best_score: float
    best_score_std: float
    cv_scores: np.ndarray
    oof_predictions: np.ndarray
    supervised_score: float
    supervised_score_std: float
    supervised_cv_scores: np.ndarray
    best_estimator_: Any
    pool_predictions: np.ndarray | None
    study: optuna.study.Study
    metric: str
    greater_is_better: bool
    task: str
    n_trials: int
    n_complete: int = 0
    n_pruned: int = 0
    n_failed: int = 0
    wall_time: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def best_model(self) -> str:
        """Name of the best model."""
        return self.best_params["model"]

    @property
    def improvement(self) -> float:
        """How much pseudo-labelling improves the mean score (positive = better)."""
        sign = 1.0 if self.greater_is_better else -1.0
        return sign * (self.best_score - self.supervised_score)

    def trials_table(self) -> list[dict[str, Any]]:
        """One dict per trial: number, state, value, model, sample_rate, fold_scores, error."""
        rows = []
        for trial in self.study.get_trials(deepcopy=False):
            attrs = trial.user_attrs
            rows.append(
                {
                    "number": trial.number,
                    "state": trial.state.name,
                    "value": trial.value,
                    "model": attrs.get("model"),
                    "sample_rate": attrs.get("sample_rate"),
                    "fold_scores": attrs.get("fold_scores", []),
                    "fit_seconds": attrs.get("fit_seconds"),
                    "error": attrs.get("error"),
                }
            )
        return rows

    def to_dict(self, *, trials: bool = True) -> dict[str, Any]:
        """A JSON-serialisable summary (no estimator, no study object, no predictions).

        Parameters
        ----------
        trials : bool, default=True
            Include :meth:`trials_table`.
        """
        data = {
            "task": self.task,
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "best_params": self.best_params,
            "best_score": self.best_score,
            "best_score_std": self.best_score_std,
            "cv_scores": self.cv_scores,
            "supervised_score": self.supervised_score,
            "supervised_score_std": self.supervised_score_std,
            "supervised_cv_scores": self.supervised_cv_scores,
            "improvement": self.improvement,
            "study_name": self.study.study_name,
            "n_trials": self.n_trials,
            "n_complete": self.n_complete,
            "n_pruned": self.n_pruned,
            "n_failed": self.n_failed,
            "wall_time": self.wall_time,
            **self.extra,
        }
        if trials:
            data["trials"] = self.trials_table()
        return _plain(data)
