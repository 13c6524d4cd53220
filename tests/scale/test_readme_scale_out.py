"""The README's "Scale out" commands are ones the CLI accepts, with the budget flags."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from pseudoboost.cli._main import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def scale_out_commands() -> list[list[str]]:
    assert README.is_file(), f"{README} is missing: the 'Scale out' commands live there."
    text = README.read_text()
    assert "\n## Scale out" in text, (
        "README.md has no '## Scale out' section (renamed?): its commands are what this test "
        "checks; keep the heading or update the test with it."
    )
    section = text.split("## Scale out", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].strip().replace("$(hostname)", "host").replace("$$", "1")
            if line.startswith("pseudoboost tune"):
                commands.append(shlex.split(line)[1:])
    return commands


def test_scale_out_commands_parse_and_share_one_study():
    commands = scale_out_commands()
    assert len(commands) >= 2, (
        "README.md's 'Scale out' section should show the workers' and the final step's "
        f"'pseudoboost tune' commands in ```bash blocks; found {commands}."
    )
    parsed = [build_parser().parse_args(argv) for argv in commands]
    assert {(a.storage, a.study_name, a.total_trials) for a in parsed} == {
        (parsed[0].storage, parsed[0].study_name, parsed[0].total_trials)
    }
    assert parsed[0].storage.startswith("postgresql://") and parsed[0].total_trials > 0
    assert len({a.out for a in parsed}) == len(parsed)  # each its own output folder
