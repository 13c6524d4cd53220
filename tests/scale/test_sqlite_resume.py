"""A SQLite study whose only worker is killed mid-run resumes with every finished trial kept."""

from __future__ import annotations

import signal

from _scale_helpers import load_trials, tune_here, wait_for
from optuna.trial import TrialState


def test_killed_sqlite_study_resumes_with_finished_trials_kept(
    study_name, spawn_worker, tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    in_fit = tmp_path / "in_fit"
    first = spawn_worker(url, study_name, total_trials=7, hang_after_trials=3, in_fit_file=in_fit)
    wait_for(in_fit.exists, 60, "the worker to hang in a fit")
    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(timeout=10) == -signal.SIGKILL

    before = load_trials(url, study_name)
    kept = {t.number: t for t in before if t.state.is_finished()}
    (killed,) = [t for t in before if t.state == TrialState.RUNNING]
    assert len(kept) == 3
    assert all(t.state == TrialState.COMPLETE for t in kept.values())
    assert sorted(r["number"] for r in first.ran()) == sorted(kept)

    # Resume: the same call again (here in this process) finishes the study.
    ran = tune_here(url, study_name, 7, monkeypatch)

    after = load_trials(url, study_name)
    for number, trial in kept.items():
        assert after[number].state == trial.state
        assert after[number].value == trial.value
        assert after[number].params == trial.params
        assert after[number].user_attrs["fold_scores"] == trial.user_attrs["fold_scores"]
    assert after[killed.number].state == TrialState.FAIL
    (retry,) = [t for t in after if t.system_attrs.get("failed_trial") == killed.number]
    assert retry.state == TrialState.COMPLETE and retry.params == killed.params
    assert sum(t.state == TrialState.COMPLETE for t in after) == 7
    new = [t.number for t in after if t.state == TrialState.COMPLETE and t.number not in kept]
    assert sorted(ran) == new and len(new) == 4
