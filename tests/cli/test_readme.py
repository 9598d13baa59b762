"""The README as a newcomer reads it: the set-up commands come first, and the tour's lines run as
written, one after another, in a fresh directory with a fresh store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def tour_lines() -> list[str]:
    text = README.read_text()
    section = text.split("## A short tour of the CLI", 1)[1]
    block = code_blocks(section)[0]
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_two_set_up_commands_come_first() -> None:
    first = code_blocks(README.read_text())[0].strip().splitlines()
    assert first == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/pmtui",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/python -m pytest",
    ]


def test_the_tour_activates_the_venv_before_calling_pmtui() -> None:
    lines = tour_lines()
    assert lines[0].startswith("source .venv/bin/activate")
    assert all(line.startswith("pmtui ") or line.startswith(("export ", "source ")) for line in lines)


def test_the_readme_has_an_every_day_section_and_exit_codes() -> None:
    text = README.read_text()
    every_day = text.split("## Every day", 1)[1].split("\n## ", 1)[0]
    for needle in ("pipx install .", "pmtui completion bash", "pmtui config", "config.toml"):
        assert needle in every_day
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 130 |"):
        assert code in text


@pytest.mark.slow
def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    """Each line of the tour, in order, in one bash, stopping at the first failure."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("the tour activates the project's .venv: run the tests from it")
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(sys.prefix)  # what the README's first command made
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMTUI_", "XDG_", "VIRTUAL_ENV"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), NO_COLOR="1")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(sys.prefix))  # only `source` may put pmtui there
    lines = tour_lines()
    # Every line runs, in order, even after one fails, so one report names every line that failed.
    script = "".join(f"echo '>>> {n}'\n{line} || echo '!!! {n}'\n" for n, line in enumerate(lines))
    done = subprocess.run(["bash", "-c", script], cwd=clone, capture_output=True, text=True, env=env, timeout=240)
    assert f">>> {len(lines) - 1}" in done.stdout, done.stderr[-2000:]
    failed = [lines[int(n)] for n in re.findall(r"!!! (\d+)", done.stdout)]
    assert not failed, f"the tour failed at: {failed}\n{done.stderr[-2000:]}"
    assert "Review" in done.stdout and "verified" in done.stdout and "imported" in done.stdout
    assert (clone / "tour.db").exists() and (clone / "items.csv").exists() and (clone / "restored.db").exists()
