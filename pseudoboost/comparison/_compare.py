"""``compare``: fixed models across pseudo-label sample rates, on shared folds, with a paired test."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import get_scorer_names
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)

from pseudoboost._class_labels import encode_labels
from pseudoboost._cv import fit_fold, make_cv
from pseudoboost._scoring import Metric, resolve_metric
from pseudoboost._task import infer_task
from pseudoboost.comparison._resolve import model_task, resolve_models
from pseudoboost.comparison._stats import corrected_ttest
from pseudoboost.models import ModelSpec
from pseudoboost.pseudo_label import PseudoLabelClassifier, PseudoLabelRegressor
from pseudoboost.pseudo_label._regressor import REGRESSION_SELECTORS
from pseudoboost.pseudo_label._rows import n_rows, take_rows
from pseudoboost.pseudo_label._targets import unlabeled_mask

_ROUNDING = 1e-9
SUMMARY_COLUMNS = [
    "model",
    "sample_rate",
    "score_mean",
    "score_std",
    "diff_vs_supervised",
    "improvement",
    "diff_std_error",
    "t_statistic",
    "p_value",
    "wins",
    "n_folds",
    "n_pseudo_mean",
    "fit_time_mean",
]
FOLD_COLUMNS = [
    "model",
    "sample_rate",
    "split",
    "repeat",
    "fold",
    "score",
    "supervised_score",
    "diff_vs_supervised",
    "win",
    "n_pseudo",
    "fit_time",
]
#: Parameters of the pseudo-labelling estimator that ``compare`` sets from its own arguments.
_SET_BY_COMPARE = frozenset({"estimator", "unlabeled", "sample_rate", "selection", "random_state"})

# One message shape with ``tune`` and the estimators: "The 'x' parameter of compare must be
# ... Got ... instead." What no constraint can say (the rates inside ``sample_rates``, the
# keys of ``pseudo_params``, rules between parameters, the data) is checked by hand below.
COMPARE_CONSTRAINTS: dict[str, list] = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "unlabeled": ["array-like", "sparse matrix", None],
    "models": [str, ModelSpec, HasMethods(["fit", "get_params"]), Iterable, None],
    "sample_rates": [Interval(numbers.Real, 0, 1, closed="both"), "array-like"],
    "cv": ["cv_object"],
    "n_repeats": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    "random_state": [Interval(numbers.Integral, 0, 2**32 - 1, closed="both"), None],
    "preprocessor": [HasMethods(["fit", "transform"]), None],
    "selection": [StrOptions(set(REGRESSION_SELECTORS))],
    "pseudo_params": [Mapping, None],
    "groups": ["array-like", None],
    "n_jobs": [numbers.Integral, None],
    "task": [StrOptions({"auto", "regression", "classification"})],
    "progress": ["boolean", None],
    "return_folds": ["boolean"],
}


@validate_params(COMPARE_CONSTRAINTS, prefer_skip_nested_validation=True)
def compare(
    X: Any,
    y: Any,
    *,
    unlabeled: Any = None,
    models: Any = None,
    sample_rates: Any = (0, 0.2, 0.5, 1.0),
    cv: int | Any = 5,
    n_repeats: int | None = None,
    scoring: str | Any | None = None,
    random_state: int | None = 0,
    preprocessor: Any = None,
    selection: str = "random",
    pseudo_params: dict[str, Any] | None = None,
    groups: Any = None,
    n_jobs: int | None = 1,
    task: str = "auto",
    progress: bool | None = None,
    return_folds: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-validate fixed models at several pseudo-label sample rates on the same folds.

    Every (model, sample_rate) pair is scored on exactly the same train/test splits, so
    each rate can be compared with the same model's supervised fit (``sample_rate=0``)
    fold by fold. The paired differences are tested with Nadeau and Bengio's corrected
    resampled t-test (:func:`corrected_ttest`), which accounts for the overlap of training
    sets between folds; the naive paired t-test would call CV noise a gain.

    Only labelled rows are split into folds. The unlabelled pool (rows of ``X`` whose
    target is missing, then ``unlabeled``) is given raw to every fold's training side and
    never scored. With a ``preprocessor`` the fitted object is
    ``PseudoLabelRegressor(make_pipeline(clone(preprocessor), model), unlabeled=pool)``,
    so the preprocessing is learnt inside each fold (no leak from the test fold) and the
    pool stays raw.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Features of the labelled rows, and optionally of unlabelled rows (see ``y``).
    y : array-like of shape (n_samples,)
        Targets. For regression a NaN marks an unlabelled row, for classification ``-1``,
        NaN or ``None``; those rows join the pool of every fold. Class labels may be of any
        type (text, booleans, numbers): they are encoded as ``0..k-1`` codes for the models.
    unlabeled : array-like or DataFrame, default=None
        More unlabelled rows with ``X``'s columns (e.g. the competition's test set).
    models : str, ModelSpec, estimator, (name, estimator) pair, or a list or dict of them
        Names are looked up in :mod:`pseudoboost.models` for ``task``, and ``"all"`` takes
        every registered model of the task (as ``tune``'s ``model="all"``); a
        :class:`~pseudoboost.models.ModelSpec` is built with its default parameters and
        named after the spec; estimators are cloned and named after their class unless
        given as ``(name, estimator)``. None compares
        :func:`pseudoboost.models.default_models` ``(task)`` (LightGBM, XGBoost and a random
        forest, and ridge for regression). Default: None.
    sample_rates : sequence of float in [0, 1], default=(0, 0.2, 0.5, 1.0)
        Share of the pool added as pseudo-labelled rows. 0 (the supervised baseline) is
        always computed and reported. For classification this is the rate of random
        selection (``selection="random"``).
    cv : int or cross-validation splitter, default=5
        Number of folds (shuffled KFold, stratified for classification, seeded by
        ``random_state``) or a splitter, used as given.
    n_repeats : int or None, default=None
        Repetitions of an integer ``cv`` with different shuffles; None is 3 for an integer
        ``cv`` and 1 for a splitter, which brings its own repeats (``n_repeats > 1`` with a
        splitter is an error). Unlike ``tune``'s ``"auto"`` (fewer repeats on larger
        tables, to spend its budget on trials), 3 whatever the size: the corrected paired
        test needs many paired folds.
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or scorer callable; None is RMSE for regression and accuracy for classification.
        Scores are reported in the metric's natural sign (an RMSE is positive, lower is
        better).
    random_state : int or None, default=0
        Seeds the folds and the pseudo-label selection (one seed per split, shared by all
        models and rates so the comparison stays paired).
    preprocessor : transformer, default=None
        Put in front of every model inside the pseudo-labelling estimator.
    selection : {"random", "confidence", "coreg"}, default="random"
        The pseudo-labelling estimator's ``selection``; classification supports only
        "random" here (a rate of random selection).
    pseudo_params : dict, default=None
        More parameters of the pseudo-labelling estimator, e.g. ``{"pseudo_weight": 0.5}``.
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter given as ``cv``.
    n_jobs : int or None, default=1
        Joblib workers over the (model, sample_rate, split) fits.
    task : {"auto", "regression", "classification"}, default="auto"
        "auto" takes the task of the models when all given ``models`` are estimators or
        model specs that agree; otherwise the task is guessed from ``y`` by
        :func:`pseudoboost.tuning.infer_task`, the rule ``tune`` and the command line use.
    progress : bool or None, default=None
        Show a tqdm progress bar over the fits.
    return_folds : bool, default=False
        Also return the long-form per-fold frame.

    Returns
    -------
    summary : DataFrame
        One row per (model, sample_rate), in the given model order and increasing rate,
        with columns ``model, sample_rate, score_mean, score_std, diff_vs_supervised,
        improvement, diff_std_error, t_statistic, p_value, wins, n_folds, n_pseudo_mean,
        fit_time_mean``. ``diff_vs_supervised`` is the mean over folds of
        ``score - supervised score`` in the metric's natural units (negative is better
        for an error such as RMSE); ``improvement`` is the same gain with the sign of
        :attr:`TuneResult.improvement <pseudoboost.tuning.TuneResult.improvement>`
        (positive = better than supervised, whatever the metric); ``diff_std_error``, ``t_statistic`` and ``p_value``
        come from the corrected paired test, ``wins`` counts the folds where the rate
        beats the supervised fit. Fold differences within a relative 1e-9 are rounding
        and count as exactly 0. The sample_rate 0 rows have difference 0, t 0,
        p-value 1 and no wins. ``summary.attrs`` holds ``metric``, ``greater_is_better``,
        ``task``, ``n_train`` and ``n_test`` (mean rows per fold).
    folds : DataFrame
        Only when ``return_folds=True``: one row per (model, sample_rate, split) with
        ``model, sample_rate, split, repeat, fold, score, supervised_score,
        diff_vs_supervised, win, n_pseudo, fit_time``.

    Raises
    ------
    InvalidParameterError
        (a ``ValueError``) For a parameter outside :data:`COMPARE_CONSTRAINTS`, a
        ``sample_rates`` entry outside [0, 1] or ``pseudo_params`` that set what
        ``compare`` sets, all as "The 'x' parameter of compare must be ... Got ... instead."
    ValueError
        For rules between parameters and data: a ``y`` that does not match ``X``, a
        ``selection`` other than "random" for classification, rates above 0 with nothing
        to pseudo-label, unknown or duplicated models.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from pseudoboost import compare
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=120)
    >>> table = compare(X[:80], y[:80], unlabeled=X[80:], models=[("ridge", Ridge())],
    ...                 sample_rates=(0, 0.5), cv=3, n_repeats=1)
    >>> table[["model", "sample_rate", "n_folds"]].to_dict("records")
    [{'model': 'ridge', 'sample_rate': 0.0, 'n_folds': 3}, {'model': 'ridge', 'sample_rate': 0.5, 'n_folds': 3}]
    """
    rates = _check_sample_rates(sample_rates)
    extra = _check_pseudo_params(pseudo_params)
    y_arr = _check_target(X, y)
    if task == "auto":
        task = model_task(models) or infer_task(y_arr)
    _check_selection(selection, task)
    metric = resolve_metric(scoring, task)
    if task == "classification":
        y_arr, _ = encode_labels(y_arr)  # codes 0..k-1, -1 for unlabelled rows
    folds = _make_folds(
        X,
        y_arr,
        unlabeled=unlabeled,
        groups=groups,
        rates=rates,
        task=task,
        cv=cv,
        n_repeats=_default_repeats(cv) if n_repeats is None else int(n_repeats),
        random_state=random_state,
    )
    named = resolve_models(models, task, n_samples=int(folds.n_train), y=y_arr)
    jobs = _make_jobs(
        named,
        rates,
        folds,
        task=task,
        unlabeled=unlabeled,
        preprocessor=preprocessor,
        selection=selection,
        extra=extra,
    )
    shape = (len(named), len(rates), len(folds.splits))
    fits = _run_jobs(jobs, X, y_arr, metric, shape, n_jobs=n_jobs, progress=progress)
    diff, win = _paired_differences(fits.score, metric.greater_is_better)
    summary = _summary_frame(named, rates, folds, fits, diff, win, metric.greater_is_better)
    summary.attrs.update(
        metric=metric.name,
        greater_is_better=metric.greater_is_better,
        task=task,
        n_train=folds.n_train,
        n_test=folds.n_test,
    )
    if not return_folds:
        return summary
    fold_frame = _fold_frame(named, rates, folds, fits, diff, win)
    fold_frame.attrs.update(summary.attrs)
    return summary, fold_frame


# --- checks of what the constraints cannot express --------------------------------------------
def _check_sample_rates(sample_rates: Any) -> list[float]:
    """The distinct rates in increasing order, starting with the supervised 0.

    Parameters
    ----------
    sample_rates : float or array-like
        A rate in [0, 1] or several (the constraint has checked this much).

    Returns
    -------
    list of float

    Raises
    ------
    InvalidParameterError
        For no rate at all, or an entry that is not a number in [0, 1] (booleans included).
    """
    values = [sample_rates] if isinstance(sample_rates, numbers.Real) else list(sample_rates)
    valid = bool(values) and all(
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and 0.0 <= float(value) <= 1.0
        for value in values
    )
    if not valid:
        raise InvalidParameterError(
            "The 'sample_rates' parameter of compare must be a float in the range [0.0, 1.0] or "
            "a non-empty array-like of them (0 = supervised, 1 = the whole pool). "
            f"Got {sample_rates!r} instead."
        )
    return sorted({0.0, *(float(value) for value in values)})


def _check_pseudo_params(pseudo_params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``pseudo_params`` as a new dict, without the parameters ``compare`` sets itself.

    Raises
    ------
    InvalidParameterError
        When it sets one of ``estimator``, ``unlabeled``, ``sample_rate``, ``selection``
        or ``random_state``.
    """
    extra = dict(pseudo_params or {})
    clash = sorted(set(extra) & _SET_BY_COMPARE)
    if clash:
        raise InvalidParameterError(
            f"The 'pseudo_params' parameter of compare must not set {clash}: compare sets them "
            f"(use its own arguments). Got {pseudo_params!r} instead."
        )
    return extra


def _check_target(X: Any, y: Any) -> np.ndarray:
    """``y`` as a one-dimensional array with one entry per row of ``X``.

    Raises
    ------
    ValueError
        For a ``y`` of another shape.
    """
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {y_arr.shape}.")
    if n_rows(X) != y_arr.shape[0]:
        raise ValueError(f"X has {n_rows(X)} rows but y has {y_arr.shape[0]}.")
    return y_arr


def _check_selection(selection: str, task: str) -> None:
    """For classification the share of the pool is a rate only with random selection.

    Raises
    ------
    ValueError
        For classification with any other ``selection``.
    """
    if task == "classification" and selection != "random":
        raise ValueError(
            f"compare varies the share of the pool that is pseudo-labelled, which for "
            f"classification is selection='random'; got selection={selection!r}. Use "
            "PseudoLabelClassifier directly to study thresholds."
        )


def _check_pool(n_pool: int, rates: list[float]) -> None:
    """A positive rate needs unlabelled rows.

    Raises
    ------
    ValueError
        For an empty pool and a rate above 0.
    """
    if n_pool == 0 and any(rate > 0 for rate in rates):
        raise ValueError(
            "There is nothing to pseudo-label: pass unlabelled rows as `unlabeled=` or mark "
            "rows of y as unlabelled (NaN for regression, -1, NaN or None for classification)."
        )


# --- the shared folds -------------------------------------------------------------------------
def _default_repeats(cv: Any) -> int:
    """``n_repeats=None``: 3 for an integer ``cv``, 1 for a splitter (it brings its own)."""
    return 3 if isinstance(cv, numbers.Integral) and not isinstance(cv, bool) else 1


@dataclass(frozen=True)
class _Folds:
    """The splits every (model, sample_rate) pair is scored on.

    Attributes
    ----------
    splits : list of (ndarray, ndarray)
        Positions in ``X`` of each split's training rows (the fold's labelled rows, then
        every unlabelled row of ``X``) and of its test rows (labelled rows only).
    n_train, n_test : float
        Mean labelled training and test rows per split, for the corrected t-test.
    per_repeat : int
        Splits per repeat, which give each split its repeat and fold numbers.
    seeds : ndarray of int
        The pseudo-label selection seed of each split, shared by all models and rates so
        that the comparison stays paired.
    """

    splits: list[tuple[np.ndarray, np.ndarray]]
    n_train: float
    n_test: float
    per_repeat: int
    seeds: np.ndarray


def _make_folds(
    X: Any,
    y: np.ndarray,
    *,
    unlabeled: Any,
    groups: Any,
    rates: list[float],
    task: str,
    cv: Any,
    n_repeats: int,
    random_state: int | None,
) -> _Folds:
    """Split the labelled rows of ``X``; its unlabelled rows join every training side.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        All rows given to ``compare``.
    y : ndarray of shape (n_samples,)
        Targets, class codes for classification (unlabelled rows marked as
        :func:`~pseudoboost.pseudo_label._targets.unlabeled_mask` reads them).
    unlabeled : array-like or None
        The extra pool, only counted here.
    groups, rates, task, cv, n_repeats, random_state
        As given to ``compare`` (``n_repeats`` resolved).

    Returns
    -------
    _Folds
    """
    missing = unlabeled_mask(y, task)
    labeled_pos = np.flatnonzero(~missing)
    unlabeled_pos = np.flatnonzero(missing)
    _check_pool(unlabeled_pos.size + (0 if unlabeled is None else n_rows(unlabeled)), rates)
    splitter = make_cv(cv, n_repeats=n_repeats, task=task, random_state=random_state)
    g_lab = None if groups is None else np.asarray(groups)[labeled_pos]
    splits = [
        (np.concatenate([labeled_pos[train], unlabeled_pos]), labeled_pos[test])
        for train, test in splitter.split(take_rows(X, labeled_pos), y[labeled_pos], g_lab)
    ]
    if not splits:
        raise ValueError("The cross-validation splitter produced no splits.")
    repeats = n_repeats if isinstance(cv, numbers.Integral) else getattr(splitter, "n_repeats", 1)
    return _Folds(
        splits=splits,
        n_train=float(np.mean([train.size - unlabeled_pos.size for train, _ in splits])),
        n_test=float(np.mean([test.size for _, test in splits])),
        per_repeat=max(1, len(splits) // repeats),
        seeds=np.random.RandomState(random_state).randint(0, 2**31 - 1, size=len(splits)),
    )


# --- the fits ---------------------------------------------------------------------------------
_Job = tuple[tuple[int, int, int], Any, np.ndarray, np.ndarray]


def _make_jobs(
    named: list[tuple[str, Any]],
    rates: list[float],
    folds: _Folds,
    *,
    task: str,
    unlabeled: Any,
    preprocessor: Any,
    selection: str,
    extra: dict[str, Any],
) -> list[_Job]:
    """One unfitted pseudo-labelling estimator per (model, sample_rate, split).

    Returns
    -------
    list of ((m, r, s), estimator, train, test)
        The estimator's position in the result grid, the estimator and its split.
    """
    wrapper_class = PseudoLabelClassifier if task == "classification" else PseudoLabelRegressor
    jobs = []
    for m, (_, estimator) in enumerate(named):
        inner = estimator if preprocessor is None else make_pipeline(clone(preprocessor), estimator)
        for r, rate in enumerate(rates):
            for s, (train, test) in enumerate(folds.splits):
                wrapped = wrapper_class(
                    clone(inner),
                    unlabeled=unlabeled,
                    sample_rate=rate,
                    selection=selection,
                    random_state=int(folds.seeds[s]),
                    **extra,
                )
                jobs.append(((m, r, s), wrapped, train, test))
    return jobs


@dataclass(frozen=True)
class _Fits:
    """What each fit gave, every array shaped (model, sample_rate, split)."""

    score: np.ndarray
    n_pseudo: np.ndarray
    fit_time: np.ndarray


def _run_jobs(
    jobs: list[_Job],
    X: Any,
    y: np.ndarray,
    metric: Metric,
    shape: tuple[int, int, int],
    *,
    n_jobs: int | None,
    progress: bool | None,
) -> _Fits:
    """Fit and score every job with joblib, in order, updating a progress bar if asked."""
    fits = _Fits(np.empty(shape), np.zeros(shape), np.zeros(shape))
    bar = _progress_bar(progress, len(jobs))
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_score)(wrapped, X, y, train, test, metric)
        for _, wrapped, train, test in jobs
    )
    for (key, *_), (score, pseudo, seconds) in zip(jobs, outputs, strict=True):
        fits.score[key], fits.n_pseudo[key], fits.fit_time[key] = score, pseudo, seconds
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return fits


def _fit_and_score(
    estimator: Any, X: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray, metric: Metric
) -> tuple[float, int, float]:
    """Fit on ``train``, score on ``test``: (natural score, pseudo-labelled rows, seconds)."""
    fold = fit_fold(estimator, X, y, train, test, metric)
    return fold.score, fold.n_pseudo, fold.seconds


def _progress_bar(progress: bool | None, total: int) -> Any:
    """A tqdm bar over ``total`` fits, or None without ``progress``."""
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="compare", unit="fit")


# --- the paired comparison and the tables -----------------------------------------------------
def _paired_differences(
    score: np.ndarray, greater_is_better: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each score minus the same model's supervised score on the same split, and the wins.

    Identical fits can differ by rounding (e.g. a linear model refitted on its own exact
    predictions): differences within a relative 1e-9 are 0, neither a win nor evidence
    for the test.

    Parameters
    ----------
    score : ndarray of shape (n_models, n_rates, n_splits)
        Natural scores; rate 0 (supervised) comes first.
    greater_is_better : bool
        The metric's orientation.

    Returns
    -------
    diff : ndarray of the shape of ``score``
    win : ndarray of bool of the shape of ``score``
    """
    supervised = score[:, :1, :]
    diff = score - supervised
    rounding = _ROUNDING * np.maximum(1.0, np.abs(supervised))
    diff = np.where(np.abs(diff) <= rounding, 0.0, diff)
    win = diff > 0 if greater_is_better else diff < 0
    return diff, win


def _paired_test(diff: np.ndarray, folds: _Folds) -> tuple[float, float, float]:
    """(t statistic, p-value, standard error) of the corrected test; NaN for one split."""
    if len(folds.splits) < 2:
        return float("nan"), float("nan"), float("nan")
    test = corrected_ttest(diff, folds.n_train, folds.n_test)
    return test.statistic, test.p_value, test.std_error


def _summary_frame(
    named: list[tuple[str, Any]],
    rates: list[float],
    folds: _Folds,
    fits: _Fits,
    diff: np.ndarray,
    win: np.ndarray,
    greater_is_better: bool,
) -> pd.DataFrame:
    """One row per (model, sample_rate), with ``SUMMARY_COLUMNS``."""
    n_folds = len(folds.splits)
    sign = 1.0 if greater_is_better else -1.0
    rows = []
    for m, (name, _) in enumerate(named):
        for r, rate in enumerate(rates):
            t_stat, p_value, std_error = _paired_test(diff[m, r], folds)
            rows.append(
                {
                    "model": name,
                    "sample_rate": rate,
                    "score_mean": float(fits.score[m, r].mean()),
                    "score_std": float(fits.score[m, r].std(ddof=1)) if n_folds > 1 else 0.0,
                    "diff_vs_supervised": float(diff[m, r].mean()),
                    "improvement": sign * float(diff[m, r].mean()),
                    "diff_std_error": std_error,
                    "t_statistic": t_stat,
                    "p_value": p_value,
                    "wins": int(win[m, r].sum()),
                    "n_folds": n_folds,
                    "n_pseudo_mean": float(fits.n_pseudo[m, r].mean()),
                    "fit_time_mean": float(fits.fit_time[m, r].mean()),
                }
            )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _fold_frame(
    named: list[tuple[str, Any]],
    rates: list[float],
    folds: _Folds,
    fits: _Fits,
    diff: np.ndarray,
    win: np.ndarray,
) -> pd.DataFrame:
    """One row per (model, sample_rate, split), with ``FOLD_COLUMNS``."""
    rows = [
        {
            "model": name,
            "sample_rate": rate,
            "split": s,
            "repeat": s // folds.per_repeat,
            "fold": s % folds.per_repeat,
            "score": float(fits.score[m, r, s]),
            "supervised_score": float(fits.score[m, 0, s]),
            "diff_vs_supervised": float(diff[m, r, s]),
            "win": bool(win[m, r, s]),
            "n_pseudo": int(fits.n_pseudo[m, r, s]),
            "fit_time": float(fits.fit_time[m, r, s]),
        }
        for m, (name, _) in enumerate(named)
        for r, rate in enumerate(rates)
        for s in range(len(folds.splits))
    ]
    return pd.DataFrame(rows, columns=FOLD_COLUMNS)
