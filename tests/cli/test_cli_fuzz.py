"""Hypothesis throws random arguments at the CLI: never a traceback, never an unexpected error,
and the store stays intact (the folded state equals a fresh rebuild)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.views import views_of
from pmtui.cli import main
from pmtui.service import Workbench
from projections.state import fold

WORDS = [
    "item", "add", "edit", "move", "rank", "archive", "restore", "comment", "link", "show", "list",
    "board", "columns", "wip", "swimlanes", "backlog", "sprint", "plan", "start", "close", "release",
    "roadmap", "decide", "decisions", "okr", "kr", "checkin", "kpi", "measure", "log", "product",
    "TT-1", "TT-2", "TT-3", "TT-99", "Done", "To do", "In progress", "top", "up", "down", "before", "after",
    "S1", "RM-1", "O-1", "O-1.1", "NPS", "now", "next", "later", "-3d", "#2", "#999", "2026-13-45", "3", "-1",
    "x", "", "kind:bug", "points>2", "assignee:me", "size:3", "--points", "--kind", "--as-of", "--json",
    "--reason", "--carry-to", "--hard", "--sort", "--epic", "--sprint", "--labels", "--target", "--period",
    "--horizon", "--status", "--rice", "1,2,3", "1,2,3,4", "bug", "epic", "saga", "none", "assignee", "nan",
]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    wb = Workbench(db=str(path), actor="fuzzer")
    wb.init_product("Fuzz", "TT")
    for title in ("one", "two", "three"):
        wb.add_item(title, points=2)
    wb.plan_sprint("S1")
    wb.add_roadmap_item("Theme", "next")
    wb.add_objective("Goal", "2026-Q4")
    wb.add_key_result("O-1", "signups", 100)
    wb.add_kpi("NPS", target=50)
    wb.close()
    return path


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))
def test_random_arguments_never_crash(small_store: Path, argv: list[str], capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTUI_DB", str(small_store))
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own --help exits 0
        code = stop.code if isinstance(stop.code, int) else 0
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1, (argv, err)


def test_store_intact_after_fuzzing(small_store: Path) -> None:
    wb = Workbench(db=str(small_store))
    rebuilt = fold(wb.records())
    assert msgspec.to_builtins(views_of(rebuilt)) == msgspec.to_builtins(views_of(wb.now))
    wb.close()
