"""``tune``: one Optuna search over the model, its hyperparameters and the pseudo-labelling knobs."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import optuna
import pandas as pd
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    validate_params,
)

from pseudoboost._cv import make_cv
from pseudoboost._extrapolation import ExtrapolationWarning, far_outside
from pseudoboost._scoring import resolve_metric

# ``infer_task`` is re-exported here; the rule lives in pseudoboost/_task.py.
from pseudoboost._task import infer_task  # noqa: E402
from pseudoboost.models import ModelSpec
from pseudoboost.pseudo_label._pool import build_pool
from pseudoboost.pseudo_label._rows import n_rows, take_rows
from pseudoboost.pseudo_label._targets import unlabeled_mask
from pseudoboost.tuning._objective import Problem
from pseudoboost.tuning._parallel import make_sampler
from pseudoboost.tuning._pruning import FirstTrialPerModelPruner
from pseudoboost.tuning._result import TuneResult
from pseudoboost.tuning._search import Search, summarise
from pseudoboost.tuning._space import SearchSpace, resolve_models
from pseudoboost.tuning._storage import is_shareable, open_storage, redact


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
    else:  # -1, NaN and None mark unlabelled rows, as in compare and the CLI
        from pseudoboost._class_labels import unlabeled_labels

        missing = unlabeled_labels(y)
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
        return FirstTrialPerModelPruner(
            optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
        )
    if pruner == "hyperband":
        # Not wrapped: Optuna's samplers see only the trial's bracket when, and only when,
        # ``study.pruner`` is a HyperbandPruner itself.
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


REFIT_SHARE = 0.1  # of ``timeout``, kept for choosing the ensemble and the final refit


def auto_repeats(n_labelled: int) -> int:
    """Repeats of k-fold CV for ``n_repeats="auto"``: more where folds are small and noisy."""
    if n_labelled < 200:
        return 3
    if n_labelled < 1000:
        return 2
    return 1


def auto_pool_size(n_labelled: int) -> int:
    """Pool rows used for ``pool_size="auto"``: ten per labelled row, at least 2,000."""
    return max(2000, 10 * n_labelled)


def _subsample_pool(pool: Any, pool_size: int | str | None, n_labelled: int, seed: Any) -> Any:
    """A seeded random subset of the pool (the same rows for every trial and the refit)."""
    if pool is None or pool_size is None:
        return pool
    size = auto_pool_size(n_labelled) if pool_size == "auto" else pool_size
    if n_rows(pool) <= size:
        return pool
    rng = np.random.RandomState(seed)
    return take_rows(pool, np.sort(rng.choice(n_rows(pool), size=size, replace=False)))


def _check_budget(n_trials: Any, total_trials: Any, timeout: Any, n_jobs: int) -> int:
    """The rules between parameters (each one alone is checked by ``validate_params``)."""
    if n_trials is None and timeout is None and total_trials is None:
        raise ValueError("Give n_trials or timeout (or both): with neither, tuning never ends.")
    return (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)


_POSITIVE_INT = Interval(Integral, 1, None, closed="left")
# One message shape with the estimators: "The 'x' parameter of tune must be ... Got ...".
TUNE_CONSTRAINTS: dict[str, list] = {
    "n_trials": [_POSITIVE_INT, None],
    "total_trials": [_POSITIVE_INT, None],
    "timeout": [Interval(Real, 0, None, closed="neither"), None],
    "cv": ["cv_object"],
    "n_repeats": [_POSITIVE_INT, StrOptions({"auto"})],
    "load_if_exists": ["boolean"],
    "n_jobs": [_POSITIVE_INT, Options(Integral, {-1})],
    "random_state": [Interval(Integral, None, None, closed="neither"), None],
    "pruner": [StrOptions({"median", "hyperband", "none"}), HasMethods(["prune"]), None],
    "task": [StrOptions({"auto", "regression", "classification"})],
    "refit": ["boolean"],
    "search_space": [Mapping, None],
    "pool_size": [_POSITIVE_INT, StrOptions({"auto"}), None],
    "alpha": [Interval(Real, 0, 1, closed="right")],
}


@validate_params(TUNE_CONSTRAINTS, prefer_skip_nested_validation=True)
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
    n_repeats: int | str = "auto",
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
    pool_size: int | str | None = "auto",
    alpha: float = 0.1,
) -> TuneResult:
    """Tune models, their hyperparameters and the pseudo-labelling knobs with Optuna.

    The budget is spent in two phases on the same folds (``pseudoboost.tuning._phases``).
    **Supervised**: 60% of the budget searches the models and their hyperparameters without
    pseudo-labels; each model's known-good configuration runs first, cheapest first, then
    the alternative configurations that take at most half the time left, then the
    competitive models share the time. **Pseudo-labelling**: the rest tries recipes
    (confidence-selected rows, plain self-training, the supervised ensemble as the teacher,
    fold-teacher labels, COREG) on the best models' configurations, then tunes
    ``sample_rate``, ``selection``, ``pseudo_weight``, ``max_iter``, ``label_source`` and
    ``teacher`` around the best one.
    Each candidate is ``PseudoLabelRegressor(make_pipeline(preprocessor, model),
    unlabeled=pool)`` (or the classifier): the pool stays raw and the preprocessor is fitted
    inside every fold, so no fold sees its own test rows.

    What is returned (regression): the best supervised trial, or the weighted ensemble of
    the best supervised trials when its nested CV score is better, or the best
    pseudo-labelled trial only when it beats that baseline by the corrected paired t-test at
    level ``alpha`` on the same folds. Pseudo-labels therefore cost the supervised result
    nothing but the time of the second phase. The result is refitted on all labelled rows
    and the pool.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Training rows. Rows whose target is NaN (regression) or -1 (classification) join the pool.
    y : array-like of shape (n_samples,)
        Targets.
    unlabeled : array-like or DataFrame, default=None
        More unlabelled rows with X's columns (e.g. a competition's test file).
    model : str, ModelSpec, estimator, list of them, or "all", default="lightgbm"
        Registry names (see :func:`pseudoboost.models.list_models`), specs, or estimator
        instances (kept as given: only the pseudo-labelling knobs are tuned for them, as
        ``compare`` accepts them); with several, each trial's model is chosen by the
        schedule (first phase) or the sampler. ``"all"``: every registered model that can
        run on the data's size.
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
        ``random_state``, so every worker scores on the same folds). The workers run one
        joint search of the models and the knobs, without the two phases.
    timeout : float, default=None
        Seconds for the call: the search stops at 90% of it (no trial, and no fold of a
        running trial, starts later; nor one that the times measured so far say would end
        later, and the search stops there), keeping the rest for the ensemble and the final refit
        (an ensemble takes only members whose estimated refit times fit in it, even when
        the last trial ran past 90%); the returned forests are refitted with up to 4 times
        their searched trees, as many as half the time then left holds
        (``TuneResult.refit_growth``).
    cv : int or splitter, default=5
        Folds (shuffled, stratified for classification, seeded by ``random_state``) or a
        scikit-learn splitter used as given (e.g. ``KFold(8)`` without shuffling).
    n_repeats : int or "auto", default="auto"
        Repetitions of an integer ``cv`` with different shuffles. "auto": 3 below 200
        labelled rows, 2 below 1,000, else 1 (small folds are noisy).
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
        Seeds the sampler, the folds, the pool subset, the pseudo-label selection and the
        models; the same seed with ``n_jobs=1`` and no ``timeout`` gives the same result.
    preprocessor : transformer, default=None
        Applied inside the pseudo-labelling estimator, fitted on each fold's rows.
    pruner : {"median", "hyperband", "none"}, optuna pruner or None, default="median"
        Stops unpromising trials after any fold. "median": Optuna's MedianPruner after 5
        complete trials, never on a model's first trial (its default with ``model="all"``),
        so every model reaches the ensemble of trials (:class:`FirstTrialPerModelPruner`).
        "hyperband" and an optuna pruner are used as they are.
    callbacks : list of callables, default=None
        ``callback(study, frozen_trial)`` called in this process after every finished trial
        (with ``n_jobs > 1`` the storage is polled every half second).
    task : {"auto", "regression", "classification"}, default="auto"
        "auto" guesses from ``y`` (see :func:`infer_task`).
    refit : bool, default=True
        Refit the returned candidate on all labelled rows and the pool.
    search_space : dict, default=None
        Overrides by study parameter name: an optuna distribution replaces the default range,
        any other value fixes the parameter. ``{"sample_rate": 0}`` is the supervised search:
        the whole budget goes to the first phase.
    pool_size : int, "auto" or None, default="auto"
        Pool rows used (a seeded random subset, the same for every trial and the refit), so
        that a large pool does not make every trial many times dearer. "auto": ten per
        labelled row, at least 2,000. None: the whole pool.
    alpha : float, default=0.1
        Level of the one-sided corrected paired t-test the best pseudo-labelled trial must
        pass against the supervised baseline to be returned; 1.0 returns the better mean.

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
    ('rmse', 9)
    """
    start = time.perf_counter()
    n_jobs = _check_budget(n_trials, total_trials, timeout, n_jobs)
    if total_trials is not None:
        n_trials = None
    if task == "auto":
        task = infer_task(y)
    metric = resolve_metric(scoring, task)
    X_lab, y_lab, pool = _split_labelled(X, y, unlabeled, task)
    if pool is not None and (shift := far_outside(X_lab, pool)) is not None:
        warnings.warn(f"{shift.message()}.", ExtrapolationWarning, stacklevel=2)
    pool = _subsample_pool(pool, pool_size, len(y_lab), random_state)
    if n_repeats == "auto":
        n_repeats = auto_repeats(len(y_lab)) if isinstance(cv, Integral) else 1
    splitter = make_cv(cv, n_repeats=n_repeats, task=task, random_state=random_state)
    splits = [(np.asarray(train), np.asarray(test)) for train, test in splitter.split(X_lab, y_lab)]
    problem = Problem(X_lab, y_lab, pool, splits, task, metric, preprocessor, random_state)
    models = resolve_models(model, task, n_samples=problem.n_fit, y=y_lab)
    space = SearchSpace(models, task, dict(search_space or {}), preprocessor, problem.n_fit)
    pruner = _resolve_pruner(pruner, len(splits))
    end = None if timeout is None else start + timeout
    if timeout is not None:  # the last part of the budget is kept for the ensemble and refit
        timeout = (1 - REFIT_SHARE) * timeout
    deadline = None if timeout is None else start + timeout
    opened, temporary_dir = _open(storage, n_jobs)
    try:
        study = _create_study(
            opened, study_name, load_if_exists, metric, random_state, total_trials, pruner
        )
        _check_study_matches(
            study, {"task": task, "metric": metric.name, "models": [s.name for s in space.models]}
        )
        n_before = len(study.get_trials(deepcopy=False))
        search = Search(
            study,
            problem,
            space,
            deadline=deadline,
            n_jobs=n_jobs,
            storage=opened,
            random_state=random_state if total_trials is None else None,
            pruner=pruner,
            callbacks=callbacks,
        )
        with _quiet_optuna():
            search.run(n_trials=n_trials, total_trials=total_trials, timeout=timeout)
            result = summarise(search, n_before, refit=refit, alpha=alpha, end=end)
        if temporary_dir is not None:
            result.study = _in_memory_copy(study, opened, random_state, pruner)
    finally:
        if temporary_dir is not None:
            shutil.rmtree(temporary_dir, ignore_errors=True)
    result.wall_time = time.perf_counter() - start
    if isinstance(opened, optuna.storages.RDBStorage) and temporary_dir is None:
        result.storage = redact(opened.url)
    return result


def _open(storage: Any, n_jobs: int) -> tuple[Any, str | None]:
    """The opened storage, and the temporary folder backing it when workers need one."""
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
    return opened, temporary_dir


def _create_study(
    opened: Any,
    study_name: str | None,
    load_if_exists: bool,
    metric: Any,
    random_state: int | None,
    total_trials: int | None,
    pruner: optuna.pruners.BasePruner,
) -> optuna.study.Study:
    try:
        with _quiet_optuna():
            return optuna.create_study(
                storage=opened,
                sampler=make_sampler(random_state if total_trials is None else None),
                pruner=pruner,
                study_name=study_name,
                direction="maximize" if metric.greater_is_better else "minimize",
                load_if_exists=load_if_exists,
            )
    except optuna.exceptions.DuplicatedStudyError:
        raise ValueError(
            f"A study named {study_name!r} already exists in the storage; pass "
            "load_if_exists=True to resume it or choose another study_name."
        ) from None
    except ValueError as error:
        raise ValueError(f"Cannot use study {study_name!r}: {error}") from None


def _in_memory_copy(
    study: optuna.study.Study, opened: Any, random_state: int | None, pruner: Any
) -> optuna.study.Study:
    memory = optuna.storages.InMemoryStorage()
    with _quiet_optuna():
        optuna.copy_study(from_study_name=study.study_name, from_storage=opened, to_storage=memory)
        return optuna.load_study(
            study_name=study.study_name,
            storage=memory,
            sampler=make_sampler(random_state),
            pruner=pruner,
        )


@contextmanager
def _quiet_optuna():
    """Optuna's own logging down to errors: a failed trial prints one line, ours."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)
