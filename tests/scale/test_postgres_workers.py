"""Several worker processes on one PostgreSQL study: exact shared budget, SIGKILL survival."""

from __future__ import annotations

import signal

import pytest
from _scale_helpers import load_trials, tune_here, wait_for
from optuna.trial import TrialState

pytestmark = pytest.mark.postgres

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def start_together(spawn_worker, url, study_name, tmp_path, options, name="go"):
    """One worker per dict of options, all released at once once imported."""
    barrier = tmp_path / name
    workers = [spawn_worker(url, study_name, barrier=barrier, **extra) for extra in options]
    wait_for(lambda: len(list(tmp_path.glob(f"{name}.*"))) == len(workers), 60, "workers to start")
    barrier.touch()
    return workers


def test_three_workers_run_exactly_the_requested_trials_together(
    postgres_url, study_name, spawn_worker, tmp_path, monkeypatch
):
    workers = start_together(
        spawn_worker, postgres_url, study_name, tmp_path, [{"total_trials": 9}] * 3
    )
    for worker in workers:
        worker.wait(timeout=90)

    trials = load_trials(postgres_url, study_name)
    finished = [t for t in trials if t.state in FINISHED]
    surplus = [t for t in trials if t.user_attrs.get("surplus")]
    assert len(finished) == 9
    # Only surplus trials (two workers starting the last trial at once) may exist besides:
    # they failed before any fit and are flagged.
    assert len(trials) == 9 + len(surplus)
    assert all(t.state == TrialState.FAIL and "fold_scores" not in t.user_attrs for t in surplus)

    # None lost, none duplicated: every finished trial was reported by exactly one worker.
    reported = [
        r["number"] for w in workers for r in w.ran() if r["state"] in ("COMPLETE", "PRUNED")
    ]
    assert sorted(reported) == sorted(t.number for t in finished)
    assert len({t.number for t in finished}) == 9
    # The work was shared, and the workers did not sample the same parameters.
    assert sum(any(r["state"] == "COMPLETE" for r in w.ran()) for w in workers) >= 2
    assert len({tuple(sorted(t.params.items())) for t in finished}) == 9
    assert all(len(t.user_attrs["fold_scores"]) == 2 for t in finished)

    # A late worker finds the study full: it runs nothing (it only summarises the best trial).
    assert tune_here(postgres_url, study_name, 9, monkeypatch) == []
    assert len(load_trials(postgres_url, study_name)) == len(trials)


def test_a_worker_killed_mid_trial_loses_only_that_trial_and_it_is_retried(
    postgres_url, study_name, spawn_worker, tmp_path
):
    in_fit = tmp_path / "in_fit"
    # The victim starts alone and is killed inside its first trial; the survivors start
    # after. (Started together, tiny trials let the survivors fill the budget before the
    # victim asked for a trial, so it hung in the final re-score instead: a harness race.)
    (victim,) = start_together(
        spawn_worker,
        postgres_url,
        study_name,
        tmp_path,
        [{"total_trials": 6, "hang_after_trials": 0, "in_fit_file": in_fit}],
        name="victim",
    )
    wait_for(in_fit.exists, 60, "the victim to start fitting")
    victim.process.send_signal(signal.SIGKILL)
    assert victim.process.wait(timeout=10) == -signal.SIGKILL
    survivors = start_together(
        spawn_worker, postgres_url, study_name, tmp_path, [{"total_trials": 6}] * 2
    )
    for worker in survivors:
        worker.wait(timeout=90)

    trials = load_trials(postgres_url, study_name)
    finished = [t for t in trials if t.state in FINISHED]
    assert len(finished) == 6
    # The victim's trial is the one failed by the heartbeat check and queued again.
    (lost,) = [t for t in trials if t.state == TrialState.FAIL and not t.user_attrs.get("surplus")]
    (retry,) = [t for t in trials if t.system_attrs.get("failed_trial") == lost.number]
    assert retry.state == TrialState.COMPLETE
    assert retry.params == lost.params
    assert victim.ran() == []
    reported = [r["number"] for w in survivors for r in w.ran() if r["state"] == "COMPLETE"]
    assert sorted(reported) == sorted(t.number for t in finished)
