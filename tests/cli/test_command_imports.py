"""A command imports only what it needs (issue 10): each runs in a fresh interpreter, as a user runs
it, and the modules it loaded are read from ``sys.modules`` when it ends.

- A query that reads the read model's tables imports no eventsourcing and no aggregate (every
  aggregate's module imports ``domain.base``); the pure value modules of domain/ may load.
- A write imports the aggregates it changes, and nothing of the TUI, SSH, charts or PostgreSQL.
- Building the parser of one command imports only that command's module; ``--help`` none of the
  heavy libraries.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui import cli
from pmtui.cli.common import Parser

ROOT = Path(__file__).resolve().parents[2]
UI_SSH_PLOT_PG = {"textual", "rich", "asyncssh", "plotext", "textual_plotext", "psycopg", "psycopg_pool"}
AGGREGATES = {"work_item", "board", "product", "sprint", "release", "roadmap", "objective", "kpi", "user",
              "feedback", "document"}

# Runs pmtui's main() with the given arguments and prints, as JSON, its exit code and the modules
# it loaded (top-level names, and domain's and pmtui.cli's modules by their full names).
PROBE = """
import json, sys
from pmtui.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:  # --help
    code = stop.code
names = sorted(m for m in sys.modules if m.startswith(("domain.", "pmtui.cli.")) or "." not in m)
print("\\nMODULES " + json.dumps({"code": code, "modules": names}))
"""


def loaded(db: Path, *argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, "--db", str(db), *argv], capture_output=True, text=True,
                          cwd=ROOT, env={**_env(), "PMTUI_ACTOR": "carol"}, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("MODULES ")), None)
    assert line is not None, proc.stderr
    found = json.loads(line[len("MODULES "):])
    assert found["code"] == 0, proc.stderr
    return found["code"], set(found["modules"])


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PMTUI_")}


def aggregates(modules: set[str]) -> set[str]:
    return {m.split(".")[1] for m in modules if m.startswith("domain.") and m.split(".")[1] in AGGREGATES}


@pytest.fixture
def store(demo_db: Path) -> Path:
    return demo_db


@pytest.mark.parametrize("argv", [["backlog"], ["board", "--json"], ["backlog", "--as-of", "#40"],
                                  ["item", "list", "kind:bug"], ["sprint", "list"], ["roadmap"]])
def test_a_query_imports_no_eventsourcing_no_aggregate_no_ui(store: Path, argv: list[str]) -> None:
    code, modules = loaded(store, *argv)
    assert code == 0
    assert "pmtui" in modules and "sqlite3" in modules  # the probe saw the command's imports
    assert not modules & UI_SSH_PLOT_PG
    assert "eventsourcing" not in modules
    assert "domain.base" not in modules and not aggregates(modules)


@pytest.mark.parametrize("argv", [
    ["item", "edit", "AC-7", "--points", "5"],
    ["item", "move", "AC-7", "Backlog"],
    ["item", "comment", "AC-7", "looks good"],
    ["item", "rank", "AC-7", "top"],
    ["item", "archive", "AC-7"],
    ["item", "add", "A new story"],
    ["kpi", "measure", "Conversion rate", "4.1"],
])
def test_a_quick_write_imports_no_eventsourcing_no_aggregate_no_ui(store: Path, argv: list[str]) -> None:
    """The common item writes and a KPI's measurement go through pmtui/service/item_writes.py and
    kpi_writes.py on SQLite: the rules (domain.item_rules, domain.board_rules) and the stored
    events, without eventsourcing or any aggregate's event classes (building them cost more than
    the rest of the command)."""
    code, modules = loaded(store, *argv)
    assert code == 0
    assert "pmtui" in modules and "sqlite3" in modules  # the probe saw the command's imports
    assert "eventsourcing" not in modules
    assert not modules & UI_SSH_PLOT_PG
    assert "domain.base" not in modules and not aggregates(modules)
    assert not {"shutil", "getpass"} & modules  # a terminal's width, a login name: neither asked for here
    assert {m for m in modules if m.startswith("pmtui.cli.")} <= {"pmtui.cli.common", "pmtui.cli.item",
                                                                  "pmtui.cli.kpi", "pmtui.cli.fast",
                                                                  "pmtui.cli.output", "pmtui.cli.session"}


@pytest.mark.parametrize(("argv", "needed"), [
    (["product", "edit", "--vision", "Ship it"], {"product"}),
])
def test_a_write_imports_its_aggregates_and_no_ui_ssh_charts_or_postgres(store: Path, argv: list[str],
                                                                          needed: set[str]) -> None:
    code, modules = loaded(store, *argv)
    assert code == 0
    assert "eventsourcing" in modules  # it wrote through the application
    assert not modules & UI_SSH_PLOT_PG
    assert aggregates(modules) == needed
    assert {m for m in modules if m.startswith("pmtui.cli.")} <= {"pmtui.cli.common", "pmtui.cli.product",
                                                                  "pmtui.cli.fast", "pmtui.cli.output",
                                                                  "pmtui.cli.session"}


def test_help_lists_every_command_without_heavy_imports(store: Path) -> None:
    code, modules = loaded(store, "--help")
    assert code == 0
    assert not modules & (UI_SSH_PLOT_PG | {"eventsourcing"})
    assert "domain.base" not in modules


def test_the_command_table_names_what_each_module_registers() -> None:
    """COMMANDS sends each command word to the module that registers it, with its help line, in
    the modules' order, and misses none."""
    registered: dict[str, tuple[str, str]] = {}
    for name in cli.NOUNS + cli.OPTIONAL_NOUNS:
        parser = Parser(prog="pmtui")
        sub = parser.add_subparsers(dest="noun", parser_class=Parser)
        importlib.import_module(f"pmtui.cli.{name}").register(sub)
        registered.update({action.dest: (name, action.help) for action in sub._choices_actions})
    assert list(registered.items()) == list(cli.COMMANDS.items())


def test_help_from_the_table_is_the_whole_trees_help() -> None:
    assert cli.help_parser().format_help() == cli.build_parser().format_help()


def _help_of(parser: argparse.ArgumentParser, *path: str) -> str:
    for word in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser.format_help()


@pytest.mark.parametrize("path", [("item",), ("item", "edit"), ("backlog",), ("columns", "wip"), ("undo",)])
def test_a_commands_own_parser_helps_as_the_whole_tree_does(path: tuple[str, ...]) -> None:
    assert _help_of(cli.build_parser(path[0]), *path) == _help_of(cli.build_parser(), *path)


def test_an_option_value_that_names_a_command_still_parses(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--reas backlog`` (an abbreviated --reason) is not the command word: the whole tree parses it."""
    code = cli.main(["--db", str(store), "--reas", "backlog", "item", "comment", "AC-7", "hello"])
    assert code == 0, capsys.readouterr().err
    assert "comment added to AC-7" in capsys.readouterr().out


def test_an_unknown_command_lists_every_command(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", str(store), "itme", "add", "x"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'itme'" in err and "backlog" in err and "roadmap" in err
