"""The corrected resampled t-test against answers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pseudoboost.comparison import corrected_ttest

# diffs 1..5: mean 3, sample variance 2.5, k = 5. With n_test/n_train = 100/400 = 1/4 the
# corrected variance factor is 1/5 + 1/4 = 9/20, so the standard error is
# sqrt(2.5 * 9/20) = 3 / (2 sqrt 2) and t = 3 / se = 2 sqrt 2. For a t distribution with
# 4 degrees of freedom F(t) = 1/2 + (3/8) u (1 - t^2 / (12 (1 + t^2/4))), u = t / sqrt(1 + t^2/4);
# at t^2 = 8 that is 1/2 + 7 sqrt 6 / 36, so the two-sided p-value is 1 - 7 sqrt 6 / 18.
DIFFS = [1.0, 2.0, 3.0, 4.0, 5.0]
T_BY_HAND = 2 * math.sqrt(2)
SE_BY_HAND = 3 / (2 * math.sqrt(2))
P_BY_HAND = 1 - 7 * math.sqrt(6) / 18  # 0.04742...


def test_known_answer():
    result = corrected_ttest(DIFFS, n_train=400, n_test=100)
    assert result.statistic == pytest.approx(T_BY_HAND, rel=1e-12)
    assert result.std_error == pytest.approx(SE_BY_HAND, rel=1e-12)
    assert result.p_value == pytest.approx(P_BY_HAND, rel=1e-9)
    assert result.df == 4
    assert result.mean == 3.0
    assert 0.047 < result.p_value < 0.048


def test_more_conservative_than_naive_paired_test():
    corrected = corrected_ttest(DIFFS, n_train=400, n_test=100)
    naive = stats.ttest_1samp(DIFFS, 0.0)
    # naive t = 3 / sqrt(2.5 / 5) = 3 sqrt 2: the correction divides t by sqrt(k * 9/20) = 1.5
    assert naive.statistic == pytest.approx(3 * math.sqrt(2))
    assert naive.statistic / corrected.statistic == pytest.approx(1.5)
    assert corrected.p_value > naive.pvalue
    assert naive.pvalue < 0.05 / 3  # naive calls it clearly significant ...
    assert corrected.p_value > 0.047  # ... the corrected test only just


def test_sign_and_one_sided_alternatives():
    negative = corrected_ttest([-d for d in DIFFS], n_train=400, n_test=100)
    assert negative.statistic == pytest.approx(-T_BY_HAND)
    assert negative.p_value == pytest.approx(P_BY_HAND)
    greater = corrected_ttest(DIFFS, 400, 100, alternative="greater")
    less = corrected_ttest(DIFFS, 400, 100, alternative="less")
    assert greater.p_value == pytest.approx(P_BY_HAND / 2)
    assert less.p_value == pytest.approx(1 - P_BY_HAND / 2)


def test_zero_variance():
    same = corrected_ttest(np.zeros(6), n_train=80, n_test=20)
    assert (same.statistic, same.p_value, same.std_error) == (0.0, 1.0, 0.0)
    shifted = corrected_ttest(np.full(6, -0.5), n_train=80, n_test=20)
    assert shifted.statistic == -math.inf
    assert shifted.p_value == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"diffs": [1.0], "n_train": 10, "n_test": 5}, "at least 2 paired differences, got 1"),
        ({"diffs": [1.0, np.nan], "n_train": 10, "n_test": 5}, "NaN or infinite"),
        ({"diffs": [1.0, 2.0], "n_train": 0, "n_test": 5}, "n_train and n_test must be positive"),
        ({"diffs": [1.0, 2.0], "n_train": 10, "n_test": -1}, "n_train and n_test must be positive"),
        (
            {"diffs": [1.0, 2.0], "n_train": 10, "n_test": 5, "alternative": "bigger"},
            "alternative must be one of",
        ),
    ],
)
def test_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        corrected_ttest(**kwargs)
