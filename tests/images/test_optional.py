"""pseudoboost imports without Keras; pseudoboost.images fails on use with an install hint."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_import_without_keras_fails_on_use_with_hint():
    result = _run(
        """
        import sys
        sys.modules["keras"] = None  # as if Keras were not installed
        import pseudoboost
        import pseudoboost.images as images
        clf = images.KerasImageClassifier(epochs=1)
        print(clf.get_params()["epochs"])
        try:
            images.make_cnn()
        except ImportError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1"
    assert 'pip install "pseudoboost[images]"' in lines[1]


def test_backend_defaults_to_torch_and_respects_the_user(monkeypatch):
    from pseudoboost.images import DEFAULT_BACKEND
    from pseudoboost.images._backend import set_default_backend

    assert DEFAULT_BACKEND == "torch"
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert set_default_backend() == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert set_default_backend() == "jax"
