"""What ``tune`` may return: the ensemble's candidate trials."""

from __future__ import annotations

import optuna

from pseudoboost.tuning._choose import MAX_MEMBERS, PER_MODEL, ensemble_pool


def _trial(number: int, model: str, value: float, sample_rate: float = 0.0):
    trial = optuna.trial.create_trial(
        params={},
        distributions={},
        value=value,
        user_attrs={"model": model, "sample_rate": sample_rate},
    )
    trial.number = number
    return trial


def test_the_pool_takes_the_best_trials_a_few_per_model_and_phase():
    ranked = [
        _trial(0, "xgboost", 1.0),
        _trial(1, "xgboost", 1.1, sample_rate=0.5),
        _trial(2, "xgboost", 1.2),
        _trial(3, "xgboost", 1.3),  # a third supervised xgboost: left out
        _trial(4, "xgboost", 1.4, sample_rate=0.5),
        _trial(5, "knn", 2.0),
    ]
    assert PER_MODEL == 2
    assert [t.number for t in ensemble_pool(ranked)] == [0, 1, 2, 4, 5]
    many = [_trial(i, f"model{i}", 1.0 + i) for i in range(MAX_MEMBERS + 3)]
    assert [t.number for t in ensemble_pool(many)] == list(range(MAX_MEMBERS))
