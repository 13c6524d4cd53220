"""A local step from a configuration: inside each distribution, on its grid, near the start."""

from __future__ import annotations

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from pseudoboost.tuning._local import neighbour

SPACE = {
    "rate": FloatDistribution(1e-3, 1.0, log=True),
    "share": FloatDistribution(0.1, 1.0, step=0.1),
    "leaves": IntDistribution(2, 256, log=True),
    "kind": CategoricalDistribution(["a", "b"]),
}


def test_steps_stay_inside_their_distributions_and_on_their_grid():
    rng = np.random.default_rng(0)
    start = {"rate": 1.0, "share": 0.1, "leaves": 2, "kind": "b", "fixed": "kept"}
    for _ in range(200):
        moved = neighbour(start, SPACE, rng, step=0.5)
        assert 1e-3 <= moved["rate"] <= 1.0 and 2 <= moved["leaves"] <= 256
        assert isinstance(moved["leaves"], int)
        assert np.isclose(moved["share"] * 10, round(moved["share"] * 10))
        assert moved["kind"] == "b" and moved["fixed"] == "kept"


def test_a_small_step_stays_near_the_start_on_a_log_scale():
    rng = np.random.default_rng(1)
    start = {"rate": 0.1, "share": 0.5, "leaves": 32, "kind": "a"}
    ratios = [neighbour(start, SPACE, rng, step=0.01)["rate"] / 0.1 for _ in range(200)]
    # 1% of a range of 3 decades: a factor of 10 ** 0.03 per sigma.
    assert max(np.abs(np.log10(ratios))) < 5 * 0.03 and np.std(np.log10(ratios)) > 0.01
    assert neighbour(start, SPACE, rng, step=0.0) == start
