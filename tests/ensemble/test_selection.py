"""Ensemble selection and its nested cross-validated score, against answers worked by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_absolute_error, root_mean_squared_error
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import InvalidParameterError

from pseudoboost.ensemble import _selection, ensemble_selection, nested_ensemble_scores


def _regression_library(seed: int, n_models: int = 6, n_samples: int = 60):
    """Noisy and biased predictions of a target, one row per model."""
    rng = np.random.RandomState(seed)
    y = rng.normal(size=n_samples)
    scales = rng.uniform(0.2, 2.0, size=n_models)
    biases = rng.normal(scale=0.5, size=n_models)
    noise = rng.normal(size=(n_models, n_samples))
    return y + biases[:, None] + scales[:, None] * noise, y


def _classification_library(seed: int, n_models: int = 5, n_samples: int = 80):
    """Probabilities over three string classes: sharper models are better."""
    rng = np.random.RandomState(seed)
    classes = np.array(["a", "b", "c"])
    codes = rng.randint(3, size=n_samples)
    probas = []
    for sharpness in rng.uniform(0.5, 3.0, size=n_models):
        logits = rng.normal(size=(n_samples, 3))
        logits[np.arange(n_samples), codes] += sharpness
        p = np.exp(logits)
        probas.append(p / p.sum(axis=1, keepdims=True))
    return np.stack(probas), classes[codes]


def test_docstring_examples():
    result = doctest.testmod(_selection, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_known_answer():
    # Models 0 and 1 (biased +1 and -1) tie as best single model: the lowest index starts.
    # Adding model 1 averages to y exactly (RMSE 0), and no longer ensemble does better.
    y = np.array([0.0, 1.0, 2.0, 3.0])
    predictions = np.array([y + 1.0, y - 1.0, np.full(4, 1.5)])
    np.testing.assert_array_equal(ensemble_selection(predictions, y), [0.5, 0.5, 0.0])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_weights_are_a_distribution(seed, task):
    make = _regression_library if task == "regression" else _classification_library
    predictions, y = make(seed)
    weights = ensemble_selection(predictions, y, n_iter=20)
    assert weights.shape == (predictions.shape[0],)
    assert (weights >= 0).all()
    assert weights.sum() == pytest.approx(1.0)
    # Selection counts over an ensemble of at most n_iter members.
    assert any(np.allclose(weights * size, np.round(weights * size)) for size in range(1, 21))


def test_far_better_model_gets_the_largest_weight():
    rng = np.random.RandomState(0)
    y = rng.normal(size=100)
    good = y + rng.normal(scale=0.05, size=100)
    bad = [y + rng.normal(scale=1.5, size=100) + shift for shift in (-0.5, 0.0, 0.5, 1.0)]
    predictions = np.stack([bad[0], bad[1], good, bad[2], bad[3]])
    weights = ensemble_selection(predictions, y)
    assert np.argmax(weights) == 2
    assert weights[2] > 0.5


def _loss_of(weights, predictions, y, loss):
    return loss(y, np.tensordot(weights, predictions, axes=1))


def _trimmed_loss(y_true, y_pred):
    """A non-convex loss: errors above 1 count as 1."""
    return float(np.mean(np.minimum(np.abs(y_true - y_pred), 1.0)))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("loss", [None, mean_absolute_error, _trimmed_loss])
def test_never_worse_than_the_best_single_model_on_its_rows(seed, loss):
    predictions, y = _regression_library(seed)
    weights = ensemble_selection(predictions, y, loss=loss, n_iter=15)
    loss = root_mean_squared_error if loss is None else loss
    best_single = min(loss(y, p) for p in predictions)
    assert _loss_of(weights, predictions, y, loss) <= best_single + 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_never_worse_than_the_best_single_model_with_probabilities(seed):
    predictions, y = _classification_library(seed)
    weights = ensemble_selection(predictions, y)
    best_single = min(log_loss(y, p) for p in predictions)
    assert _loss_of(weights, predictions, y, log_loss) <= best_single + 1e-12


def test_one_step_is_the_best_single_model():
    predictions, y = _regression_library(3)
    weights = ensemble_selection(predictions, y, n_iter=1)
    best = np.argmin([root_mean_squared_error(y, p) for p in predictions])
    np.testing.assert_array_equal(weights, np.eye(len(predictions))[best])


def test_custom_loss_is_the_one_minimised():
    # Model 0: exact except one huge miss (best MAE); model 1: off by 1 everywhere (best RMSE).
    y = np.zeros(10)
    outlier = np.zeros(10)
    outlier[0] = 8.0
    predictions = np.stack([outlier, np.ones(10)])
    assert ensemble_selection(predictions, y, n_iter=1)[1] == 1.0
    assert ensemble_selection(predictions, y, loss=mean_absolute_error, n_iter=1)[0] == 1.0


def test_nan_rows_are_ignored():
    predictions, y = _regression_library(1, n_samples=50)
    expected = ensemble_selection(predictions, y)
    with_holes = np.concatenate([np.zeros((predictions.shape[0], 10)), predictions], axis=1)
    y_with_holes = np.concatenate([np.zeros(10), y])
    with_holes[0, :5] = np.nan  # one model did not predict these rows
    with_holes[:, 5:10] = np.nan  # no model did (rows in no test fold)
    # Garbage values in the ignored rows must not matter.
    with_holes[1:, :5] = 1e6
    np.testing.assert_array_equal(ensemble_selection(with_holes, y_with_holes), expected)


def test_nan_targets_are_ignored():
    predictions, y = _regression_library(2, n_samples=40)
    y_missing = y.copy()
    y_missing[:7] = np.nan
    np.testing.assert_array_equal(
        ensemble_selection(predictions, y_missing), ensemble_selection(predictions[:, 7:], y[7:])
    )


def test_nan_probabilities_are_ignored():
    predictions, y = _classification_library(0)
    with_holes = predictions.copy()
    with_holes[2, :6, 1] = np.nan
    np.testing.assert_array_equal(
        ensemble_selection(with_holes, y), ensemble_selection(predictions[:, 6:], y[6:])
    )


def test_no_usable_row_raises():
    predictions = np.full((2, 3), np.nan)
    with pytest.raises(ValueError, match="No row is predicted by every model"):
        ensemble_selection(predictions, np.zeros(3))


def test_deterministic_and_ties_go_to_the_lowest_index():
    predictions, y = _regression_library(4)
    first = ensemble_selection(predictions, y)
    np.testing.assert_array_equal(first, ensemble_selection(predictions, y))
    # Three copies of the same model: the first copy takes all of its weight.
    copies = np.concatenate([predictions[:1], predictions[:1], predictions[:1]])
    np.testing.assert_array_equal(ensemble_selection(copies, y), [1.0, 0.0, 0.0])


def test_random_state_breaks_ties_at_random_reproducibly():
    y = np.arange(6.0)
    copies = np.stack([y + 0.5] * 4)
    runs = [ensemble_selection(copies, y, n_iter=1, random_state=seed) for seed in range(20)]
    winners = {int(np.argmax(w)) for w in runs}
    assert len(winners) > 1
    np.testing.assert_array_equal(ensemble_selection(copies, y, n_iter=1, random_state=7), runs[7])


def test_default_log_loss_matches_classes_by_index_or_label():
    predictions, labels = _classification_library(5)
    codes = np.searchsorted(np.unique(labels), labels)
    np.testing.assert_array_equal(
        ensemble_selection(predictions, labels), ensemble_selection(predictions, codes)
    )
    # A class missing from y: integer codes still say which column is which.
    present = codes != 2
    ensemble_selection(predictions[:, present], codes[present])
    with pytest.raises(ValueError, match="Cannot match the 3 probability columns"):
        ensemble_selection(predictions[:, present], labels[present])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_iter": 0}, InvalidParameterError, "The 'n_iter' parameter of ensemble_selection"),
        ({"loss": "rmse"}, InvalidParameterError, "The 'loss' parameter of ensemble_selection"),
        ({"y": np.zeros(3)}, ValueError, r"y must have shape \(n_samples,\) = \(5,\)"),
        ({"predictions": np.zeros(5)}, ValueError, "predictions must have shape"),
        ({"costs": [1.0]}, ValueError, "costs must be 2 non-negative numbers, one per model"),
        ({"costs": [1.0, -1.0]}, ValueError, "costs must be 2 non-negative numbers"),
        ({"max_cost": -1.0}, InvalidParameterError, "The 'max_cost' parameter"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    arguments = {"predictions": np.zeros((2, 5)), "y": np.zeros(5), **kwargs}
    with pytest.raises(error, match=match):
        ensemble_selection(**arguments)


def test_known_answer_within_a_cost_budget():
    # As test_known_answer, but model 1 costs too much to join model 0: model 0 alone.
    y = np.array([0.0, 1.0, 2.0, 3.0])
    predictions = np.array([y + 1.0, y - 1.0, np.full(4, 1.5)])
    costs = [1.0, 5.0, 1.0]
    weights = ensemble_selection(predictions, y, costs=costs, max_cost=2.0)
    # Model 2 (constant 1.5) improves the blend with model 0 and fits the budget.
    assert weights[1] == 0 and weights[0] > 0
    np.testing.assert_array_equal(
        ensemble_selection(predictions, y, costs=costs, max_cost=6.0), [0.5, 0.5, 0.0]
    )
    # Nothing fits: the cheapest model alone (the lowest index among equal costs).
    np.testing.assert_array_equal(
        ensemble_selection(predictions, y, costs=[3.0, 3.0, 2.0], max_cost=1.0), [0.0, 0.0, 1.0]
    )


@pytest.mark.parametrize("seed", range(5))
def test_the_distinct_chosen_models_cost_at_most_the_budget(seed):
    predictions, y = _regression_library(seed, n_models=8)
    costs = np.random.RandomState(seed).uniform(1, 5, size=8)
    weights = ensemble_selection(predictions, y, n_iter=30, costs=costs, max_cost=6.0)
    assert costs[weights > 0].sum() <= 6.0
    np.testing.assert_allclose(weights.sum(), 1.0)


# --- nested_ensemble_scores -------------------------------------------------------------


def test_nested_scores_one_per_fold_on_exactly_its_test_rows():
    predictions, y = _regression_library(6, n_samples=45)
    folds = list(KFold(5, shuffle=True, random_state=0).split(y))
    seen = []

    def score(y_true, y_pred):
        seen.append(np.asarray(y_true).copy())
        return mean_absolute_error(y_true, y_pred)

    scores, weights = nested_ensemble_scores(predictions, y, folds, score=score, n_iter=10)
    assert scores.shape == (5,)
    for y_true, (_, test) in zip(seen, folds, strict=True):
        np.testing.assert_array_equal(y_true, y[test])

    # Fold 2 by hand: select on its training rows, score the blend on its test rows.
    train, test = folds[2]
    by_hand_weights = ensemble_selection(predictions[:, train], y[train], n_iter=10)
    by_hand = mean_absolute_error(y[test], by_hand_weights @ predictions[:, test])
    assert scores[2] == pytest.approx(by_hand, rel=1e-12)

    np.testing.assert_array_equal(weights, ensemble_selection(predictions, y, n_iter=10))


def test_nested_selection_never_sees_the_test_rows():
    # Model 1 is perfect on fold 0's test rows only and awful elsewhere; model 0 is decent
    # everywhere. Selected on fold 0's training rows, the ensemble must be model 0 alone.
    n = 40
    y = np.linspace(-1, 1, n)
    folds = list(KFold(4).split(y))
    train, test = folds[0]
    decent = y + 0.3
    lucky = y + 5.0
    lucky[test] = y[test]
    predictions = np.stack([decent, lucky])
    scores, _ = nested_ensemble_scores(predictions, y, folds, score=mean_absolute_error, n_iter=5)
    assert scores[0] == pytest.approx(0.3)


def test_nested_ignores_rows_in_no_test_fold():
    predictions, y = _regression_library(7, n_samples=50)
    holdout = np.arange(40, 50)
    predictions[:, holdout] = np.nan  # a holdout: in no test fold
    folds = [(np.setdiff1d(np.arange(50), test), test) for test in np.array_split(np.arange(40), 4)]
    scores, weights = nested_ensemble_scores(predictions, y, folds, score=mean_absolute_error)
    assert np.isfinite(scores).all()
    np.testing.assert_array_equal(weights, ensemble_selection(predictions[:, :40], y[:40]))


def test_nested_with_probabilities():
    predictions, y = _classification_library(8, n_samples=90)
    folds = list(KFold(3, shuffle=True, random_state=1).split(y))
    scores, weights = nested_ensemble_scores(
        predictions, y, folds, score=lambda t, p: log_loss(t, p, labels=["a", "b", "c"])
    )
    assert scores.shape == (3,)
    assert weights.sum() == pytest.approx(1.0)


def test_nested_nan_on_a_test_row_raises():
    predictions, y = _regression_library(0, n_samples=20)
    predictions[1, 3] = np.nan
    folds = list(KFold(4).split(y))
    with pytest.raises(ValueError, match="Fold 0 has test rows with a NaN prediction"):
        nested_ensemble_scores(predictions, y, folds, score=mean_absolute_error)


@pytest.mark.parametrize(
    "folds, match",
    [
        ([], "at least one"),
        ([(np.arange(3),)], "Each fold must be a"),
        ([(np.arange(3), np.array([3, 20]))], r"must lie in \[0, 10\)"),
        ([(np.arange(3), np.array([0.5]))], "must be a non-empty 1-D array of integers"),
    ],
)
def test_nested_bad_folds(folds, match):
    with pytest.raises(ValueError, match=match):
        nested_ensemble_scores(np.zeros((2, 10)), np.zeros(10), folds, score=mean_absolute_error)


def test_nested_score_is_required_and_callable():
    with pytest.raises(InvalidParameterError, match="The 'score' parameter"):
        nested_ensemble_scores(np.zeros((2, 4)), np.zeros(4), [], score="mae")
