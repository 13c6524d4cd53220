"""compare(): tidy frame, shared folds, leak-free preprocessing, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold, RepeatedKFold
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from pseudoboost import PseudoLabelRegressor, compare
from pseudoboost.comparison._compare import FOLD_COLUMNS, SUMMARY_COLUMNS


@pytest.fixture(scope="module")
def data():
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    return X[:120], y[:120], X[120:]


@pytest.fixture(scope="module")
def result(data):
    X, y, pool = data
    models = [("knn", KNeighborsRegressor()), ("tree", DecisionTreeRegressor(random_state=0))]
    return compare(
        X,
        y,
        unlabeled=pool,
        models=models,
        sample_rates=(0.2, 1.0, 0),
        cv=3,
        n_repeats=2,
        return_folds=True,
    )


def test_tidy_frame(result):
    summary, folds = result
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert list(folds.columns) == FOLD_COLUMNS
    assert summary[["model", "sample_rate"]].values.tolist() == [
        ["knn", 0.0],
        ["knn", 0.2],
        ["knn", 1.0],
        ["tree", 0.0],
        ["tree", 0.2],
        ["tree", 1.0],
    ]
    assert (summary["n_folds"] == 6).all()
    assert len(folds) == 2 * 3 * 6
    assert folds.groupby(["model", "sample_rate"]).size().eq(6).all()
    assert summary.attrs == {
        "metric": "rmse",
        "greater_is_better": False,
        "task": "regression",
        "n_train": 80.0,
        "n_test": 40.0,
    }
    # pool of 80 rows: round(0.2 * 80) = 16 pseudo rows, 1.0 takes all of them
    assert summary["n_pseudo_mean"].tolist() == [0, 16, 80, 0, 16, 80]
    # the summary is the folds frame aggregated
    agg = folds.groupby(["model", "sample_rate"], sort=False).agg(
        score_mean=("score", "mean"),
        score_std=("score", "std"),
        diff=("diff_vs_supervised", "mean"),
        wins=("win", "sum"),
    )
    np.testing.assert_allclose(summary["score_mean"], agg["score_mean"])
    np.testing.assert_allclose(summary["score_std"], agg["score_std"])
    np.testing.assert_allclose(summary["diff_vs_supervised"], agg["diff"])
    # improvement has TuneResult.improvement's sign: positive = better; RMSE: lower is better
    np.testing.assert_allclose(summary["improvement"], -agg["diff"].to_numpy())
    assert summary["wins"].tolist() == agg["wins"].tolist()


def test_supervised_row_is_exactly_zero(result):
    summary, folds = result
    base = summary[summary["sample_rate"] == 0]
    assert (base["diff_vs_supervised"] == 0.0).all()
    assert (base["t_statistic"] == 0.0).all()
    assert (base["p_value"] == 1.0).all()
    assert (base["wins"] == 0).all()
    assert (folds.loc[folds["sample_rate"] == 0, "diff_vs_supervised"] == 0.0).all()


def test_every_rate_is_paired_on_the_same_folds(data, result):
    X, y, _ = data
    summary, folds = result
    # The supervised scores are those of a plain fit on the folds of RepeatedKFold(3, 2, seed 0).
    splits = list(RepeatedKFold(n_splits=3, n_repeats=2, random_state=0).split(X))
    expected = [
        root_mean_squared_error(y[te], KNeighborsRegressor().fit(X[tr], y[tr]).predict(X[te]))
        for tr, te in splits
    ]
    knn = folds[folds["model"] == "knn"]
    for rate, sub in knn.groupby("sample_rate"):
        np.testing.assert_allclose(sub["supervised_score"], expected, err_msg=str(rate))
        np.testing.assert_allclose(
            sub["diff_vs_supervised"], sub["score"] - sub["supervised_score"]
        )
        assert sub["win"].tolist() == (sub["diff_vs_supervised"] < 0).tolist()  # RMSE: lower wins
    assert folds["repeat"].tolist()[:6] == [0, 0, 0, 1, 1, 1]
    assert folds["fold"].tolist()[:6] == [0, 1, 2, 0, 1, 2]
    # rate 1.0 takes the whole pool, so the selection seed does not matter: rebuild it by hand
    pool = data[2]
    by_hand = []
    for tr, te in splits:
        model = PseudoLabelRegressor(KNeighborsRegressor(), unlabeled=pool, sample_rate=1.0)
        by_hand.append(root_mean_squared_error(y[te], model.fit(X[tr], y[tr]).predict(X[te])))
    np.testing.assert_allclose(knn.loc[knn["sample_rate"] == 1.0, "score"], by_hand)
    row = summary[(summary["model"] == "knn") & (summary["sample_rate"] == 1.0)].iloc[0]
    assert row["diff_vs_supervised"] == pytest.approx(np.mean(np.subtract(by_hand, expected)))


class RowCounter(TransformerMixin, BaseEstimator):
    """Records the row counts it is fitted on (class-level log, fits run in-process)."""

    fitted_rows: list[int] = []

    def fit(self, X, y=None):
        type(self).fitted_rows.append(len(X))
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float)


def test_preprocessor_is_fitted_inside_each_fold_and_pool_stays_raw(data):
    X, y, pool = data
    RowCounter.fitted_rows = []
    summary = compare(
        X,
        y,
        unlabeled=pool,
        models=[("ridge", Ridge())],
        sample_rates=(0, 0.5),
        cv=4,
        n_repeats=1,
        preprocessor=RowCounter(),
    )
    # 4 folds x rate 0: one fit on the 90 training rows; rate 0.5: 90, then 90 + 40 pseudo rows.
    assert sorted(RowCounter.fitted_rows) == sorted([90] * 4 + [90, 130] * 4)
    assert len(X) not in RowCounter.fitted_rows  # never the test fold
    assert summary["n_pseudo_mean"].tolist() == [0.0, 40.0]


def test_preprocessor_matches_a_pipeline_built_by_hand(data):
    X, y, pool = data
    from_compare = compare(
        X,
        y,
        unlabeled=pool,
        models=[("knn", KNeighborsRegressor())],
        sample_rates=(0,),
        cv=3,
        n_repeats=1,
        preprocessor=StandardScaler(),
    )
    by_hand = [
        root_mean_squared_error(
            y[te],
            make_pipeline(StandardScaler(), KNeighborsRegressor()).fit(X[tr], y[tr]).predict(X[te]),
        )
        for tr, te in KFold(3, shuffle=True, random_state=0).split(X)
    ]
    assert from_compare["score_mean"].iloc[0] == pytest.approx(np.mean(by_hand))


def test_unlabelled_rows_of_X_join_the_pool(data):
    X, y, pool = data
    X_all = np.vstack([X, pool])
    y_all = np.concatenate([y, np.full(len(pool), np.nan)])
    kwargs = dict(
        models=[("tree", DecisionTreeRegressor(random_state=0))],
        sample_rates=(0.5,),
        cv=3,
        n_repeats=1,
    )
    inside = compare(X_all, y_all, **kwargs)
    outside = compare(X, y, unlabeled=pool, **kwargs)
    pd.testing.assert_frame_equal(
        inside.drop(columns="fit_time_mean"), outside.drop(columns="fit_time_mean")
    )
    assert inside.attrs["n_train"] == 80.0


def test_dataframes_and_registry_names(data):
    X, y, pool = data
    columns = [f"x{i}" for i in range(X.shape[1])]
    Xdf, pooldf = pd.DataFrame(X, columns=columns), pd.DataFrame(pool, columns=columns)
    kwargs = dict(sample_rates=(0, 0.3), cv=3, n_repeats=1)
    from_frames = compare(Xdf, pd.Series(y), unlabeled=pooldf, models=["ridge", "knn"], **kwargs)
    assert from_frames["model"].tolist() == ["ridge", "ridge", "knn", "knn"]
    from pseudoboost.models import get_model

    from_arrays = compare(
        X,
        y,
        unlabeled=pool,
        models=[(name, get_model(name).make_estimator()) for name in ("ridge", "knn")],
        **kwargs,
    )
    pd.testing.assert_frame_equal(
        from_frames.drop(columns="fit_time_mean"), from_arrays.drop(columns="fit_time_mean")
    )


def test_parallel_jobs_give_the_serial_result(data):
    X, y, pool = data
    kwargs = dict(
        models=[("tree", DecisionTreeRegressor(random_state=0))],
        sample_rates=(0, 0.3),
        cv=3,
        n_repeats=1,
    )
    serial = compare(X, y, unlabeled=pool, **kwargs)
    parallel = compare(X, y, unlabeled=pool, n_jobs=2, **kwargs)  # joblib's process backend
    pd.testing.assert_frame_equal(
        serial.drop(columns="fit_time_mean"), parallel.drop(columns="fit_time_mean")
    )


def test_unnamed_estimators_are_named_after_their_class(data):
    X, y, pool = data
    summary = compare(
        X,
        y,
        unlabeled=pool,
        models=[Ridge(), Ridge(alpha=10.0)],
        sample_rates=(0,),
        cv=2,
        n_repeats=1,
    )
    assert summary["model"].tolist() == ["Ridge", "Ridge#2"]


def test_classification_uses_random_selection_and_accuracy():
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    y = y.copy()
    y[150:] = -1  # unlabelled rows inside X
    summary, folds = compare(
        X,
        y,
        models=[("logreg", LogisticRegression())],
        sample_rates=(0, 0.5, 1.0),
        cv=3,
        n_repeats=1,
        return_folds=True,
    )
    assert summary.attrs["task"] == "classification"
    assert summary.attrs["metric"] == "accuracy"
    assert summary.attrs["greater_is_better"] is True
    assert summary["n_pseudo_mean"].tolist() == [0.0, 25.0, 50.0]
    assert summary.attrs["n_train"] == 100.0  # only labelled rows are split
    assert folds["win"].tolist() == (folds["diff_vs_supervised"] > 0).tolist()
    assert ((summary["score_mean"] > 0.5) & (summary["score_mean"] <= 1.0)).all()


_RATES = r"The 'sample_rates' parameter of compare must be a float in the range \[0\.0, 1\.0\]"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"models": ["no_such_model"]},
            r"Unknown regression model 'no_such_model'\. Available: .*Or pass an estimator",
        ),
        ({"models": []}, "models is empty: pass at least one model name"),
        ({"models": ["ridge", "ridge"]}, "listed twice"),
        ({"models": [("a", "not an estimator")]}, "is not a scikit-learn estimator"),
        ({"models": [42]}, "Each model must be a name from pseudoboost.models"),
        ({"sample_rates": (0, 1.5)}, _RATES + r".*Got \(0, 1\.5\) instead"),
        ({"sample_rates": (-0.1,)}, _RATES + r".*Got \(-0\.1,\) instead"),
        ({"sample_rates": ()}, _RATES + r" or a non-empty array-like.*Got \(\) instead"),
        ({"sample_rates": ("half",)}, _RATES + r".*Got \('half',\) instead"),
        ({"sample_rates": (0, True)}, _RATES + r".*Got \(0, True\) instead"),
        (
            {"pseudo_params": {"sample_rate": 0.3}},
            r"The 'pseudo_params' parameter of compare must not set \['sample_rate'\]",
        ),
        ({"unlabeled": None}, "There is nothing to pseudo-label"),
        (
            {"task": "classification", "selection": "confidence", "models": [LogisticRegression()]},
            "for classification is selection='random'; got selection='confidence'",
        ),
    ],
)
def test_bad_inputs(data, kwargs, message):
    X, y, pool = data
    call = {"unlabeled": pool, "models": [Ridge()], "cv": 2, "n_repeats": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        compare(X, y, **call)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": None}, "The 'X' parameter of compare must be an array-like"),
        ({"y": 3.0}, "The 'y' parameter of compare must be an array-like"),
        ({"unlabeled": "pool.csv"}, "The 'unlabeled' parameter of compare must be an array-like"),
        ({"models": 42}, "The 'models' parameter of compare must be an instance of 'str'"),
        ({"sample_rates": 1.5}, _RATES + r" or an array-like\. Got 1\.5 instead"),
        ({"sample_rates": "half"}, _RATES + r" or an array-like\. Got 'half' instead"),
        ({"cv": 1}, r"The 'cv' parameter of compare must be an int in the range \[2, inf\)"),
        ({"n_repeats": 0}, r"The 'n_repeats' parameter of compare must be an int in the range"),
        ({"scoring": "rmse"}, "The 'scoring' parameter of compare must be a str among"),
        ({"scoring": 3}, "The 'scoring' parameter of compare must be a str among .*Got 3"),
        (
            {"random_state": -1},
            r"The 'random_state' parameter of compare must be an int in the range \[0, 4294967295\]",
        ),
        ({"random_state": "seed"}, "The 'random_state' parameter of compare must be an int"),
        (
            {"preprocessor": Ridge()},
            "The 'preprocessor' parameter of compare must be an object implementing 'fit' and "
            "'transform'",
        ),
        ({"selection": "threshold"}, "The 'selection' parameter of compare must be a str among"),
        ({"pseudo_params": [("max_iter", 2)]}, "The 'pseudo_params' parameter of compare must be"),
        ({"groups": 5}, "The 'groups' parameter of compare must be an array-like or None"),
        ({"n_jobs": "two"}, "The 'n_jobs' parameter of compare must be an instance of 'int'"),
        ({"task": "ranking"}, "The 'task' parameter of compare must be a str among"),
        ({"progress": "yes"}, "The 'progress' parameter of compare must be an instance of 'bool'"),
        ({"return_folds": 1}, "The 'return_folds' parameter of compare must be an instance of"),
    ],
)
def test_parameters_are_checked_by_their_constraints(data, kwargs, message):
    X, y, pool = data
    call = {"X": X, "y": y, "unlabeled": pool, "models": [Ridge()], "cv": 2, "n_repeats": 1}
    with pytest.raises(InvalidParameterError, match=message):
        compare(**{**call, **kwargs})


def test_a_single_rate_and_numpy_scalars_are_accepted(data):
    X, y, pool = data
    summary = compare(
        X,
        y,
        unlabeled=pool,
        models=[Ridge()],
        sample_rates=np.float64(0.5),
        cv=np.int64(2),
        n_repeats=np.int64(1),
        random_state=np.int64(3),
        progress=np.bool_(False),
    )
    assert summary["sample_rate"].tolist() == [0.0, 0.5]
    assert summary["n_folds"].tolist() == [2, 2]


def test_mismatched_lengths(data):
    X, y, pool = data
    with pytest.raises(ValueError, match="X has 120 rows but y has 119"):
        compare(X, y[:-1], unlabeled=pool, models=[Ridge()])


def test_identical_fits_are_no_gain_and_no_evidence():
    # Ridge refitted on its own exact predictions lands on the same coefficients, so every
    # fold's difference is rounding: reported as exactly 0, no wins, t = 0 and p = 1.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=120)
    summary = compare(
        X[:80],
        y[:80],
        unlabeled=X[80:],
        models=[Ridge()],
        sample_rates=(1.0,),
        cv=4,
        n_repeats=2,
    )
    row = summary.iloc[1]
    assert (row["diff_vs_supervised"], row["wins"], row["t_statistic"], row["p_value"]) == (
        0.0,
        0,
        0.0,
        1.0,
    )
    assert row["score_mean"] == pytest.approx(summary.iloc[0]["score_mean"], rel=1e-9)


def test_given_splitter_progress_bar_and_repeat_labels(data, capsys):
    X, y, pool = data
    cv = RepeatedKFold(n_splits=4, n_repeats=2, random_state=1)
    summary, folds = compare(
        X,
        y,
        unlabeled=pool,
        models=[Ridge()],
        sample_rates=(0.5,),
        cv=cv,
        progress=True,
        return_folds=True,
    )
    assert summary["n_folds"].tolist() == [8, 8]  # the splitter's own repeats
    assert folds["repeat"].tolist()[:8] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert folds["fold"].tolist()[:8] == [0, 1, 2, 3, 0, 1, 2, 3]
    assert "16/16" in capsys.readouterr().err


def test_pseudo_params_reach_the_pseudo_labelling_estimator(data):
    X, y, pool = data
    summary = compare(
        X,
        y,
        unlabeled=pool,
        models=[("tree", DecisionTreeRegressor(random_state=0))],
        sample_rates=(0.2,),
        cv=2,
        n_repeats=1,
        pseudo_params={"max_iter": 2},
    )
    # two rounds of round(0.2 * 80) = 16 rows each
    assert summary["n_pseudo_mean"].tolist() == [0.0, 32.0]


def test_all_compares_every_registered_model_of_the_task():
    from pseudoboost.models import list_models

    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    summary = compare(X, y, models="all", sample_rates=(0,), cv=2, n_repeats=1)
    assert summary["model"].tolist() == list(list_models("classification"))
    assert summary.attrs["task"] == "classification"


def test_all_leaves_out_models_that_cannot_run_on_the_folds(data):
    from sklearn.linear_model import Ridge

    from pseudoboost.models import list_models, register_model, unregister_model

    X, y, pool = data
    register_model("tiny_only", Ridge, {}, max_rows=10, alternatives=[{}])
    try:
        summary = compare(X[:30], y[:30], models="all", sample_rates=(0,), cv=2, n_repeats=1)
    finally:
        unregister_model("tiny_only")
    # 15 training rows per fold: above tiny_only's 10 (and the zoo's limits are far above).
    assert "tiny_only" not in summary["model"].tolist()
    assert "ridge" in summary["model"].tolist()
    assert len(summary) == len(list_models("regression"))


def test_all_leaves_out_models_whose_loss_cannot_take_the_targets(data):
    X, y, _ = data
    signed = compare(X[:40], y[:40] - 15, models="all", sample_rates=(0,), cv=2, n_repeats=1)
    assert "poisson_glm" not in signed["model"].tolist()
    assert (
        "poisson_glm"
        in compare(X[:40], y[:40], models="all", sample_rates=(0,), cv=2, n_repeats=1)[
            "model"
        ].tolist()
    )
    with pytest.raises(ValueError, match="^Model 'poisson_glm' needs targets >= 0, but y has "):
        compare(X[:40], y[:40] - 15, models="poisson_glm", sample_rates=(0,), cv=2)


def test_model_specs_are_accepted_and_decide_the_task(data):
    from pseudoboost.models import get_model

    X, y, pool = data
    spec = get_model("knn", "classification")
    labels = (y > np.median(y)).astype(float)  # would be inferred as classification anyway
    summary = compare(
        X, labels, unlabeled=pool, models=[spec], sample_rates=(0,), cv=2, n_repeats=1
    )
    assert summary["model"].tolist() == ["knn"]
    assert summary.attrs["task"] == "classification"
    ridge = get_model("ridge", "regression")
    summary = compare(X, labels, models=ridge, sample_rates=(0,), cv=2, n_repeats=1)
    assert summary.attrs["task"] == "regression"  # the spec's task, not the target's


def test_default_repeats_are_three_for_integer_folds_and_one_for_a_splitter(data):
    X, y, pool = data
    call = dict(unlabeled=pool, models=[Ridge()], sample_rates=(0,))
    assert compare(X, y, cv=2, **call)["n_folds"].tolist() == [6]
    assert compare(X, y, cv=KFold(2), **call)["n_folds"].tolist() == [2]
