"""``TuneResult``: what :func:`pseudoboost.tune` found, and how it compares with no pseudo-labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState

from pseudoboost.tuning._objective import TOO_DEAR, ran_out_of_time


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


def fold_spread(scores: Any) -> float:
    """Standard deviation of per-fold scores with ``ddof=1``, as ``compare`` reports it
    (0.0 for a single fold, NaN for none)."""
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        return float("nan")
    return float(scores.std(ddof=1)) if scores.size > 1 else 0.0


@dataclass
class TuneResult:
    """The outcome of :func:`pseudoboost.tune`.

    Scores are in the metric's natural sign (an RMSE is positive, lower is better). All
    candidates are scored on the same folds, so their per-fold scores are paired.

    Attributes
    ----------
    best_params : dict
        ``model``, the pseudo-labelling knobs (``sample_rate``, and when it is above 0
        ``selection``, ``pseudo_weight``, ``max_iter``, ``label_source``, ``teacher``) and
        the model's hyperparameters in the study's names. For an ensemble: ``model`` is
        ``"ensemble"`` and ``members`` lists each member's trial, model, weight and params.
    best_score : float
        Mean CV score of what is returned (the ensemble's is nested: its weights on each fold
        were chosen on the other folds).
    best_score_std : float
        Standard deviation of that score over the folds (``ddof=1``, as in ``compare``).
    cv_scores : ndarray of shape (n_folds,)
        Its score on each fold.
    oof_predictions : ndarray of shape (n_labelled,)
        Out-of-fold predictions of what is returned (mean over repeats for regression, the
        last repeat's label for classification); NaN where a row was never in a test fold.
    supervised_score, supervised_score_std : float
        The *baseline*: the best supervised candidate of this search (the best trial
        without pseudo-labels, or the ensemble of such trials, see ``baseline``) on the
        same folds. It is the supervised part of the same search, not a search of equal
        budget: ``benchmarks/bench_label_scarce.py`` measures that comparison.
    supervised_cv_scores : ndarray of shape (n_folds,)
        Its per-fold scores; ``cv_scores - supervised_cv_scores`` are paired differences.
    best_estimator_ : estimator or None
        What is returned, refitted on all labelled rows and the pool (None if ``refit=False``).
    pool_predictions : ndarray or None
        ``best_estimator_``'s predictions for the pool (None without a pool or refit).
    study : optuna.study.Study
        The study, with every trial (its user attributes hold ``fold_scores``,
        ``sample_rate``, ``model``, ``phase``, ``fit_seconds`` and, for failed ones, ``error``).
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
    chosen : {"supervised", "ensemble", "pseudo", "pseudo_ensemble"}
        What is returned: the best supervised trial, the ensemble of supervised trials, the
        best pseudo-labelled trial, or an ensemble with pseudo-labelled members.
    baseline : {"supervised", "ensemble", "same_model"}
        What ``supervised_score`` is: the best supervised trial, the ensemble of supervised
        trials, or (when ``sample_rate`` was fixed above 0, so no supervised phase ran) the
        returned model's hyperparameters re-scored without pseudo-labels.
    best_model_params : dict
        The returned model's own hyperparameters, unprefixed (empty for an ensemble).
    pseudo_score : float or None
        Mean CV score of the best pseudo-labelled trial (None if none completed).
    pseudo_cv_scores : ndarray or None
        Its per-fold scores.
    pseudo_p_value : float or None
        One-sided corrected paired t-test p-value that it beats the baseline; it is returned
        only when this is below ``alpha`` (and its mean is better).
    alpha : float or None
        The level used.
    best_trial : int or None
        Number of the returned trial (None for an ensemble).
    n_labelled, n_pool, n_folds : int
        Labelled rows, pool rows used, and folds (repeats included).
    storage : str or None
        The database URL (password hidden) when the study lives in one.
    refit_growth : float
        How many times their searched trees the returned forests (``ModelSpec.grows``)
        were refitted with, from the time the budget left (1.0: as searched).
        ``best_params`` and ``best_model_params`` give the grown sizes; the CV scores are
        those of the forests as searched.
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
    chosen: str = "supervised"
    baseline: str = "supervised"
    pseudo_score: float | None = None
    pseudo_cv_scores: np.ndarray | None = None
    pseudo_p_value: float | None = None
    alpha: float | None = None
    best_model_params: dict[str, Any] = field(default_factory=dict)
    best_trial: int | None = None
    n_labelled: int = 0
    n_pool: int = 0
    n_folds: int = 0
    storage: str | None = None
    refit_growth: float = 1.0

    @property
    def best_model(self) -> str:
        """Name of the returned model (``"ensemble"`` for an ensemble of trials)."""
        return self.best_params["model"]

    @property
    def effective_sample_rate(self) -> float:
        """``sample_rate`` of what is returned: for an ensemble (whose own wrapper never
        pseudo-labels), its members' rates weighted as in the ensemble, so an ensemble of
        pseudo-labelled students does not read as supervised."""
        members = self.best_params.get("members")
        if not members:
            return float(self.best_params.get("sample_rate", 0.0))
        weights = np.array([m["weight"] for m in members], dtype=float)
        rates = np.array([m["pseudo"].get("sample_rate", 0.0) for m in members], dtype=float)
        return float(weights @ rates / weights.sum())

    @property
    def improvement(self) -> float:
        """How much better what is returned scores than the baseline (positive = better)."""
        sign = 1.0 if self.greater_is_better else -1.0
        return sign * (self.best_score - self.supervised_score)

    def trials_table(self) -> list[dict[str, Any]]:
        """One dict per trial: number, state, value, model, phase, sample_rate, fold scores,
        seconds, error."""
        rows = []
        for trial in self.study.get_trials(deepcopy=False):
            attrs = trial.user_attrs
            rows.append(
                {
                    "number": trial.number,
                    "state": trial.state.name,
                    "value": trial.value,
                    "model": attrs.get("model"),
                    "phase": attrs.get("phase"),
                    "sample_rate": attrs.get("sample_rate"),
                    "fold_scores": attrs.get("fold_scores", []),
                    "fit_seconds": attrs.get("fit_seconds"),
                    "error": attrs.get("error"),
                }
            )
        return rows

    def leaderboard(self) -> pd.DataFrame:
        """One row per model tried, and one for the ensemble when there is one, best first.

        Columns: ``model``, ``best_score``, ``best_score_std`` (spread over the folds of the
        model's best trial), ``best_sample_rate``, ``n_complete``, ``n_pruned``,
        ``n_failed``, ``mean_fit_seconds`` (cross-validating one trial, all folds),
        ``chosen`` (what ``tune`` returned).
        """
        rows: dict[str, dict[str, Any]] = {}
        for trial in self.study.get_trials(deepcopy=False):
            name = trial.user_attrs.get("model")
            if name is None:
                continue
            row = rows.setdefault(
                name,
                {
                    "model": name,
                    "best_score": np.nan,
                    "best_score_std": np.nan,
                    "best_sample_rate": np.nan,
                    "n_complete": 0,
                    "n_pruned": 0,
                    "n_failed": 0,
                    "seconds": [],
                },
            )
            row[f"n_{trial.state.name.lower()}"] = row.get(f"n_{trial.state.name.lower()}", 0) + 1
            if "fit_seconds" in trial.user_attrs and trial.state == TrialState.COMPLETE:
                row["seconds"].append(float(trial.user_attrs["fit_seconds"]))
            if trial.state == TrialState.COMPLETE and self._beats(trial.value, row["best_score"]):
                row["best_score"] = float(trial.value)
                row["best_score_std"] = fold_spread(trial.user_attrs.get("fold_scores", []))
                row["best_sample_rate"] = float(trial.user_attrs.get("sample_rate", 0.0))
        table = []
        for row in rows.values():
            seconds = row.pop("seconds")
            row["mean_fit_seconds"] = float(np.mean(seconds)) if seconds else np.nan
            row["chosen"] = row["model"] == self.best_params["model"]
            table.append(row)
        if self.best_params["model"] == "ensemble" or self.baseline == "ensemble":
            chosen = self.best_params["model"] == "ensemble"
            scores = self.cv_scores if chosen else self.supervised_cv_scores
            table.append(
                {
                    "model": "ensemble",
                    "best_score": float(np.mean(scores)),
                    "best_score_std": fold_spread(scores),
                    "best_sample_rate": self.effective_sample_rate if chosen else 0.0,
                    "n_complete": 1,
                    "n_pruned": 0,
                    "n_failed": 0,
                    "mean_fit_seconds": np.nan,
                    "chosen": chosen,
                }
            )
        frame = pd.DataFrame(table, columns=LEADERBOARD_COLUMNS)
        frame = frame.sort_values("best_score", ascending=not self.greater_is_better)
        return frame.reset_index(drop=True).astype(
            {"n_complete": int, "n_pruned": int, "n_failed": int}
        )

    def _beats(self, value: float | None, best: float) -> bool:
        if value is None:
            return False
        if np.isnan(best):
            return True
        return value > best if self.greater_is_better else value < best

    def anytime_curve(self) -> pd.DataFrame:
        """Best CV score so far against seconds since the study's first trial started.

        Columns ``seconds``, ``best_score``, ``trial``: one row per complete trial that
        improved the best (the ensemble, chosen after the search, is not in it).
        """
        trials = [
            t
            for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.datetime_complete is not None and t.value is not None
        ]
        rows: list[dict[str, Any]] = []
        starts = [
            t.datetime_start for t in self.study.get_trials(deepcopy=False) if t.datetime_start
        ]
        if not trials or not starts:
            return pd.DataFrame(columns=["seconds", "best_score", "trial"])
        origin = min(starts)
        best = np.nan
        for trial in sorted(trials, key=lambda t: t.datetime_complete):
            if self._beats(trial.value, best):
                best = float(trial.value)
                seconds = (trial.datetime_complete - origin).total_seconds()
                rows.append({"seconds": seconds, "best_score": best, "trial": trial.number})
        return pd.DataFrame(rows, columns=["seconds", "best_score", "trial"])

    def summary(self) -> str:
        """What was returned, against which baseline, what the paired test said, and the
        trial counts: the lines ``pseudoboost tune`` prints."""
        params = self.best_params
        lines = [
            f"returned: {self.chosen} ({params.get('model')}, "
            f"sample_rate={self.effective_sample_rate:g}); CV "
            f"{self.metric} {self.best_score:.6g} (spread over {len(self.cv_scores)} folds "
            f"{self.best_score_std:.3g})",
            f"baseline: {BASELINES[self.baseline]}, same folds: {self.supervised_score:.6g}",
        ]
        if self.pseudo_score is None:
            lines.append(f"pseudo-labels: {self._unfinished_pseudo()}")
        else:
            verdict = "returned" if self.chosen.startswith("pseudo") else "not returned"
            lines.append(
                f"pseudo-labels: best {self.pseudo_score:.6g}, corrected paired t-test against "
                f"the baseline p = {self.pseudo_p_value:.3g} (alpha {self.alpha:g}): {verdict}"
            )
        lines.append(
            f"trials: {self.n_complete} complete, {self.n_pruned} pruned, {self.n_failed} failed"
            + self._ended_early()
        )
        if self.refit_growth > 1.0:
            lines.append(
                f"refit: the forests grown to {self.refit_growth:.2g} times their searched trees "
                "with the time left (their CV scores are of the forests as searched)"
            )
        return "\n".join(lines)

    def _ended_early(self) -> str:
        """Why the search stopped before its deadline, when its last trial could not end by
        then (:func:`ran_out_of_time`); empty otherwise."""
        trials = self.study.get_trials(deepcopy=False)
        if not trials or not ran_out_of_time(trials[-1]):
            return ""
        attrs = trials[-1].user_attrs
        return (
            f"; the search ended before its deadline: the next trial ({attrs.get('model')}, "
            f"estimated {attrs[TOO_DEAR]:.3g} s) could not end by then"
        )

    def _unfinished_pseudo(self) -> str:
        """Why no pseudo-labelled trial completed: how many were stopped after their first
        folds (the one closest to the baseline, against it on the same folds) or never
        started (estimated to end after the deadline)."""
        tried = [
            t
            for t in self.study.get_trials(deepcopy=False, states=(TrialState.PRUNED,))
            if t.user_attrs.get("sample_rate", 0.0) > 0
        ]
        not_started = sum(TOO_DEAR in t.user_attrs for t in tried)
        partial = [t for t in tried if t.user_attrs.get("fold_scores")]
        if not partial and not not_started:
            return "no pseudo-labelled trial completed"
        parts = []
        if partial:
            sign = -1.0 if self.greater_is_better else 1.0
            baseline = np.asarray(self.supervised_cv_scores, dtype=float)
            # (gap behind the baseline on the same folds, > 0: worse; mean; baseline's; folds)
            rows = []
            for trial in partial:
                scores = trial.user_attrs["fold_scores"]
                mean, base = float(np.mean(scores)), float(np.mean(baseline[: len(scores)]))
                rows.append((sign * (mean - base), mean, base, len(scores)))
            _, mean, base, folds = min(rows)
            parts.append(
                f"{len(partial)} stopped early by the pruner, the baseline check or the deadline "
                f"(the closest: {mean:.6g} on its first {folds} of {self.n_folds} folds, the "
                f"baseline {base:.6g} on those)"
            )
        if not_started:
            parts.append(f"{not_started} not started (estimated to end after the deadline)")
        return "no pseudo-labelled trial completed; " + ", ".join(parts)

    def save(self, folder: str | Path) -> list[Path]:
        """Write ``result.json`` (:meth:`to_dict` without the trials), ``trials.csv`` and
        ``leaderboard.csv`` into ``folder`` (created when missing).

        Parameters
        ----------
        folder : str or Path

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "result.json", folder / "trials.csv", folder / "leaderboard.csv"]
        paths[0].write_text(json.dumps(self.to_dict(trials=False), indent=2) + "\n")
        pd.DataFrame(self.trials_table()).to_csv(paths[1], index=False)
        self.leaderboard().to_csv(paths[2], index=False)
        return paths

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
            "chosen": self.chosen,
            "best_params": self.best_params,
            "best_score": self.best_score,
            "best_score_std": self.best_score_std,
            "cv_scores": self.cv_scores,
            "baseline": self.baseline,
            "supervised_score": self.supervised_score,
            "supervised_score_std": self.supervised_score_std,
            "supervised_cv_scores": self.supervised_cv_scores,
            "improvement": self.improvement,
            "pseudo_score": self.pseudo_score,
            "pseudo_cv_scores": self.pseudo_cv_scores,
            "pseudo_p_value": self.pseudo_p_value,
            "alpha": self.alpha,
            "best_model_params": self.best_model_params,
            "best_trial": self.best_trial,
            "n_labelled": self.n_labelled,
            "n_pool": self.n_pool,
            "n_folds": self.n_folds,
            "study_name": self.study.study_name,
            "storage": self.storage,
            "n_trials": self.n_trials,
            "n_complete": self.n_complete,
            "n_pruned": self.n_pruned,
            "n_failed": self.n_failed,
            "wall_time": self.wall_time,
            "refit_growth": self.refit_growth,
            "leaderboard": self.leaderboard().to_dict(orient="records"),
        }
        if trials:
            data["trials"] = self.trials_table()
        return _plain(data)


# What ``TuneResult.supervised_score`` is, for people.
BASELINES = {
    "supervised": "the best trial without pseudo-labels of this search",
    "ensemble": "the ensemble of this search's trials without pseudo-labels (nested CV)",
    "same_model": "the returned hyperparameters without pseudo-labels",
}

LEADERBOARD_COLUMNS = [
    "model",
    "best_score",
    "best_score_std",
    "best_sample_rate",
    "n_complete",
    "n_pruned",
    "n_failed",
    "mean_fit_seconds",
    "chosen",
]
