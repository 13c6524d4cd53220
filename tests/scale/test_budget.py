"""The study-wide budget (``tune(total_trials=...)``): counting rules and resume, in-process."""

from __future__ import annotations

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial
from sklearn.datasets import make_regression

from pseudoboost import tune
from pseudoboost.tuning._budget import (
    BudgetedObjective,
    BudgetStatus,
    budget_status,
    counting_trials,
    optimize_with_budget,
)
from pseudoboost.tuning._objective import OutOfBudget

DIST = {"x": FloatDistribution(0, 1)}


def finished(value: float) -> optuna.trial.FrozenTrial:
    return create_trial(params={"x": value}, distributions=DIST, value=value)


@pytest.fixture
def data():
    X, y = make_regression(n_samples=90, n_features=4, noise=5.0, random_state=0)
    return X[:60], y[:60], X[60:]


def test_a_retried_dead_trial_counts_once_and_a_surplus_trial_not_at_all():
    study = optuna.create_study()
    study.add_trial(finished(0.1))
    study.add_trial(create_trial(state=TrialState.FAIL, params={"x": 0.2}, distributions=DIST))
    # What RetryHeartbeatStaleTrialCallback queues for a dead worker's trial 1:
    study.add_trial(
        create_trial(
            state=TrialState.WAITING,
            params={"x": 0.2},
            distributions=DIST,
            system_attrs={"failed_trial": 1, "retry_history": [1]},
        )
    )
    assert [t.number for t in counting_trials(study.trials)] == [0, 2]
    assert budget_status(study) == BudgetStatus(finished=1, running=0, waiting=1)

    study.optimize(BudgetedObjective(lambda trial: trial.suggest_float("x", 0, 1), 2), n_trials=1)
    assert study.trials[2].state == TrialState.COMPLETE  # the queued retry ran
    assert budget_status(study) == BudgetStatus(finished=2, running=0, waiting=0)

    # Budget full: a trial started anyway (two workers at once) stops before any work.
    calls = []
    study.optimize(BudgetedObjective(calls.append, 2), n_trials=1, catch=(Exception,))
    assert calls == []
    assert study.trials[3].state == TrialState.FAIL
    assert study.trials[3].user_attrs == {"surplus": True}
    assert budget_status(study) == BudgetStatus(finished=2, running=0, waiting=0)


def test_total_trials_is_study_wide_across_calls(data, tmp_path):
    X, y, pool = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    common = dict(unlabeled=pool, model="ridge", cv=2, storage=url, study_name="s", refit=False)
    first = tune(X, y, total_trials=3, **common)
    assert len(first.study.trials) == 3
    second = tune(X, y, total_trials=5, **common)
    assert len(second.study.trials) == 5
    # The study is full: this call runs nothing and still reports the best trial.
    third = tune(X, y, total_trials=5, **common)
    assert len(third.study.trials) == 5
    assert third.best_params == second.best_params
    assert third.best_score == second.best_score


def test_total_trials_must_be_a_positive_integer(data):
    X, y, pool = data
    message = r"^The 'total_trials' parameter of tune must be an int in the range \[1, inf\) or None\. Got 0 instead\.$"
    with pytest.raises(ValueError, match=message):
        tune(X, y, model="ridge", total_trials=0)


def test_a_worker_stops_at_a_supervised_trial_that_cannot_end_before_the_deadline():
    def objective(trial: optuna.trial.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.set_user_attr("sample_rate", 0.0)
        if trial.number == 2:  # what Objective does when the time left cannot hold the trial
            trial.set_user_attr("too_dear", 50.0)
            raise OutOfBudget("estimated 50 s, 3 s left")
        return x

    study = optuna.create_study()
    # Before, the worker went on asking for trials (each refused at once) until its timeout.
    assert optimize_with_budget(study, objective, total_trials=10, timeout=600) == 3
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2 + [TrialState.PRUNED]
