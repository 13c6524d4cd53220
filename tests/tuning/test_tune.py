"""tune(): end to end on tiny data, storage and resume, supervised baseline, errors, seeds."""

from __future__ import annotations

import json
import logging

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import FloatDistribution
from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from pseudoboost import PseudoLabelRegressor, TuneResult, tune
from pseudoboost.models import get_model, list_models, register_model, unregister_model
from pseudoboost.tuning import infer_task, pseudo_label_search_space
from pseudoboost.tuning._space import PSEUDO_KNOBS

FAST = {"model": "ridge", "cv": 3, "n_trials": 5, "n_repeats": 1}


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=160, n_features=5, noise=15.0, random_state=0)
    return X[:100], y[:100], X[100:]


def test_tiny_tune_end_to_end(data):
    X, y, pool = data
    result = tune(X, y, unlabeled=pool, **FAST)
    assert isinstance(result, TuneResult)
    assert result.metric == "rmse" and result.greater_is_better is False
    assert result.task == "regression"
    assert result.n_trials == 5 and result.n_complete + result.n_pruned + result.n_failed == 5
    assert result.cv_scores.shape == (3,) and result.supervised_cv_scores.shape == (3,)
    assert result.best_score == pytest.approx(np.mean(result.cv_scores))
    assert result.best_score_std == pytest.approx(np.std(result.cv_scores, ddof=1))
    # The re-scored chosen parameters reproduce the chosen trial exactly (same folds, seeds):
    # the study's best trial when it is chosen, the best supervised one when the paired test
    # keeps pseudo-labels out.
    best = result.study.trials[result.best_trial]
    assert result.best_score == pytest.approx(best.value, rel=1e-12)
    if result.chosen == "pseudo":
        assert best.number == result.study.best_trial.number
    assert best.user_attrs["fold_scores"] == pytest.approx(list(result.cv_scores))
    assert set(best.intermediate_values) == {0, 1, 2}
    assert result.best_params["model"] == "ridge"
    assert {"sample_rate", "alpha"} <= set(result.best_params)
    assert 0 <= result.best_params["sample_rate"] <= 1
    assert result.oof_predictions.shape == (100,) and np.isfinite(result.oof_predictions).all()
    oof_rmse = [
        np.sqrt(np.mean((result.oof_predictions[test] - y[test]) ** 2))
        for _, test in KFold(3, shuffle=True, random_state=0).split(X)
    ]
    assert oof_rmse == pytest.approx(list(result.cv_scores))
    assert isinstance(result.best_estimator_, PseudoLabelRegressor)
    assert result.pool_predictions.shape == (60,)
    np.testing.assert_allclose(result.pool_predictions, result.best_estimator_.predict(pool))
    for trial in result.study.trials:
        assert 0.0 <= trial.user_attrs["sample_rate"] <= 1.0
        assert trial.user_attrs["model"] == "ridge"
    report = json.loads(json.dumps(result.to_dict()))
    assert report["best_score"] == pytest.approx(result.best_score)
    assert len(report["trials"]) == 5 and len(report["trials"][0]["fold_scores"]) == 3


def test_sample_rate_zero_trials_equal_supervised_scores(data):
    X, y, pool = data
    result = tune(X, y, unlabeled=pool, search_space={"sample_rate": 0.0}, **FAST)
    folds = KFold(3, shuffle=True, random_state=0)
    for trial in result.study.trials:
        assert trial.user_attrs["sample_rate"] == 0.0
        model = get_model("ridge").make_estimator(alpha=trial.params["alpha"])
        plain = -cross_val_score(model, X, y, cv=folds, scoring="neg_root_mean_squared_error")
        np.testing.assert_allclose(trial.user_attrs["fold_scores"], plain, rtol=1e-10)
    np.testing.assert_array_equal(result.cv_scores, result.supervised_cv_scores)
    assert result.improvement == 0.0


def test_supervised_baseline_uses_the_best_hyperparameters_without_pseudo_labels(data):
    X, y, pool = data
    space = {"sample_rate": 0.5, "max_iter": 1}
    result = tune(X, y, unlabeled=pool, search_space=space, **{**FAST, "model": "knn"})
    assert result.best_params["sample_rate"] == 0.5
    assert "pseudo_weight" not in result.best_params  # k-NN takes no sample weights
    model = get_model("knn").make_estimator(**result.best_model_params)
    folds = KFold(3, shuffle=True, random_state=0)
    plain = -cross_val_score(model, X, y, cv=folds, scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(result.supervised_cv_scores, plain, rtol=1e-10)
    assert np.abs(result.cv_scores - plain).max() > 1e-3
    assert result.improvement == pytest.approx(result.supervised_score - result.best_score)


def test_sqlite_study_resumes_by_name(data, tmp_path):
    X, y, pool = data
    path = tmp_path / "tuning.db"
    few = {**FAST, "n_trials": 3}
    first = tune(X, y, unlabeled=pool, storage=str(path), study_name="bigmart", **few)
    assert path.is_file() and len(first.study.trials) == 3
    url = f"sqlite:///{path}"
    more = {**few, "n_trials": 2}
    second = tune(X, y, unlabeled=pool, storage=url, study_name="bigmart", **more)
    assert second.n_trials == 2
    assert len(second.study.trials) == 5
    assert [t.number for t in second.study.trials] == list(range(5))
    assert second.best_score <= first.best_score + 1e-9
    assert second.to_dict()["storage"] == url
    loaded = optuna.load_study(study_name="bigmart", storage=url)
    assert len(loaded.trials) == 5
    with pytest.raises(ValueError, match="already exists in the storage; pass load_if_exists=True"):
        tune(X, y, storage=url, study_name="bigmart", load_if_exists=False, **few)
    with pytest.raises(ValueError, match="was tuned with metric='rmse', not 'mae'"):
        tune(X, y, storage=url, study_name="bigmart", scoring="neg_mean_absolute_error", **few)


def test_unknown_model_message(data):
    X, y, _ = data
    available = ", ".join(list_models("regression"))
    with pytest.raises(ValueError) as info:
        tune(X, y, model="lightgbmm", n_trials=2)
    assert str(info.value) == f"Unknown regression model 'lightgbmm'. Available: {available}."


@pytest.mark.parametrize("n_trials", [0, -3, 2.5])
def test_n_trials_below_one_message(data, n_trials):
    X, y, _ = data
    with pytest.raises(ValueError) as info:
        tune(X, y, model="ridge", n_trials=n_trials)
    assert str(info.value) == (
        "The 'n_trials' parameter of tune must be an int in the range [1, inf) or None. "
        f"Got {n_trials!r} instead."
    )


def test_unopenable_storage_message(data, tmp_path):
    X, y, _ = data
    missing = tmp_path / "no" / "such" / "dir" / "study.db"
    with pytest.raises(ValueError) as info:
        tune(X, y, storage=str(missing), **FAST)
    message = str(info.value)
    assert message == (
        f"Cannot open the Optuna storage 'sqlite:///{missing}': "
        "(sqlite3.OperationalError) unable to open database file"
    )
    with pytest.raises(
        ValueError, match=r"^Cannot open the Optuna storage 'nosuchdb://x': "
    ) as info:
        tune(X, y, storage="nosuchdb://x", **FAST)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="give a path ending in .db"):
        tune(X, y, storage="results.txt", **FAST)


def test_same_seed_same_best_params(data):
    X, y, pool = data
    kwargs = {**FAST, "model": ["ridge", "knn"], "random_state": 7}
    first = tune(X, y, unlabeled=pool, **kwargs)
    second = tune(X, y, unlabeled=pool, **kwargs)
    assert first.best_params == second.best_params
    assert [t.params for t in first.study.trials] == [t.params for t in second.study.trials]
    np.testing.assert_array_equal(first.cv_scores, second.cv_scores)


def test_model_list_is_a_categorical_choice_with_prefixed_parameters(data):
    X, y, pool = data
    result = tune(X, y, unlabeled=pool, **{**FAST, "model": ["ridge", "knn"], "n_trials": 6})
    models = {t.params.get("model") for t in result.study.trials}
    assert models <= {"ridge", "knn"}
    for trial in result.study.trials:
        model = trial.params["model"]
        assert all(
            k.startswith(f"{model}__")
            for k in trial.params
            if k not in PSEUDO_KNOBS and k != "model"
        )
    name = result.best_params["model"]
    assert result.best_model_params.keys() == get_model(name).search_space.keys()


def test_parameter_clashing_with_a_knob_is_prefixed(data):
    X, y, pool = data
    space = {
        "hist_gradient_boosting__max_iter": 10,
        "max_leaf_nodes": 4,
        "sample_rate": 0.2,
        "max_iter": 2,
    }
    result = tune(
        X, y, unlabeled=pool, model="hist_gradient_boosting", cv=3, n_trials=1, search_space=space
    )
    assert result.best_params["hist_gradient_boosting__max_iter"] == 10
    assert result.best_params["max_iter"] == 2
    assert result.best_estimator_.max_iter == 2
    assert result.best_estimator_.estimator_.max_iter == 10


def test_search_space_overrides_and_unknown_names(data):
    X, y, pool = data
    narrow = {"alpha": FloatDistribution(5.0, 6.0)}
    result = tune(X, y, unlabeled=pool, search_space=narrow, **FAST)
    assert all(5.0 <= t.params["alpha"] <= 6.0 for t in result.study.trials)
    with pytest.raises(ValueError, match=r"search_space names unknown parameters \['alpah'\]"):
        tune(X, y, search_space={"alpah": 1.0}, **FAST)


def test_preprocessor_runs_inside_each_fold_and_pool_stays_raw(data):
    X, y, pool = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    pool_frame = pd.DataFrame(pool, columns=frame.columns)
    result = tune(
        frame,
        y,
        unlabeled=pool_frame,
        preprocessor=StandardScaler(),
        search_space={"sample_rate": 0.5, "max_iter": 1},
        **FAST,
    )
    final = result.best_estimator_
    assert final.unlabeled is pool_frame
    assert isinstance(final.estimator_, Pipeline)
    assert isinstance(final.estimator_.steps[0][1], StandardScaler)
    assert final.n_pseudo_ == 30


def test_nan_targets_join_the_pool(data):
    X, y, pool = data
    y_nan = y.copy()
    y_nan[:20] = np.nan
    result = tune(
        X, y_nan, unlabeled=pool, search_space={"sample_rate": 1.0, "max_iter": 1}, **FAST
    )
    assert result.oof_predictions.shape == (80,)
    assert result.n_pool == 80 and result.n_labelled == 80
    assert result.best_estimator_.n_pseudo_ == 80


class _Fragile:
    """A factory whose model raises for large alpha (module level, so it pickles)."""

    def __call__(self, alpha: float = 1.0) -> Ridge:
        if alpha > 1.0:
            raise RuntimeError(f"alpha={alpha:.3g} is too large for this model")
        return Ridge(alpha=alpha)


def test_failing_trials_are_recorded_and_the_study_goes_on(data):
    X, y, pool = data
    register_model("fragile", _Fragile(), {"alpha": FloatDistribution(0.01, 100.0, log=True)})
    try:
        result = tune(X, y, unlabeled=pool, model="fragile", cv=3, n_trials=8, random_state=0)
        failed = [t for t in result.study.trials if t.state == optuna.trial.TrialState.FAIL]
        assert failed and result.n_failed == len(failed) and result.n_complete >= 1
        for trial in failed:
            assert trial.params["alpha"] > 1.0
            assert trial.user_attrs["error"].startswith("RuntimeError: alpha=")
            assert trial.user_attrs["error"].endswith("is too large for this model")
        with pytest.raises(
            RuntimeError,
            match=r"No trial of study .* completed \(3 failed, 0 pruned\)"
            r"\. The first error: RuntimeError: alpha=",
        ):
            tune(
                X,
                y,
                model="fragile",
                cv=3,
                n_trials=3,
                search_space={"alpha": FloatDistribution(2.0, 3.0)},
            )
    finally:
        unregister_model("fragile")


def test_every_fold_reports_and_a_pruner_can_stop_after_the_first(data):
    X, y, pool = data
    always = optuna.pruners.ThresholdPruner(upper=0.0)  # any RMSE is above 0: prune at once
    with pytest.raises(RuntimeError, match=r"completed \(0 failed, 3 pruned\)"):
        tune(X, y, unlabeled=pool, pruner=always, **{**FAST, "n_trials": 3})
    with pytest.raises(ValueError, match=r"The 'pruner' parameter of tune must be a str among"):
        tune(X, y, pruner="fast", **FAST)


def test_keyboard_interrupt_propagates_and_finished_trials_stay(data, tmp_path):
    X, y, pool = data
    url = f"sqlite:///{tmp_path / 'stop.db'}"

    def stop_after_two(study, trial):
        if trial.number == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tune(
            X,
            y,
            unlabeled=pool,
            storage=url,
            study_name="s",
            callbacks=[stop_after_two],
            **{**FAST, "n_trials": 10},
        )
    stored = optuna.load_study(study_name="s", storage=url).trials
    assert len(stored) == 2
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in stored)


def test_two_workers_share_a_temporary_storage_and_call_back_once_per_trial(data):
    X, y, pool = data
    seen = []
    result = tune(
        X,
        y,
        unlabeled=pool,
        n_jobs=2,
        callbacks=[lambda study, trial: seen.append(trial.number)],
        **{**FAST, "n_trials": 6},
    )
    assert result.n_trials == 6 and len(result.study.trials) == 6
    assert sorted(seen) == list(range(6))
    assert isinstance(result.study._storage, optuna.storages.InMemoryStorage)


def test_in_memory_storage_object_with_workers_is_refused(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="cannot share an in-memory storage"):
        tune(X, y, storage=optuna.storages.InMemoryStorage(), n_jobs=2, **FAST)


def test_classification_with_unlabelled_rows_marked_minus_one():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=150) > 0).astype(int)
    y[100:] = -1
    result = tune(X, y, model="logistic_regression", cv=3, n_trials=4)
    assert result.task == "classification" and result.metric == "accuracy"
    assert result.greater_is_better and result.best_score > 0.7
    assert result.n_pool == 50 and result.oof_predictions.shape == (100,)
    assert set(np.unique(result.pool_predictions)) <= {0, 1}
    space = pseudo_label_search_space("classification")
    assert set(space["selection"].choices) == {"k_best", "random", "threshold"}
    assert set(space["balance_classes"].choices) == {False, True}


def test_classification_tunes_threshold_selection_and_class_balance():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(220, 3))
    y = (X[:, 0] - X[:, 1] + 0.4 * rng.normal(size=220) > 0).astype(int)
    settings = {"unlabeled": X[120:], "model": "logistic_regression", "cv": 3, "n_repeats": 1}
    result = tune(X[:120], y[:120], n_trials=8, **settings)
    pseudo = [t for t in result.study.trials if t.user_attrs.get("sample_rate", 0) > 0]
    assert pseudo and all({"threshold", "balance_classes"} <= set(t.params) for t in pseudo)
    first = pseudo[0]  # the first recipe: threshold selection at 0.95
    assert first.params["selection"] == "threshold" and first.params["threshold"] == 0.95
    fixed = {"sample_rate": 1.0, "selection": "threshold", "threshold": 0.8}
    fixed["balance_classes"] = True
    result = tune(X[:120], y[:120], n_trials=2, search_space=fixed, **settings)
    final = result.best_estimator_
    assert final.selection == "threshold" and final.threshold == 0.8 and final.balance_classes
    assert final.sample_rate is None and final.k_best is None and final.n_pseudo_ > 0


def test_infer_task():
    assert infer_task(np.array([0.5, 1.2, 3.3])) == "regression"
    assert infer_task(np.array([1.0, np.nan, 2.0])) == "regression"
    assert infer_task(np.array([0, 1, 1, -1])) == "classification"
    assert infer_task(np.array(["a", "b"], dtype=object)) == "classification"
    assert infer_task(np.arange(100, dtype=float)) == "regression"


def test_model_all_and_bad_model_lists():
    from pseudoboost.tuning._space import resolve_models

    assert [s.name for s in resolve_models("all", "regression")] == list_models("regression")
    with pytest.raises(ValueError, match="lists a name twice"):
        resolve_models(["ridge", "ridge"], "regression")
    with pytest.raises(ValueError, match="Unknown classification model 'ridge'"):
        resolve_models(["ridge"], "classification")


def test_models_that_need_nonnegative_targets_follow_the_labels(data):
    from pseudoboost.tuning._space import resolve_models

    X, y, pool = data
    signed = y - y.mean()
    names = [s.name for s in resolve_models("all", "regression", y=signed)]
    assert names == [name for name in list_models("regression") if name != "poisson_glm"]
    assert "poisson_glm" in [s.name for s in resolve_models("all", "regression", y=y - y.min())]
    with pytest.raises(ValueError, match="^Model 'poisson_glm' needs targets >= 0, but y has "):
        tune(X, signed, unlabeled=pool, model="poisson_glm", n_trials=1, cv=2)
    result = tune(X, y - y.min(), unlabeled=pool, model="poisson_glm", n_trials=2, cv=2)
    assert result.leaderboard()["model"].tolist() == ["poisson_glm"]


def test_pseudo_label_space_follows_the_estimators_selections():
    from pseudoboost.pseudo_label._regressor import REGRESSION_SELECTORS

    space = pseudo_label_search_space("regression")
    assert set(space["selection"].choices) == set(REGRESSION_SELECTORS)
    rate = space["sample_rate"]
    assert (rate.low, rate.high, rate.step) == (0.0, 1.0, 0.05)


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5])
def test_bad_n_jobs(data, n_jobs):
    X, y, _ = data
    with pytest.raises(ValueError, match=r"The 'n_jobs' parameter of tune must be an int in the"):
        tune(X, y, n_jobs=n_jobs, **FAST)


def test_string_labels_with_xgboost():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 4))
    y = np.where(X[:, 0] > 0, "spam", "ham").astype(object)
    y[:10] = None
    result = tune(X[:120], y[:120], unlabeled=X[120:], model="xgboost", n_trials=3, cv=2)
    assert result.n_complete == 3 and result.n_failed == 0
    assert result.best_score > 0.8
    assert set(result.pool_predictions) <= {"ham", "spam"}
    assert set(result.best_estimator_.predict(X[:5])) <= {"ham", "spam"}


def test_failed_trials_print_one_line_each_and_no_traceback(data, capfd, caplog):
    X, y, pool = data
    register_model("fragile_log", _Fragile(), {"alpha": FloatDistribution(0.01, 100.0, log=True)})
    try:
        result = tune(X, y, unlabeled=pool, model="fragile_log", cv=3, n_trials=8, n_repeats=1)
    finally:
        unregister_model("fragile_log")
    assert result.n_failed >= 1
    assert "Traceback" not in capfd.readouterr().err  # nothing from Optuna either
    records = [r for r in caplog.records if r.name.startswith("pseudoboost")]
    assert all(r.exc_info is None for r in records if r.levelno >= logging.INFO)
    lines = [r.getMessage() for r in records if " failed: " in r.getMessage()]
    assert len(lines) == result.n_failed
    assert all(
        line.startswith("Trial ") and "fragile_log(alpha=" in line and "RuntimeError" in line
        for line in lines
    )
    assert any(f"{result.n_failed} of 8 trials failed" in r.getMessage() for r in records)


def test_size_dependent_ranges_fit_the_folds():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=30)
    result = tune(
        X, y, model="knn", cv=3, n_trials=12, n_repeats=1, search_space={"sample_rate": 0}
    )
    assert result.n_failed == 0
    assert max(t.params["n_neighbors"] for t in result.study.trials) <= 10


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_rows_never_in_a_test_fold_have_nan_out_of_fold_predictions(task):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=100)
    model = "ridge"
    if task == "classification":
        y, model = (y > 0).astype(int), "logistic_regression"
    rows = np.arange(100)
    # Rows 80-99 are only ever trained on: their out-of-fold prediction does not exist.
    folds = [(rows[20:], rows[:20]), (np.r_[rows[:20], rows[40:]], rows[20:40])]
    result = tune(X, y, model=model, cv=folds, n_trials=2, task=task)
    oof = result.oof_predictions
    assert pd.isna(oof[40:]).all() and not pd.isna(oof[:40]).any()


def test_estimator_instances_are_tuned_as_given(data):
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsClassifier

    X, y, pool = data
    settings = {**FAST, "model": [Ridge(alpha=3.0), "knn"], "n_trials": 6}
    result = tune(X, y, unlabeled=pool, **settings)
    assert {t.user_attrs["model"] for t in result.study.trials} == {"Ridge", "knn"}
    knobs = {"model", "sample_rate", "selection", "pseudo_weight", "max_iter", "label_source"}
    ridge = [t for t in result.study.trials if t.user_attrs["model"] == "Ridge"]
    assert ridge and all(set(t.params) <= knobs | {"teacher"} for t in ridge)
    single = tune(X, y, **{**FAST, "model": Ridge(alpha=3.0)}, search_space={"sample_rate": 0})
    inner = single.best_estimator_.estimator
    assert isinstance(inner, Ridge) and inner.alpha == 3.0
    message = "Model 'KNeighborsClassifier' is a classification model but the task is regression"
    with pytest.raises(ValueError, match=message):
        tune(X, y, **{**FAST, "model": KNeighborsClassifier()}, task="regression")
