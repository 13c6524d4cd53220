"""The README is the front door: its set-up commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    main_job, test_command = _bash_blocks(setup)[:2]
    assert "pseudoboost tune --demo" in main_job
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_quick_start_runs():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    first = re.findall(r"```python\n(.*?)```", quick, flags=re.S)[0]
    # Smaller data and folds than the README shows, same code path.
    code = first.replace(
        "make_bigmart_like(random_state=0)",
        "make_bigmart_like(n_train=400, n_test=300, random_state=0)",
    )
    code = code.replace("print(", "score = (")
    namespace: dict = {}
    exec(compile(code, "README quick start", "exec"), namespace)
    assert 0 < namespace["score"] < 10_000
