"""``tune``: one Optuna search over the model, its hyperparameters and the pseudo-labelling knobs."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState
from sklearn.utils.multiclass import type_of_target

from pseudoboost._cv import make_cv
from pseudoboost._scoring import resolve_metric
from pseudoboost.models import ModelSpec
from pseudoboost.pseudo_label._pool import build_pool
from pseudoboost.pseudo_label._rows import n_rows, take_rows
from pseudoboost.pseudo_label._targets import UNLABELED, unlabeled_mask
from pseudoboost.tuning._budget import check_total_trials, optimize_with_budget
from pseudoboost.tuning._objective import (
    Objective,
    Problem,
    build_estimator,
    cross_validate,
    single_threaded,
)
from pseudoboost.tuning._parallel import make_sampler, run_parallel
from pseudoboost.tuning._result import TuneResult
from pseudoboost.tuning._space import SearchSpace, resolve_models
from pseudoboost.tuning._storage import is_shareable, open_storage, redact


def infer_task(y: Any) -> str:
    """``"regression"`` or ``"classification"`` from the targets.

    Floats with non-integer values or NaN (the regression pool marker) are a regression;
    integer, boolean, string or categorical targets with a few classes are a classification.
    Pass ``task=`` explicitly when in doubt.
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        finite = y[np.isfinite(y)]
        if np.isnan(y).any() or not np.all(finite == np.round(finite)):
            return "regression"
        labelled = finite[finite != UNLABELED]
        return "classification" if np.unique(labelled).size <= 20 else "regression"
    if y.dtype.kind in "iub":
        labelled = y[y != UNLABELED]
        kind = type_of_target(labelled)
        return "classification" if kind in ("binary", "multiclass") else "regression"
    return "classification"


def _split_labelled(X: Any, y: Any, unlabeled: Any, task: str) -> tuple[Any, np.ndarray, Any]:
    """Labelled rows of X and y, and the pool (X's unlabelled rows then ``unlabeled``)."""
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel()
    if n_rows(X) != y.shape[0]:
        raise ValueError(f"X has {n_rows(X)} rows but y has {y.shape[0]}: they must match.")
    if task == "regression":
        try:
            y = y.astype(float)
        except (TypeError, ValueError):
            raise ValueError(
                "y must be numeric for regression; encode the target as numbers."
            ) from None
    missing = unlabeled_mask(y, task)
    labelled = np.flatnonzero(~missing)
    if labelled.size == 0:
        raise ValueError("y has no labelled rows: every target is marked unlabelled.")
    if not hasattr(X, "shape") and not hasattr(X, "iloc"):
        X = np.asarray(X)
    X_lab = take_rows(X, labelled) if missing.any() else X
    pool = build_pool(X, np.flatnonzero(missing), unlabeled)
    return X_lab, y[labelled], pool


def _resolve_pruner(pruner: Any, n_steps: int) -> optuna.pruners.BasePruner:
    if pruner is None or pruner == "none":
        return optuna.pruners.NopPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=n_steps)
    raise ValueError(
        f"pruner must be 'median', 'hyperband', 'none', None or an optuna pruner, got {pruner!r}."
    )


def _check_study_matches(study: optuna.study.Study, settings: dict[str, Any]) -> None:
    """A resumed study must have been built for the same task, metric and models."""
    stored = study.user_attrs
    if not stored:
        for key, value in settings.items():
            study.set_user_attr(key, value)
        return
    for key, value in settings.items():
        if key in stored and stored[key] != value:
            raise ValueError(
                f"Study {study.study_name!r} was tuned with {key}={stored[key]!r}, not "
                f"{value!r}: use another study_name to start a new study."
            )


def tune(
    X: Any,
    y: Any,
    *,
    unlabeled: Any = None,
    model: str | ModelSpec | Sequence[str | ModelSpec] = "lightgbm",
    n_trials: int | None = 100,
    total_trials: int | None = None,
    timeout: float | None = None,
    cv: int | Any = 5,
    n_repeats: int = 1,
    scoring: str | Callable | None = None,
    storage: str | os.PathLike | optuna.storages.BaseStorage | None = None,
    study_name: str | None = None,
    load_if_exists: bool = True,
    n_jobs: int = 1,
    random_state: int | None = 0,
    preprocessor: Any = None,
    pruner: str | optuna.pruners.BasePruner | None = "median",
    callbacks: Sequence[Callable[[optuna.study.Study, optuna.trial.FrozenTrial], None]]
    | None = None,
    task: str = "auto",
    refit: bool = True,
    search_space: Mapping[str, Any] | None = None,
) -> TuneResult:
    """Tune a model's hyperparameters and its pseudo-labelling knobs together with Optuna.

    Each trial picks a model (when several compete), ``sample_rate`` in 0, 0.05, ..., 1
    (0 = no pseudo-labels, so tuning may honestly choose none), ``selection``,
    ``pseudo_weight``, ``max_iter`` and the model's hyperparameters, and cross-validates
    ``PseudoLabelRegressor(make_pipeline(preprocessor, model), unlabeled=pool)`` (or the
    classifier): the pool stays raw and the preprocessor is fitted inside every fold, so no
    fold sees its own test rows. Every fold reports its running mean to the pruner. The best
    parameters are then cross-validated again with and without pseudo-labels on the same
    folds, and refitted on all labelled rows and the pool.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Training rows. Rows whose target is NaN (regression) or -1 (classification) join the pool.
    y : array-like of shape (n_samples,)
        Targets.
    unlabeled : array-like or DataFrame, default=None
        More unlabelled rows with X's columns (e.g. a competition's test file).
    model : str, ModelSpec, list of them, or "all", default="lightgbm"
        Registry names (see :func:`pseudoboost.models.list_models`); a list makes the model
        a categorical choice of the search.
    n_trials : int, default=100
        Trials to add to the study in this call (None: until ``timeout``).
    total_trials : int, default=None
        A study-wide budget instead of ``n_trials``: run trials until the study holds this
        many finished trials in all, counting every process that works on it and earlier
        runs. Several processes given the same ``storage``, ``study_name`` and
        ``total_trials`` together run exactly ``total_trials`` trials; a trial of a worker
        that died is retried and counts once; a process that finds the study full runs no
        trial and only summarises (and refits) the best one. ``n_trials`` is then not used
        (bound one process with ``timeout``), and the sampler is seeded from the operating
        system so that the workers explore different parameters (the folds stay seeded by
        ``random_state``, so every worker scores on the same folds).
    timeout : float, default=None
        Stop starting trials after this many seconds.
    cv : int or splitter, default=5
        Folds (shuffled, stratified for classification, seeded by ``random_state``) or a
        scikit-learn splitter used as given (e.g. ``KFold(8)`` without shuffling).
    n_repeats : int, default=1
        Repetitions of an integer ``cv`` with different shuffles.
    scoring : str or callable, default=None
        A scikit-learn scorer; None is RMSE for regression and accuracy for classification.
        Scores are reported in the metric's natural sign (an RMSE is positive).
    storage : str, path, optuna storage or None, default=None
        None keeps the study in memory; a path ending in ``.db`` or a ``sqlite:///`` URL is
        a SQLite file; any other SQLAlchemy URL (``postgresql://...``) works. Database
        storages record heartbeats, and the trial of a worker that died is run again
        (up to 3 times).
    study_name : str, default=None
        Name of the study; an existing study of that name in ``storage`` is resumed (its
        trials count towards the best). None makes a new, uniquely named study.
    load_if_exists : bool, default=True
        If False, an existing study of the same name raises a ValueError.
    n_jobs : int, default=1
        Worker processes running trials at once (-1: one per CPU). With several workers
        the sampler is no longer deterministic, and ``storage=None`` is backed by a temporary
        SQLite file that is copied into memory at the end and removed.
    random_state : int or None, default=0
        Seeds the sampler, the folds, the pseudo-label selection and the models; the same
        seed with ``n_jobs=1`` gives the same best parameters.
    preprocessor : transformer, default=None
        Applied inside the pseudo-labelling estimator, fitted on each fold's rows.
    pruner : {"median", "hyperband", "none"}, optuna pruner or None, default="median"
        Stops unpromising trials after any fold. "median": Optuna's MedianPruner after 5
        complete trials.
    callbacks : list of callables, default=None
        ``callback(study, frozen_trial)`` called in this process after every finished trial
        (with ``n_jobs > 1`` the storage is polled every half second).
    task : {"auto", "regression", "classification"}, default="auto"
        "auto" guesses from ``y`` (see ``infer_task``).
    refit : bool, default=True
        Refit the best pipeline on all labelled rows and the pool.
    search_space : dict, default=None
        Overrides by study parameter name: an optuna distribution replaces the default range,
        any other value fixes the parameter (``{"sample_rate": 0}`` tunes a supervised model).

    Returns
    -------
    TuneResult

    Raises
    ------
    ValueError
        For an unknown model, ``n_trials < 1``, a storage that cannot be opened, a resumed
        study built for another task or metric.
    RuntimeError
        When no trial completes (the message quotes the first trial's error).
    KeyboardInterrupt
        Propagates; trials finished before it stay in the storage (give a database storage
        to keep them: with ``storage=None`` the in-memory study or the temporary SQLite file
        of ``n_jobs > 1`` goes with the call).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from pseudoboost import tune
    >>> X, y = make_regression(n_samples=120, n_features=5, noise=5, random_state=0)
    >>> result = tune(X[:80], y[:80], unlabeled=X[80:], model="ridge", n_trials=4, cv=3)
    >>> result.metric, len(result.cv_scores)
    ('rmse', 3)
    """
    start = time.perf_counter()
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, Integral) or n_trials < 1
    ):
        raise ValueError(f"n_trials must be a positive integer, got {n_trials!r}.")
    check_total_trials(total_trials)
    if total_trials is not None:
        n_trials = None
    if n_trials is None and timeout is None and total_trials is None:
        raise ValueError("Give n_trials or timeout (or both): with neither, tuning never ends.")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}.")
    if task == "auto":
        task = infer_task(y)
    elif task not in ("regression", "classification"):
        raise ValueError(f"task must be 'auto', 'regression' or 'classification', got {task!r}.")
    space = SearchSpace(resolve_models(model, task), task, dict(search_space or {}), preprocessor)
    metric = resolve_metric(scoring, task)
    X_lab, y_lab, pool = _split_labelled(X, y, unlabeled, task)
    splitter = make_cv(cv, n_repeats=n_repeats, task=task, random_state=random_state)
    splits = [(np.asarray(train), np.asarray(test)) for train, test in splitter.split(X_lab, y_lab)]
    problem = Problem(X_lab, y_lab, pool, splits, task, metric, preprocessor, random_state)
    objective = Objective(problem, space)
    pruner = _resolve_pruner(pruner, len(splits))

    opened = open_storage(storage)
    temporary_dir = None
    if n_jobs > 1 and not is_shareable(opened):
        if opened is not None:
            raise ValueError(
                "n_jobs > 1 runs trials in separate processes, which cannot share an in-memory "
                "storage: pass storage='tuning.db' (or another database URL)."
            )
        temporary_dir = tempfile.mkdtemp(prefix="pseudoboost-tune-")
        opened = open_storage(os.path.join(temporary_dir, "study.db"))
    if n_jobs > 1 and not isinstance(opened, optuna.storages.RDBStorage):
        raise ValueError(
            "n_jobs > 1 needs a database storage (a .db path or a database URL) that worker "
            f"processes can open, got {type(opened).__name__}."
        )
    direction = "maximize" if metric.greater_is_better else "minimize"
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            storage=opened,
            sampler=make_sampler(random_state if total_trials is None else None),
            pruner=pruner,
            study_name=study_name,
            direction=direction,
            load_if_exists=load_if_exists,
        )
    except optuna.exceptions.DuplicatedStudyError:
        raise ValueError(
            f"A study named {study_name!r} already exists in the storage; pass "
            "load_if_exists=True to resume it or choose another study_name."
        ) from None
    except ValueError as error:
        raise ValueError(f"Cannot use study {study_name!r}: {error}") from None
    finally:
        optuna.logging.set_verbosity(verbosity)
    _check_study_matches(
        study, {"task": task, "metric": metric.name, "models": [s.name for s in space.models]}
    )
    n_before = len(study.get_trials(deepcopy=False))

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            if n_jobs == 1 and total_trials is not None:
                optimize_with_budget(
                    study,
                    objective,
                    total_trials=total_trials,
                    timeout=timeout,
                    callbacks=callbacks,
                )
            elif n_jobs == 1:
                study.optimize(
                    objective,
                    n_trials=n_trials,
                    timeout=timeout,
                    catch=(Exception,),
                    callbacks=list(callbacks or []),
                )
            else:
                run_parallel(
                    study,
                    opened.url,
                    objective,
                    n_trials=n_trials,
                    total_trials=total_trials,
                    n_jobs=n_jobs,
                    timeout=timeout,
                    random_state=random_state if total_trials is None else None,
                    pruner=pruner,
                    callbacks=callbacks,
                )
        trials = study.get_trials(deepcopy=False)
        result = _summarise(study, trials, n_before, problem, space, refit)
        if temporary_dir is not None:
            memory = optuna.storages.InMemoryStorage()
            optuna.copy_study(
                from_study_name=study.study_name, from_storage=opened, to_storage=memory
            )
            result.study = optuna.load_study(
                study_name=study.study_name,
                storage=memory,
                sampler=make_sampler(random_state),
                pruner=pruner,
            )
    finally:
        optuna.logging.set_verbosity(verbosity)
        if temporary_dir is not None:
            shutil.rmtree(temporary_dir, ignore_errors=True)
    result.wall_time = time.perf_counter() - start
    if isinstance(opened, optuna.storages.RDBStorage) and temporary_dir is None:
        result.extra["storage"] = redact(opened.url)
    return result


def _summarise(
    study: optuna.study.Study,
    trials: list[optuna.trial.FrozenTrial],
    n_before: int,
    problem: Problem,
    space: SearchSpace,
    refit: bool,
) -> TuneResult:
    """Re-score the best trial with and without pseudo-labels and refit it."""
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    if not complete:
        failed = [t for t in trials if t.state == TrialState.FAIL]
        first = next((t.user_attrs["error"] for t in failed if "error" in t.user_attrs), None)
        detail = f" The first error: {first}" if first else ""
        raise RuntimeError(
            f"No trial of study {study.study_name!r} completed ({len(failed)} failed, "
            f"{sum(t.state == TrialState.PRUNED for t in trials)} pruned).{detail}"
        )
    best = study.best_trial
    try:
        spec, pseudo, params = space.decode(best.params)
    except KeyError as error:
        raise ValueError(
            f"The best trial of study {study.study_name!r} lacks parameter {error}: it was "
            "tuned over another search space; use another study_name."
        ) from None
    cv_scores, oof, _ = cross_validate(problem, spec, pseudo, params, return_oof=True)
    if pseudo["sample_rate"] == 0:
        supervised = cv_scores
    else:
        supervised, _, _ = cross_validate(problem, spec, {"sample_rate": 0.0}, params)
    estimator = pool_predictions = None
    if refit:
        with single_threaded():
            estimator = build_estimator(problem, spec, pseudo, params)
            estimator.fit(problem.X, problem.y)
        if problem.pool is not None:
            pool_predictions = np.asarray(estimator.predict(problem.pool))
    return TuneResult(
        best_params=space.flat(spec, pseudo, params),
        best_score=float(np.mean(cv_scores)),
        best_score_std=float(np.std(cv_scores)),
        cv_scores=cv_scores,
        oof_predictions=oof,
        supervised_score=float(np.mean(supervised)),
        supervised_score_std=float(np.std(supervised)),
        supervised_cv_scores=supervised,
        best_estimator_=estimator,
        pool_predictions=pool_predictions,
        study=study,
        metric=problem.metric.name,
        greater_is_better=problem.metric.greater_is_better,
        task=problem.task,
        n_trials=len(trials) - n_before,
        n_complete=len(complete),
        n_pruned=sum(t.state == TrialState.PRUNED for t in trials),
        n_failed=sum(t.state == TrialState.FAIL for t in trials),
        extra={
            "best_trial": best.number,
            "best_model_params": params,
            "n_labelled": int(len(problem.y)),
            "n_pool": problem.n_pool,
            "n_folds": len(problem.splits),
        },
    )
