"""``compare``: fixed models across pseudo-label sample rates, on shared folds, with a paired test."""

from __future__ import annotations

import numbers
import time
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import Interval, validate_params

from pseudoboost._class_labels import encode_labels
from pseudoboost._cv import check_n_repeats, make_cv
from pseudoboost._scoring import Metric, resolve_metric
from pseudoboost._task import infer_task
from pseudoboost.comparison._resolve import model_task, resolve_models
from pseudoboost.comparison._stats import corrected_ttest
from pseudoboost.pseudo_label._rows import n_rows, take_rows
from pseudoboost.pseudo_label._targets import unlabeled_mask

_TASKS = ("auto", "regression", "classification")
_ROUNDING = 1e-9
SUMMARY_COLUMNS = [
    "model",
    "sample_rate",
    "score_mean",
    "score_std",
    "diff_vs_supervised",
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


@validate_params(
    {
        "n_repeats": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "cv": ["cv_object"],
        "n_jobs": [numbers.Integral, None],
    },
    prefer_skip_nested_validation=True,
)
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
        splitter is an error).
    scoring : str, callable or None, default=None
        A scikit-learn scorer; None is RMSE for regression and accuracy for classification.
        Scores are reported in the metric's natural sign (an RMSE is positive, lower is
        better).
    random_state : int or None, default=0
        Seeds the folds and the pseudo-label selection (one seed per split, shared by all
        models and rates so the comparison stays paired).
    preprocessor : transformer, default=None
        Put in front of every model inside the pseudo-labelling estimator.
    selection : str, default="random"
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
        diff_std_error, t_statistic, p_value, wins, n_folds, n_pseudo_mean,
        fit_time_mean``. ``diff_vs_supervised`` is the mean over folds of
        ``score - supervised score`` in the metric's natural units (negative is better
        for an error such as RMSE), ``diff_std_error``, ``t_statistic`` and ``p_value``
        come from the corrected paired test, ``wins`` counts the folds where the rate
        beats the supervised fit. Fold differences within a relative 1e-9 are rounding
        and count as exactly 0. The sample_rate 0 rows have difference 0, t 0,
        p-value 1 and no wins. ``summary.attrs`` holds ``metric``, ``greater_is_better``,
        ``task``, ``n_train`` and ``n_test`` (mean rows per fold).
    folds : DataFrame
        Only when ``return_folds=True``: one row per (model, sample_rate, split) with
        ``model, sample_rate, split, repeat, fold, score, supervised_score,
        diff_vs_supervised, win, n_pseudo, fit_time``.

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
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}, got {task!r}.")
    if n_repeats is None:
        n_repeats = 3 if isinstance(cv, numbers.Integral) and not isinstance(cv, bool) else 1
    n_repeats = check_n_repeats(n_repeats)
    rates = _check_sample_rates(sample_rates)
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {y_arr.shape}.")
    n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_samples != y_arr.shape[0]:
        raise ValueError(f"X has {n_samples} rows but y has {y_arr.shape[0]}.")
    if task == "auto":
        task = model_task(models) or infer_task(y_arr)
    if task == "classification" and selection != "random":
        raise ValueError(
            f"compare varies the share of the pool that is pseudo-labelled, which for "
            f"classification is selection='random'; got selection={selection!r}. Use "
            "PseudoLabelClassifier directly to study thresholds."
        )
    metric = resolve_metric(scoring, task)
    named = resolve_models(models, task)
    if task == "classification":
        y_arr, _ = encode_labels(y_arr)  # codes 0..k-1, -1 for unlabelled rows

    missing = unlabeled_mask(y_arr, task)
    labeled_pos = np.flatnonzero(~missing)
    unlabeled_pos = np.flatnonzero(missing)
    n_pool = unlabeled_pos.size + (0 if unlabeled is None else n_rows(unlabeled))
    if n_pool == 0 and any(rate > 0 for rate in rates):
        raise ValueError(
            "There is nothing to pseudo-label: pass unlabelled rows as `unlabeled=` or mark "
            "rows of y as unlabelled (NaN for regression, -1, NaN or None for classification)."
        )

    splitter = make_cv(cv, n_repeats=n_repeats, task=task, random_state=random_state)
    X_lab = take_rows(X, labeled_pos)
    y_lab = y_arr[labeled_pos]
    g_lab = None if groups is None else np.asarray(groups)[labeled_pos]
    splits = [
        (np.concatenate([labeled_pos[train], unlabeled_pos]), labeled_pos[test])
        for train, test in splitter.split(X_lab, y_lab, g_lab)
    ]
    if not splits:
        raise ValueError("The cross-validation splitter produced no splits.")
    n_train = float(np.mean([train.size - unlabeled_pos.size for train, _ in splits]))
    n_test = float(np.mean([test.size for _, test in splits]))
    repeats = n_repeats if isinstance(cv, numbers.Integral) else getattr(splitter, "n_repeats", 1)
    per_repeat = max(1, len(splits) // repeats)
    seeds = np.random.RandomState(random_state).randint(0, 2**31 - 1, size=len(splits))

    wrapper_class = _wrapper_class(task)
    extra = dict(pseudo_params or {})
    clash = sorted(
        set(extra) & {"estimator", "unlabeled", "sample_rate", "selection", "random_state"}
    )
    if clash:
        raise ValueError(
            f"pseudo_params must not set {clash}: compare sets them (use its own arguments)."
        )
    jobs = []
    for m, (_, estimator) in enumerate(named):
        inner = estimator if preprocessor is None else make_pipeline(clone(preprocessor), estimator)
        for r, rate in enumerate(rates):
            for s, (train, test) in enumerate(splits):
                wrapped = wrapper_class(
                    clone(inner),
                    unlabeled=unlabeled,
                    sample_rate=rate,
                    selection=selection,
                    random_state=int(seeds[s]),
                    **extra,
                )
                jobs.append(((m, r, s), wrapped, train, test))

    bar = _progress_bar(progress, len(jobs))
    results = np.empty((len(named), len(rates), len(splits)))
    n_pseudo = np.zeros_like(results)
    fit_time = np.zeros_like(results)
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_score)(wrapped, X, y_arr, train, test, metric)
        for _, wrapped, train, test in jobs
    )
    for (key, *_), (score, pseudo, seconds) in zip(jobs, outputs, strict=True):
        results[key], n_pseudo[key], fit_time[key] = score, pseudo, seconds
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()

    supervised = results[:, :1, :]  # rates[0] is always 0
    diffs = results - supervised
    # Identical fits can differ by rounding (e.g. a linear model refitted on its own exact
    # predictions): such differences are 0, neither a win nor evidence for the test.
    rounding = _ROUNDING * np.maximum(1.0, np.abs(supervised))
    diffs = np.where(np.abs(diffs) <= rounding, 0.0, diffs)
    wins = diffs > 0 if metric.greater_is_better else diffs < 0

    rows, fold_rows = [], []
    for m, (name, _) in enumerate(named):
        for r, rate in enumerate(rates):
            if len(splits) >= 2:
                test = corrected_ttest(diffs[m, r], n_train, n_test)
                t_stat, p_value, se = test.statistic, test.p_value, test.std_error
            else:
                t_stat = p_value = se = float("nan")
            rows.append(
                {
                    "model": name,
                    "sample_rate": rate,
                    "score_mean": float(results[m, r].mean()),
                    "score_std": float(results[m, r].std(ddof=1)) if len(splits) > 1 else 0.0,
                    "diff_vs_supervised": float(diffs[m, r].mean()),
                    "diff_std_error": se,
                    "t_statistic": t_stat,
                    "p_value": p_value,
                    "wins": int(wins[m, r].sum()),
                    "n_folds": len(splits),
                    "n_pseudo_mean": float(n_pseudo[m, r].mean()),
                    "fit_time_mean": float(fit_time[m, r].mean()),
                }
            )
            if return_folds:
                for s in range(len(splits)):
                    fold_rows.append(
                        {
                            "model": name,
                            "sample_rate": rate,
                            "split": s,
                            "repeat": s // per_repeat,
                            "fold": s % per_repeat,
                            "score": float(results[m, r, s]),
                            "supervised_score": float(supervised[m, 0, s]),
                            "diff_vs_supervised": float(diffs[m, r, s]),
                            "win": bool(wins[m, r, s]),
                            "n_pseudo": int(n_pseudo[m, r, s]),
                            "fit_time": float(fit_time[m, r, s]),
                        }
                    )

    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary.attrs.update(
        metric=metric.name,
        greater_is_better=metric.greater_is_better,
        task=task,
        n_train=n_train,
        n_test=n_test,
    )
    if not return_folds:
        return summary
    folds = pd.DataFrame(fold_rows, columns=FOLD_COLUMNS)
    folds.attrs.update(summary.attrs)
    return summary, folds


def _check_sample_rates(sample_rates: Any) -> list[float]:
    values = [sample_rates] if isinstance(sample_rates, numbers.Real) else list(sample_rates)
    if not values:
        raise ValueError("sample_rates is empty: pass rates in [0, 1], e.g. (0, 0.2, 0.5, 1.0).")
    rates = set()
    for value in values:
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not 0.0 <= float(value) <= 1.0
        ):
            raise ValueError(
                f"sample_rates must be numbers in [0, 1] (0 = supervised, 1 = the whole pool); "
                f"got {value!r}."
            )
        rates.add(float(value))
    rates.add(0.0)
    return sorted(rates)


def _wrapper_class(task: str) -> type:
    from pseudoboost.pseudo_label import PseudoLabelClassifier, PseudoLabelRegressor

    return PseudoLabelClassifier if task == "classification" else PseudoLabelRegressor


def _fit_and_score(
    estimator: Any, X: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray, metric: Metric
) -> tuple[float, int, float]:
    start = time.perf_counter()
    estimator.fit(take_rows(X, train), y[train])
    seconds = time.perf_counter() - start
    score = metric.score(estimator, take_rows(X, test), y[test])
    return score, int(getattr(estimator, "n_pseudo_", 0)), seconds


def _progress_bar(progress: bool | None, total: int) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="compare", unit="fit")
