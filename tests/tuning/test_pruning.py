"""FirstTrialPerModelPruner: a model's first trial is never pruned, later ones are."""

from __future__ import annotations

import optuna
import pytest
from sklearn.datasets import make_regression

from pseudoboost import tune
from pseudoboost.tuning import FirstTrialPerModelPruner

# No pool here: only the supervised search, whose trials these tests count.
pytestmark = pytest.mark.filterwarnings("ignore::pseudoboost.pseudo_label.EmptyPoolWarning")
ALWAYS = optuna.pruners.ThresholdPruner(upper=0.0)  # any RMSE is above 0: prune at once


def _running(study: optuna.study.Study, model: str | None, value: float) -> optuna.trial.Trial:
    trial = study.ask()
    if model is not None:
        trial.set_user_attr("model", model)
    trial.report(value, 0)
    return trial


def test_spares_only_the_first_trial_of_each_model():
    pruner = FirstTrialPerModelPruner(optuna.pruners.MedianPruner(n_startup_trials=1))
    study = optuna.create_study(pruner=pruner)
    for _ in range(3):
        study.add_trial(
            optuna.trial.create_trial(
                value=1.0, intermediate_values={0: 1.0}, user_attrs={"model": "a"}
            )
        )
    first_b = _running(study, "b", 5.0)  # far behind the median of model a's trials
    assert not first_b.should_prune()
    study.tell(first_b, 5.0)
    assert _running(study, "b", 5.0).should_prune()  # b's second trial is held to the median
    assert _running(study, "a", 5.0).should_prune()
    assert _running(study, None, 5.0).should_prune()  # no model recorded: the wrapped pruner


def test_a_pruned_first_trial_counts_as_the_models_first():
    study = optuna.create_study(pruner=FirstTrialPerModelPruner(ALWAYS))
    first = _running(study, "a", 5.0)
    study.tell(first, state=optuna.trial.TrialState.PRUNED)
    assert _running(study, "a", 5.0).should_prune()


def test_tune_runs_every_models_default_to_the_end_under_any_pruner():
    X, y = make_regression(n_samples=120, n_features=5, noise=10.0, random_state=0)
    result = tune(
        X,
        y,
        model=["ridge", "knn"],
        cv=3,
        n_trials=4,
        pruner=FirstTrialPerModelPruner(ALWAYS),
    )
    board = result.leaderboard().set_index("model")
    assert board.loc["ridge", "n_complete"] == 1 and board.loc["knn", "n_complete"] == 1
    assert result.n_pruned == 2


def test_median_is_wrapped_hyperband_and_a_given_pruner_are_used_as_they_are():
    X, y = make_regression(n_samples=60, n_features=3, noise=10.0, random_state=0)
    settings = {"model": "ridge", "cv": 3, "n_trials": 2}
    assert isinstance(
        tune(X, y, pruner="median", **settings).study.pruner, FirstTrialPerModelPruner
    )
    # Optuna's samplers filter trials by bracket only when study.pruner is a HyperbandPruner.
    hyperband = tune(X, y, pruner="hyperband", **settings).study.pruner
    assert isinstance(hyperband, optuna.pruners.HyperbandPruner)
    with pytest.raises(RuntimeError, match=r"completed \(0 failed, 1 pruned\)"):
        tune(X, y, pruner=ALWAYS, **{**settings, "n_trials": 1})  # not wrapped: it prunes
