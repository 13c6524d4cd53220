"""tune's schedule: defaults first and cheapest first, the pseudo-labelling phase, what is
returned, the ensemble of trials, the leaderboard and the anytime curve."""

from __future__ import annotations

import time

import numpy as np
import optuna
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_friedman1

from pseudoboost import tune
from pseudoboost.models import get_model
from pseudoboost.models._spec import contains
from pseudoboost.tuning._phases import (
    ENQUEUED,
    TIME_LEFT_SHARE,
    Queue,
    alternative_seconds,
    next_alternative,
    recipe_seconds,
)
from pseudoboost.tuning._space import SearchSpace


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=400, n_features=6, noise=0.5, random_state=0)
    return X[:120], y[:120], X[120:]


@pytest.fixture(scope="module")
def searched(friedman):
    X, y, pool = friedman
    models = ["ridge", "knn", "extra_trees"]
    return tune(X, y, unlabeled=pool, model=models, n_trials=14, cv=3, n_repeats=1)


def test_defaults_run_first_cheapest_first(searched):
    first = searched.study.trials[:3]
    names = [t.params["model"] for t in first]
    costs = [get_model(name).cost for name in names]
    assert costs == sorted(costs) and set(names) == {"ridge", "knn", "extra_trees"}
    for trial in first:
        spec = get_model(trial.params["model"])
        expected = spec.defaults_for(80)
        got = {k.split("__", 1)[1]: v for k, v in trial.params.items() if "__" in k}
        assert got == pytest.approx(expected)
        assert trial.user_attrs[ENQUEUED] == "schedule"


def test_alternatives_run_after_every_default(friedman):
    X, y, pool = friedman
    models = ["ridge", "xgboost", "extra_trees"]
    result = tune(
        X, y, model=models, n_trials=6, cv=3, n_repeats=1, search_space={"sample_rate": 0}
    )
    trials = result.study.trials
    assert [t.params["model"] for t in trials[:3]] == ["ridge", "extra_trees", "xgboost"]
    # Then the alternatives: the competitive models' first (best score within 5% of the
    # best), then the cheapest model first: extra_trees (cost 3), xgboost (cost 4).
    best = min(t.value for t in trials[:3])
    competitive = {t.params["model"] for t in trials[:3] if t.value <= 1.05 * best}
    expected = sorted(["extra_trees", "xgboost"], key=lambda name: name not in competitive)
    assert [t.params["model"] for t in trials[3:5]] == expected
    for trial in trials[3:5]:
        spec = get_model(trial.params["model"])
        got = {k.split("__", 1)[1]: v for k, v in trial.params.items() if "__" in k}
        assert got == pytest.approx(spec.alternatives_for(80)[0])
        assert trial.user_attrs[ENQUEUED] == "schedule"


def test_phases_and_what_is_returned(searched):
    phases = [t.user_attrs.get("phase") for t in searched.study.trials]
    n_first = int(np.ceil(0.6 * 14))
    assert phases[:n_first] == ["supervised"] * n_first
    assert set(phases[n_first:]) == {"pseudo"}
    assert all(t.user_attrs["sample_rate"] == 0 for t in searched.study.trials[:n_first])
    assert any(t.user_attrs["sample_rate"] > 0 for t in searched.study.trials[n_first:])
    # Pseudo-labels are returned only when they pass the paired test; otherwise the baseline.
    if searched.chosen.startswith("pseudo"):
        assert searched.pseudo_p_value < searched.alpha
        assert searched.best_score < searched.supervised_score
    else:
        assert searched.best_score == searched.supervised_score
        np.testing.assert_array_equal(searched.cv_scores, searched.supervised_cv_scores)
    if searched.pseudo_score is not None:  # recipes may all be pruned
        assert 0 <= searched.pseudo_p_value <= 1


def test_plain_self_training_is_the_second_recipe(searched):
    n_first = int(np.ceil(0.6 * 14))
    recipes = [t for t in searched.study.trials[n_first:] if t.user_attrs[ENQUEUED] == "schedule"]
    knobs = ("teacher", "selection", "sample_rate", "label_source")
    # The first recipe on each of the two best students, then the student labelling the whole
    # pool itself (no ensemble, no fold teachers) on the best one.
    assert len(recipes) >= 3
    assert [recipes[0].params[k] for k in knobs[:3]] == ["ensemble", "confidence", 0.5]
    assert [recipes[2].params[k] for k in knobs] == ["self", "random", 1.0, "model"]
    assert recipes[2].params["model"] == recipes[0].params["model"]


def test_ensemble_weights_sum_to_one_on_the_same_folds(friedman):
    X, y, pool = friedman
    result = tune(
        X, y, model=["ridge", "knn"], n_trials=8, cv=3, n_repeats=1, search_space={"sample_rate": 0}
    )
    assert result.chosen in ("supervised", "ensemble") and result.baseline == result.chosen
    assert result.cv_scores.shape == (3,) and np.isfinite(result.oof_predictions).all()
    if result.chosen == "ensemble":
        weights = [m["weight"] for m in result.best_params["members"]]
        assert sum(weights) == pytest.approx(1.0) and min(weights) > 0
        complete = result.study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
        best_single = min(t.value for t in complete)  # a pruned trial's value is a fold's
        # Nested: the weights scored on a fold were chosen on the others, so the ensemble's
        # CV score may be worse than the plain in-sample blend, but it beat the best trial.
        assert result.best_score < best_single
        predictions = result.best_estimator_.predict(X)
        assert predictions.shape == (len(y),)


def test_leaderboard_one_row_per_model_and_anytime_curve(searched):
    board = searched.leaderboard()
    tried = {t.user_attrs["model"] for t in searched.study.trials}
    models = set(board["model"]) - {"ensemble"}
    assert models == tried
    assert board["chosen"].sum() == 1
    total = board.loc[board["model"] != "ensemble", ["n_complete", "n_pruned", "n_failed"]]
    assert int(total.to_numpy().sum()) == searched.n_trials
    curve = searched.anytime_curve()
    assert list(curve.columns) == ["seconds", "best_score", "trial"]
    assert (np.diff(curve["seconds"]) >= 0).all() and (np.diff(curve["best_score"]) < 0).all()


def test_effective_sample_rate_weighs_an_ensembles_members(searched):
    import dataclasses

    members = [
        {"trial": 1, "model": "knn", "weight": 0.75, "pseudo": {"sample_rate": 1.0}, "params": {}},
        {
            "trial": 2,
            "model": "ridge",
            "weight": 0.25,
            "pseudo": {"sample_rate": 0.0},
            "params": {},
        },
    ]
    ensemble = dataclasses.replace(
        searched,
        best_params={"model": "ensemble", "sample_rate": 0.0, "members": members},
        chosen="pseudo_ensemble",
    )
    assert ensemble.effective_sample_rate == pytest.approx(0.75)
    assert "(ensemble, sample_rate=0.75)" in ensemble.summary().splitlines()[0]
    row = ensemble.leaderboard().set_index("model").loc["ensemble"]
    assert row["best_sample_rate"] == pytest.approx(0.75) and row["chosen"]
    single = dataclasses.replace(searched, best_params={"model": "knn", "sample_rate": 0.3})
    assert single.effective_sample_rate == 0.3


def test_summary_says_why_no_pseudo_labelled_trial_completed(searched):
    import dataclasses

    from optuna.distributions import FloatDistribution

    from pseudoboost.tuning._objective import TOO_DEAR

    study = optuna.create_study()
    rate = {"sample_rate": FloatDistribution(0.0, 1.0)}

    def pruned(sample_rate, **attrs):
        study.add_trial(
            optuna.trial.create_trial(
                state=optuna.trial.TrialState.PRUNED,
                params={"sample_rate": sample_rate},
                distributions=rate,
                user_attrs={"sample_rate": sample_rate, **attrs},
            )
        )

    pruned(0.0, fold_scores=[9.0])  # supervised: not counted
    pruned(0.5, fold_scores=[5.0, 7.0])  # 6.0 against 4.5 on folds 1-2: 1.5 behind
    pruned(0.3, fold_scores=[3.6])  # 3.6 against 3.0 on fold 1: closest, 0.6 behind
    pruned(1.0, **{TOO_DEAR: 80.0})
    result = dataclasses.replace(
        searched,
        study=study,
        pseudo_score=None,
        supervised_cv_scores=np.array([3.0, 6.0, 5.0]),
        n_folds=3,
        greater_is_better=False,
    )
    assert result.summary().splitlines()[2] == (
        "pseudo-labels: no pseudo-labelled trial completed; 2 stopped early by the pruner, the "
        "baseline check or the deadline (the closest: 3.6 on its first 1 of 3 folds, the "
        "baseline 3 on those), 1 not started (estimated to end after the deadline)"
    )
    empty = dataclasses.replace(result, study=optuna.create_study())
    assert empty.summary().splitlines()[2] == "pseudo-labels: no pseudo-labelled trial completed"


def test_summary_and_save_describe_the_result(searched, tmp_path):
    import json

    import pandas as pd

    lines = searched.summary().splitlines()
    assert lines[0].startswith(f"returned: {searched.chosen} ({searched.best_model}, ")
    assert f"same folds: {searched.supervised_score:.6g}" in lines[1]
    assert lines[-1] == (
        f"trials: {searched.n_complete} complete, {searched.n_pruned} pruned, "
        f"{searched.n_failed} failed"
    )
    verdict = "returned" if searched.chosen.startswith("pseudo") else "not returned"
    assert lines[2].endswith(verdict) or searched.pseudo_score is None
    paths = searched.save(tmp_path / "run")
    assert [p.name for p in paths] == ["result.json", "trials.csv", "leaderboard.csv"]
    saved = json.loads(paths[0].read_text())
    assert saved["best_score"] == pytest.approx(searched.best_score) and "trials" not in saved
    assert len(pd.read_csv(paths[1])) == len(searched.study.trials)
    board = pd.read_csv(paths[2])
    assert board["model"].tolist() == searched.leaderboard()["model"].tolist()


def test_supervised_only_search_never_samples_knobs(friedman):
    X, y, pool = friedman
    result = tune(
        X, y, unlabeled=pool, model="ridge", n_trials=5, cv=3, search_space={"sample_rate": 0}
    )
    assert all(t.user_attrs["sample_rate"] == 0 for t in result.study.trials)
    assert result.pseudo_score is None and result.chosen == "supervised"


def test_pool_is_subsampled_and_repeats_follow_the_size(friedman):
    X, y, pool = friedman
    result = tune(X, y, unlabeled=pool, model="ridge", n_trials=2, cv=3, pool_size=50)
    assert result.n_pool == 50 and result.best_estimator_.unlabeled.shape == (50, 6)
    assert result.n_folds == 9  # 120 labelled rows: 3 repeats of 3 folds
    with pytest.raises(ValueError, match="The 'pool_size' parameter of tune must be an int"):
        tune(X, y, unlabeled=pool, model="ridge", n_trials=2, pool_size=0)
    with pytest.raises(ValueError, match=r"The 'alpha' parameter of tune must be a float in"):
        tune(X, y, unlabeled=pool, model="ridge", n_trials=2, alpha=0)


def test_a_resumed_study_keeps_its_teacher_ensemble(friedman, tmp_path):
    X, y, pool = friedman
    common = dict(
        unlabeled=pool, model=["ridge", "knn"], cv=3, n_repeats=1, storage=str(tmp_path / "s.db")
    )
    first = tune(X, y, n_trials=8, study_name="s", **common)
    teacher = first.study.user_attrs["teacher_ensemble"]
    second = tune(X, y, n_trials=3, study_name="s", **common)
    assert second.study.user_attrs["teacher_ensemble"] == teacher
    assert len(second.study.trials) >= 11
    for trial in second.study.trials:
        if trial.params.get("teacher") == "ensemble" and trial.value is not None:
            assert teacher, "a trial taught by the ensemble needs a stored ensemble"


@pytest.mark.parametrize("name", ["gaussian_process", "svr", "kernel_ridge", "catboost", "mlp"])
def test_every_new_zoo_model_runs_through_tune_on_30_rows(name):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=60)
    result = tune(X[:30], y[:30], unlabeled=X[30:], model=name, n_trials=3, cv=3, n_repeats=1)
    assert result.n_failed == 0 and result.n_complete >= 2
    mean_rmse = np.sqrt(np.mean((y[:30] - y[:30].mean()) ** 2))
    assert result.best_score < mean_rmse  # learns something on 20-row folds
    assert result.best_estimator_.predict(X[30:]).shape == (30,)


def _trial_with_seconds(seconds):
    return optuna.trial.create_trial(
        params={}, distributions={}, value=1.0, user_attrs={"fit_seconds": seconds}
    )


def test_recipe_seconds_scale_with_the_rows_and_add_the_labeller():
    base = _trial_with_seconds(10.0)
    # Half of a pool twice the labelled rows: the student fits on twice the rows, after its
    # own fit on the labelled rows (it labels the pool; the estimate once left that fit out,
    # and a trial refused only when it could not end before the deadline ran past it).
    self_taught = {"teacher": "self", "sample_rate": 0.5}
    assert recipe_seconds(base, self_taught, 30.0, 2.0) == pytest.approx(20.0 + 10.0)
    ensemble = {"teacher": "ensemble", "sample_rate": 1.0}
    assert recipe_seconds(base, ensemble, 30.0, 2.0) == pytest.approx(30.0 + 30.0)
    # Fold teachers: about 4 more fits of the labeller (5 clones on 4/5 of the rows).
    folds = {"teacher": "self", "sample_rate": 0.5, "label_source": "teachers"}
    assert recipe_seconds(base, folds, 30.0, 2.0) == pytest.approx(20.0 + 10.0 + 4 * 10.0)
    confident = {"teacher": "ensemble", "selection": "confidence", "sample_rate": 0.5}
    assert recipe_seconds(base, confident, 30.0, 2.0) == pytest.approx(20.0 + 30.0 + 4 * 30.0)
    # A forest student gives its own uncertainty: no fold teachers for self-taught confidence.
    self_confident = {"teacher": "self", "selection": "confidence", "sample_rate": 0.5}
    assert recipe_seconds(base, self_confident, 30.0, 2.0, native=True) == pytest.approx(30.0)
    assert recipe_seconds(base, self_confident, 30.0, 2.0) == pytest.approx(30.0 + 4 * 10.0)
    # Each round of self-training repeats it all.
    rounds = {"teacher": "self", "sample_rate": 0.5, "max_iter": 3}
    assert recipe_seconds(base, rounds, 30.0, 2.0) == pytest.approx(3 * 30.0)


def test_native_uncertainty_of_the_zoo_models():
    from pseudoboost.pseudo_label._confidence import has_native_uncertainty

    native = {"extra_trees", "random_forest", "bayesian_ridge", "gaussian_process"}
    for name in ("extra_trees", "random_forest", "lightgbm", "xgboost", "ridge", "bayesian_ridge"):
        model = get_model(name).make_estimator()
        assert has_native_uncertainty(model) == (name in native), name


def test_queue_skips_items_that_would_use_most_of_the_time_left():
    study = optuna.create_study()
    left = [100.0]
    items = [{"a": 1}, {"a": 2}, {"a": 3}]
    queue = Queue(
        items,
        lambda study, space: "fallback",
        None,
        seconds=[80.0, 50.0, 10.0],
        seconds_left=lambda: left[0],
    )
    assert queue.next(study) == {"a": 2}  # 80 s > half of 100 s: skipped; 50 s is not
    left[0] = 10.0
    assert queue.next(study) == "fallback"  # 10 s > half of 10 s
    unlimited = Queue(items, lambda study, space: None, None, seconds=[1e9, 1e9, 1e9])
    assert unlimited.next(study) == {"a": 1}


def test_refit_estimate_scales_the_time_per_fold_to_every_row():
    from pseudoboost.tuning._choose import refit_estimate
    from pseudoboost.tuning._objective import Problem

    y = np.zeros(100)
    splits = [(np.arange(80), np.arange(80, 100))] * 5  # five folds of 80 training rows
    problem = Problem(np.zeros((100, 2)), y, None, splits, "regression", None, None, 0)
    # 10 s over 5 folds: 2 s per 80-row fit, 2.5 s on the 100 labelled rows.
    assert refit_estimate(problem, _trial_with_seconds(10.0)) == pytest.approx(2.5)


class _SlowRegressor(RegressorMixin, BaseEstimator):
    """Predicts the mean after sleeping ``seconds`` in ``fit``."""

    def __init__(self, seconds=0.3):
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_no_fold_starts_that_the_folds_so_far_say_would_end_after_the_deadline():
    from pseudoboost._scoring import resolve_metric
    from pseudoboost.tuning._objective import OutOfBudget, Problem, cross_validate

    X, y = np.zeros((40, 2)), np.arange(40.0)
    splits = [(np.arange(30), np.arange(30, 40))] * 5
    problem = Problem(X, y, None, splits, "regression", resolve_metric(None, "regression"), None, 0)
    folds = []
    # One fold takes 0.3 s; with 0.15 s left after it, a second would end past the deadline
    # (before, it started, as the deadline had not passed).
    with pytest.raises(OutOfBudget, match="budget spent after 1 folds"):
        cross_validate(
            problem,
            _SlowRegressor(0.3),
            deadline=time.perf_counter() + 0.45,
            fold_predictions=folds,
        )
    assert len(folds) == 1
    scores, _, _ = cross_validate(problem, _SlowRegressor(0.0), deadline=time.perf_counter() + 60)
    assert len(scores) == 5  # fast folds all run


def test_refit_budget_is_at_least_the_time_kept_for_the_refit():
    from pseudoboost.tuning._search import refit_budget

    assert refit_budget(None, None) is None
    # 100 s budget, search deadline at 90. The search ended early (80 s): 20 s left.
    assert refit_budget(100.0, 90.0, now=80.0) == pytest.approx(20.0)
    assert refit_budget(100.0, 90.0, now=90.0) == pytest.approx(10.0)
    # The last trial ran to 99 s: the ensemble still gets the 10 s kept for the refit.
    assert refit_budget(100.0, 90.0, now=99.0) == pytest.approx(10.0)
    assert refit_budget(100.0, None, now=101.0) == 0.0


def test_behind_baseline_waits_a_third_of_the_folds_and_follows_the_sign():
    from pseudoboost.tuning._objective import behind_baseline

    baseline = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert not behind_baseline([9.0, 9.0, 9.0], baseline, greater_is_better=False)  # 3 < 4
    assert behind_baseline([9.0, 9.0, 9.0, 9.0], baseline, greater_is_better=False)
    assert not behind_baseline([0.5, 0.9, 1.0, 1.5], baseline, greater_is_better=False)
    assert behind_baseline([0.5, 0.9, 1.0, 1.5], baseline, greater_is_better=True)
    assert not behind_baseline([9.0] * 10, None, greater_is_better=False)
    # Compared on the same folds only: ahead of the first two, whatever comes later.
    assert not behind_baseline([1.0, 2.0], np.array([1.0, 2.5, 0.1]), greater_is_better=False)


def test_pseudo_trials_behind_the_best_supervised_trial_are_pruned(friedman):
    X, y, pool = friedman
    # A pool far from the labelled rows: its pseudo-labels only mislead a k-NN student.
    far = pool[:200] * 5 + 10
    result = tune(X, y, unlabeled=far, model="knn", n_trials=12, cv=3, n_repeats=2, random_state=0)
    trials = result.study.trials
    first = [t for t in trials if t.user_attrs.get("phase") == "supervised"]
    best = min(
        (t for t in first if t.state == optuna.trial.TrialState.COMPLETE), key=lambda t: t.value
    )
    pruned = [
        t
        for t in trials
        if t.state == optuna.trial.TrialState.PRUNED and t.user_attrs["sample_rate"] > 0
    ]
    reference = best.user_attrs["fold_scores"]
    # Stopped after 2 of 6 folds (a third), behind the best supervised trial on those two;
    # none earlier (the median pruner may stop others later).
    stops = [len(t.user_attrs["fold_scores"]) for t in pruned]
    assert 2 in stops and min(stops) >= 2
    for trial in pruned:
        scores = trial.user_attrs["fold_scores"]
        if len(scores) == 2:
            assert np.mean(scores) > np.mean(reference[:2])
    assert "pseudo" not in result.chosen


def test_every_model_default_runs_before_pseudo_labelling(friedman):
    X, y, pool = friedman
    models = ["ridge", "knn", "extra_trees", "lightgbm"]
    # 60% of 5 trials is 3: the fourth model's default still runs before the pseudo phase.
    result = tune(X, y, unlabeled=pool, model=models, n_trials=5, cv=2, n_repeats=1)
    trials = result.study.trials
    assert len(trials) == 5
    assert [t.user_attrs["phase"] for t in trials] == ["supervised"] * 4 + ["pseudo"]
    assert {t.params["model"] for t in trials[:4]} == set(models)


def test_pseudo_trials_that_cannot_end_before_the_deadline_are_not_started(friedman, monkeypatch):
    X, y, pool = friedman
    asked = []

    def dear(study, space, model, pseudo, teacher_seconds, pool_ratio):
        asked.append((model, pseudo["sample_rate"]))
        return 1e9  # far more than the time left

    monkeypatch.setattr("pseudoboost.tuning._search.pseudo_trial_seconds", dear)
    models = ["ridge", "extra_trees"]
    result = tune(X, y, unlabeled=pool, model=models, n_trials=12, timeout=600, cv=2)
    pseudo = [t for t in result.study.trials if t.user_attrs["sample_rate"] > 0]
    assert pseudo and len(asked) == len(pseudo)
    assert {model for model, _ in asked} <= set(models) and all(rate > 0 for _, rate in asked)
    for trial in pseudo:  # pruned before any fold was fitted, the estimate kept
        assert trial.state == optuna.trial.TrialState.PRUNED
        assert trial.user_attrs["too_dear"] == 1e9 and "fold_scores" not in trial.user_attrs
    assert "pseudo" not in result.chosen


class _PhaseTwo:
    """A study where a pseudo-labelled trial beats the best supervised one (of ``searched``),
    and helpers that add the trials the rules look at."""

    def __init__(self, searched):
        self.study = optuna.create_study(direction=searched.study.direction)
        self.best = min(
            (t for t in searched.study.trials if t.state == optuna.trial.TrialState.COMPLETE),
            key=lambda t: t.value,
        )
        self.supervised = {**self.best.user_attrs, "sample_rate": 0.0}
        specs = [get_model(name, "regression") for name in ("ridge", "knn", "extra_trees")]
        self.space = SearchSpace(specs, "regression", n_samples=80)
        self.scored(self.best.value)
        self.scored(self.best.value / 2, sample_rate=0.5)

    def scored(self, value, sample_rate=0.0):
        self.study.add_trial(
            optuna.trial.create_trial(
                params=self.best.params,
                distributions=self.best.distributions,
                value=value,
                user_attrs={**self.supervised, "sample_rate": sample_rate},
            )
        )

    def refused_knobs(self):
        self.study.add_trial(
            optuna.trial.create_trial(
                state=optuna.trial.TrialState.PRUNED,
                user_attrs={**self.supervised, "sample_rate": 1.0, "too_dear": 50.0},
            )
        )

    def next_params(self):
        from pseudoboost.tuning._phases import around_best_if_promising

        return around_best_if_promising(self.study, self.space)


def test_after_a_trial_too_dear_the_time_goes_to_the_supervised_search(searched):
    phase = _PhaseTwo(searched)
    # A pseudo-labelled trial beats the best supervised one: the knobs are tuned around it.
    assert "sample_rate" not in phase.next_params()
    # The latest trial was too dear for the time left: a supervised trial comes next.
    phase.refused_knobs()
    assert phase.next_params()["sample_rate"] == 0.0


def test_after_two_refused_knobs_the_rest_goes_to_the_supervised_search(searched):
    from pseudoboost.tuning._phases import KNOB_REFUSALS

    phase = _PhaseTwo(searched)
    # One refusal, then a supervised trial: the knobs are sampled again (the alternation
    # the rule bounds); after the second refusal they never are.
    phase.refused_knobs()
    phase.scored(phase.best.value * 2)
    assert "sample_rate" not in phase.next_params()
    assert KNOB_REFUSALS == 2
    phase.refused_knobs()
    for _ in range(3):
        assert phase.next_params()["sample_rate"] == 0.0
        phase.scored(phase.best.value * 2)


def _scored_default(study, space, model, value, fit_seconds, n_folds=5):
    """A complete supervised trial of ``model``'s default configuration, as tune stores it."""
    spec = space.spec(model)
    params = space.study_params(spec, space.default_params(spec))
    names = [s.name for s in space.models]
    distributions = {
        space.param_name(spec, key): dist for key, dist in space.model_space(spec).items()
    }
    distributions["model"] = optuna.distributions.CategoricalDistribution(names)
    user_attrs = {"model": model, "fit_seconds": fit_seconds, "sample_rate": 0.0}
    study.add_trial(
        optuna.trial.create_trial(
            params=params,
            distributions=distributions,
            value=value,
            user_attrs={**user_attrs, "phase": "supervised", "fold_scores": [value] * n_folds},
        )
    )


def test_the_next_model_is_one_whose_trial_fits_in_the_time_left():
    from pseudoboost.tuning._phases import next_model

    specs = [get_model(name, "regression") for name in ("extra_trees", "xgboost", "ridge")]
    space = SearchSpace(specs, "regression", n_samples=80)
    study = optuna.create_study()
    _scored_default(study, space, "extra_trees", 1.0, 1.0)  # 1 s for 5 folds, the least spent
    _scored_default(study, space, "xgboost", 1.01, 20.0)
    _scored_default(study, space, "ridge", 5.0, 0.1)  # not competitive

    def model(*args, **kwargs):
        return next_model(study, space, *args, **kwargs)["model"]

    assert model() == "extra_trees"
    assert model(lambda: 2.0, n_folds=5) == "extra_trees"
    # extra_trees' trial (1 s) does not fit in 0.5 s; xgboost's (20 s) neither: the least
    # spent still comes first, and its refusal ends the search.
    assert model(lambda: 0.5, n_folds=5) == "extra_trees"
    _scored_default(study, space, "extra_trees", 1.0, 30.0)  # now extra_trees has spent more
    assert model() == "xgboost"
    # With 10 folds: extra_trees' median (0.2 + 6) / 2 = 3.1 s per fold, 31 s; xgboost 40 s.
    assert model(lambda: 35.0, n_folds=10) == "extra_trees"
    assert model(lambda: 50.0, n_folds=10) == "xgboost"


def test_the_next_trial_is_a_step_from_its_models_best_configuration():
    from pseudoboost.tuning._local import LOCAL_STEP
    from pseudoboost.tuning._phases import next_model

    specs = [get_model(name, "regression") for name in ("extra_trees", "xgboost")]
    space = SearchSpace(specs, "regression", n_samples=80)
    study = optuna.create_study()
    _scored_default(study, space, "extra_trees", 1.0, 1.0)
    _scored_default(study, space, "xgboost", 1.01, 20.0)
    spec = space.spec("extra_trees")
    best = space.study_params(spec, space.default_params(spec))
    steps = [next_model(study, space) for _ in range(2)]
    assert steps[0] == next_model(study, space)  # seeded by the trials so far: repeatable
    _scored_default(study, space, "xgboost", 1.02, 20.0)
    assert next_model(study, space) != steps[0]
    moved = 0
    for key, dist in space.model_space(spec).items():
        name = space.param_name(spec, key)
        value, start = steps[0][name], best[name]
        assert contains(dist, value)
        if isinstance(dist, optuna.distributions.CategoricalDistribution):
            assert value == start
            continue
        scale = np.log if dist.log else float
        share = abs(scale(value) - scale(start)) / (scale(dist.high) - scale(dist.low))
        assert share <= 5 * LOCAL_STEP + 1.0 / (dist.high - dist.low)  # a few sigmas, rounded
        moved += value != start
    assert moved >= 2


def test_without_a_deadline_no_trial_is_held_to_an_estimate(friedman, monkeypatch):
    X, y, pool = friedman
    monkeypatch.setattr(
        "pseudoboost.tuning._search.pseudo_trial_seconds", lambda *args, **kwargs: 1e9
    )
    result = tune(X, y, unlabeled=pool, model="ridge", n_trials=6, cv=2, n_repeats=1)
    assert not any("too_dear" in t.user_attrs for t in result.study.trials)
    assert any(
        t.user_attrs["sample_rate"] > 0 and t.state == optuna.trial.TrialState.COMPLETE
        for t in result.study.trials
    )


def _finished(study, model, value, fit_seconds, n_folds=5, state=None):
    user_attrs = {"model": model, "fit_seconds": fit_seconds, "sample_rate": 0.0}
    study.add_trial(
        optuna.trial.create_trial(
            state=state or optuna.trial.TrialState.COMPLETE,
            value=None if state else value,
            intermediate_values={0: value} if state else None,
            user_attrs={**user_attrs, "fold_scores": [value] * n_folds},
        )
    )


def test_alternatives_of_competitive_models_first_and_only_when_affordable():
    specs = [get_model(name, "regression") for name in ("extra_trees", "xgboost", "mlp")]
    space = SearchSpace(specs, "regression", n_samples=80)
    study = optuna.create_study()
    # Defaults scored: mlp is the best by far, so its alternative comes first although it is
    # the dearest model; extra_trees (cheaper than xgboost) next.
    _finished(study, "extra_trees", 2.0, 1.0)
    _finished(study, "xgboost", 2.1, 0.5)
    _finished(study, "mlp", 1.0, 4.0)
    first = next_alternative(study, space)
    assert first["model"] == "mlp" and first["mlp__n_seeds"] == 3
    # 4 s default x its alternative_cost x (1 + 1/5 for the refit): not when that is more
    # than TIME_LEFT_SHARE of the time left.
    needed = 4.0 * get_model("mlp", "regression").alternative_cost * 1.2
    left = needed / TIME_LEFT_SHARE
    assert next_alternative(study, space, lambda: left + 0.1, n_folds=5)["model"] == "mlp"
    skipped = next_alternative(study, space, lambda: left - 0.1, n_folds=5)
    assert skipped["model"] == "extra_trees"
    # Once tried, an alternative is not proposed again; none left gives None.
    for item in (first, skipped):
        study.enqueue_trial(item)
        study.optimize(lambda trial: _sample_all(trial, space), n_trials=1)
    assert next_alternative(study, space)["model"] == "xgboost"
    assert next_alternative(study, space, lambda: 0.0) is None


def test_an_alternative_is_estimated_per_fold_of_its_default():
    specs = [get_model(name, "regression") for name in ("extra_trees", "mlp")]
    study = optuna.create_study()
    # The MLP's default was pruned after 1 of 5 folds in 2 s: its alternative is estimated
    # from 10 s for the 5 folds, not from the 2 s it ran.
    _finished(study, "mlp", 1.0, 2.0, n_folds=1, state=optuna.trial.TrialState.PRUNED)
    _finished(study, "extra_trees", 0.9, 1.0)
    mlp = get_model("mlp", "regression")
    trials = study.get_trials()
    assert alternative_seconds(trials, mlp, 5) == pytest.approx(10.0 * mlp.alternative_cost)
    assert alternative_seconds(trials, specs[0], 5) == pytest.approx(specs[0].alternative_cost)
    assert alternative_seconds(trials, get_model("xgboost", "regression"), 5) == 0.0


def _sample_all(trial, space):
    spec, _, _ = space.sample(trial, supervised=True)
    trial.set_user_attr("model", spec.name)
    trial.set_user_attr("fit_seconds", 0.0)
    return 3.0


def test_a_supervised_trial_is_estimated_from_its_models_trials_per_fold():
    from pseudoboost.tuning._objective import supervised_trial_seconds

    study = optuna.create_study()
    _finished(study, "mlp", 1.0, 10.0)  # 2 s per fold
    _finished(study, "mlp", 1.2, 4.0, n_folds=1, state=optuna.trial.TrialState.PRUNED)  # 4 s
    _finished(study, "mlp", 1.1, 3.0)  # 0.6 s
    _finished(study, "extra_trees", 0.9, 50.0)  # another model: not counted
    study.add_trial(  # pseudo-labelled, and not started: neither is counted
        optuna.trial.create_trial(
            value=1.0,
            user_attrs={
                "model": "mlp",
                "sample_rate": 0.5,
                "fit_seconds": 100.0,
                "fold_scores": [1.0],
            },
        )
    )
    study.add_trial(
        optuna.trial.create_trial(
            state=optuna.trial.TrialState.PRUNED,
            user_attrs={"model": "mlp", "sample_rate": 0.0, "too_dear": 9.0},
        )
    )
    trials = study.get_trials()
    assert supervised_trial_seconds(trials, "mlp", 5) == pytest.approx(5 * 2.0)  # the median
    assert supervised_trial_seconds(trials, "xgboost", 5) is None


def test_the_search_ends_at_a_supervised_trial_that_cannot_end_before_the_deadline(
    friedman, monkeypatch
):
    from pseudoboost.tuning import _objective

    X, y, pool = friedman
    measured = _objective.supervised_trial_seconds

    def dear(trials, model, n_folds):
        # A model's first trial (its default) has no estimate and runs; later ones are dear.
        return None if measured(trials, model, n_folds) is None else 1e9

    monkeypatch.setattr(_objective, "supervised_trial_seconds", dear)
    models = ["ridge", "knn"]
    result = tune(X, y, unlabeled=pool, model=models, cv=2, timeout=600, n_trials=30)
    trials = result.study.trials
    # Before, the search ran trials until its budget; now it stops at the first refused one.
    refused = [t for t in trials if "too_dear" in t.user_attrs]
    assert len(refused) == 1 and refused[0] is trials[-1] and len(trials) < 30
    assert refused[0].state == optuna.trial.TrialState.PRUNED
    assert refused[0].user_attrs["too_dear"] == 1e9 and "fold_scores" not in refused[0].user_attrs
    assert {t.user_attrs["model"] for t in trials[:-1]} == set(models)
    assert result.n_complete == len(trials) - 1
    model = refused[0].user_attrs["model"]
    assert (
        result.summary()
        .splitlines()[-1]
        .endswith(
            f"; the search ended before its deadline: the next trial ({model}, estimated 1e+09 s) "
            "could not end by then"
        )
    )
