"""Shell completion: the scripts load in the shells and offer commands, options and the store's
live values (item keys, columns, sprints, releases, KPIs, roadmap items)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui.cli.completion import _empty_fold, _fold, candidates, load_tree, store_values
from tests.cli.support import run

BIN = Path(sys.executable).parent  # where the installed `pmtui` script lives beside this Python


def shell_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def bash_complete(*words: str) -> list[str]:
    """Source ``pmtui completion bash`` in a fresh bash, then TAB after ``words`` (the last one
    is the word being typed) as bash's programmable completion would."""
    if not (BIN / "pmtui").exists():
        pytest.skip("the pmtui script is not installed beside this Python")
    typed = " ".join(f"'{w}'" if w else "''" for w in ("pmtui", *words))
    program = (f'source <(pmtui completion bash)\n'
               f'COMP_WORDS=({typed}); COMP_CWORD={len(words)}\n'
               f'complete -p pmtui >/dev/null || exit 3\n'
               f'_pmtui_complete; printf "%s\\n" "${{COMPREPLY[@]}}"')
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=shell_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def keys_of(capsys: pytest.CaptureFixture[str]) -> list[str]:
    _, out, _ = run(capsys, "backlog", "--all", "--json")
    return [item["key"] for item in json.loads(out)]


def test_bash_completes_item_keys_from_the_store(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = keys_of(capsys)
    assert sorted(bash_complete("item", "move", "")) == sorted(keys)
    assert set(bash_complete("item", "show", "AC-1")) == {k for k in keys if k.startswith("AC-1")}


def test_bash_sees_a_new_item_at_the_next_tab(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = bash_complete("item", "show", "")
    _, out, _ = run(capsys, "item", "add", "Fresh", "--json")
    key = json.loads(out)["key"]
    assert key not in before and key in bash_complete("item", "show", "")


def test_bash_completes_commands_verbs_and_options(demo_db: Path) -> None:
    assert {"item", "board", "sprint", "roadmap", "completion", "config", "version"} <= set(bash_complete(""))
    assert bash_complete("spr") == ["sprint"]
    assert set(bash_complete("item", "")) >= {"add", "move", "edit", "show", "rank"}
    assert set(bash_complete("item", "edit", "AC-1", "--s")) == {"--sprint"}
    assert bash_complete("completion", "") == ["bash", "zsh", "fish"]


def test_bash_completes_names_with_spaces_as_one_word(demo_db: Path) -> None:
    assert bash_complete("item", "move", "AC-3", "In") == ["In\\ progress"]
    assert "Sprint\\ 2" in bash_complete("item", "edit", "AC-3", "--sprint", "")
    assert bash_complete("kpi", "measure", "Conv") == ["Conversion\\ rate"]


def test_live_values_of_every_kind(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert store_values(str(demo_db))["columns"] == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert run(capsys, "columns", "add", "Staging")[0] == 0
    assert run(capsys, "columns", "rename", "Staging", "QA")[0] == 0
    values = store_values(str(demo_db))  # folds only the new events on top of the kept fold
    assert values["columns"] == ["Backlog", "To do", "In progress", "Review", "Done", "QA"]
    assert values["sprints"] == ["Sprint 1", "Sprint 2", "Sprint 3", "Sprint 4"]
    assert values["releases"] and values["kpis"][0] == "Conversion rate"
    assert values["roadmap"][:2] == ["RM-1", "RM-2"] and values["boards"] == ["Main"]
    assert sorted(values["items"]) == sorted(keys_of(capsys))


def test_renamed_sprints_releases_and_kpis_are_offered_by_their_new_names() -> None:
    state = _empty_fold()
    _fold(state, "domain.sprint:Sprint.Planned", {"name": "Sprint 2"}, "s2")
    _fold(state, "domain.sprint:Sprint.Edited", {"changes": {"name": ["Sprint 2", "Sprint Two"]}}, "s2")
    _fold(state, "domain.kpi:Kpi.Defined", {"name": "NPS"}, "k")
    _fold(state, "domain.kpi:Kpi.Edited", {"changes": {"target": [1, 2]}}, "k")
    assert state["sprints"] == {"s2": "Sprint Two"} and state["kpis"] == {"k": "NPS"}


def test_candidates_follow_the_tree() -> None:
    tree = load_tree()
    offered = {"items": ["AC-1", "AC-2"], "columns": ["To do", "Done"], "sprints": ["Sprint 1"], "roadmap": ["RM-1"]}
    values = lambda kind: offered.get(kind, [])  # noqa: E731
    assert candidates(["item", "move", "AC-1", ""], 4, tree, values) == ["To do", "Done"]
    assert candidates(["item", "rank", "AC-1", "b"], 4, tree, values) == ["bottom", "before"]
    assert candidates(["roadmap", "move", ""], 3, tree, values) == ["RM-1"]
    assert candidates(["sprint", "plan", ""], 3, tree, values) == []  # a new name: nothing to offer
    assert candidates(["sprint", "plan", "S", "--items", "AC-1", ""], 6, tree, values) == ["AC-1", "AC-2"]


def test_completion_is_quiet_when_the_store_is_missing(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pmtui.cli", "--db", str(tmp_path / "none.db"), "__complete",
                           "bash", "3", "item", "move", ""], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert not (tmp_path / "none.db").exists()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_item_keys_and_names(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Outside an interactive shell compadd cannot run: a stand-in prints what the function offers.
    program = ("compdef() { :; }; source <(pmtui completion zsh); compadd() { shift; print -l -- \"$@\"; }; "
               "_files() { print FILES; }; {}; _pmtui_complete")
    def offered(words: str, current: int) -> list[str]:
        done = subprocess.run(["zsh", "-fc", program.replace("{}", f"words=({words}); CURRENT={current}")],
                              capture_output=True, text=True, env=shell_env(), timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()
    assert sorted(offered("pmtui item move ''", 4)) == sorted(keys_of(capsys))
    assert offered("pmtui item move AC-3 In", 5) == ["In progress"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_item_keys_and_names(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = "pmtui completion fish | source; complete -C'pmtui item move '; complete -C'pmtui item move AC-3 In'"
    done = subprocess.run(["fish", "-c", program], capture_output=True, text=True, env=shell_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    offered = done.stdout.splitlines()
    assert set(keys_of(capsys)) <= set(offered) and "In progress" in offered


def test_zsh_and_fish_scripts_call_the_completer() -> None:
    zsh = subprocess.run([sys.executable, "-m", "pmtui.cli", "completion", "zsh"], capture_output=True, text=True,
                         timeout=60).stdout
    fish = subprocess.run([sys.executable, "-m", "pmtui.cli", "completion", "fish"], capture_output=True, text=True,
                          timeout=60).stdout
    assert zsh.startswith("#compdef pmtui") and "__complete zsh" in zsh and "compdef _pmtui_complete pmtui" in zsh
    assert "__complete fish" in fish and "complete -c pmtui" in fish
