"""Hypothesis throws random and hostile arguments at the CLI: never a traceback, never an
unexpected error, a mistake is one line with exit 2, and the store stays intact (the folded state
equals a fresh rebuild).

The CLI's ``main`` runs in this process against a fresh in-memory store per batch of calls, so
thousands of cases fit in CI time. ``PMTUI_FUZZ_CASES`` sets how many CLI calls a run makes
(default 1000; CI sets ``PMTUI_FUZZ_CASES=10000`` in .ci/run, about a minute)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.cli import main, session
from pmtui.service.workbench import Workbench
from projections.state import fold
from tests.views import views_of

CASES = int(os.environ.get("PMTUI_FUZZ_CASES", "1000"))
BATCH = 25  # CLI calls per fresh store

WORDS = [
    "item", "add", "edit", "move", "rank", "archive", "restore", "comment", "link", "show", "list",
    "board", "columns", "wip", "swimlanes", "backlog", "sprint", "plan", "start", "close", "release",
    "roadmap", "decide", "decisions", "okr", "kr", "checkin", "kpi", "measure", "log", "product", "undo", "redo",
    "TT-1", "TT-2", "TT-3", "TT-99", "Done", "To do", "In progress", "Review", "top", "up", "down", "before", "after",
    "S1", "RM-1", "O-1", "O-1.1", "NPS", "now", "next", "later", "-3d", "#2", "#999", "2026-13-45", "3", "-1",
    "x", "", "kind:bug", "points>2", "assignee:me", "size:3", "--points", "--kind", "--as-of", "--json",
    "--reason", "--carry-to", "--hard", "--sort", "--epic", "--sprint", "--labels", "--target", "--period",
    "--horizon", "--status", "--rice", "1,2,3", "1,2,3,4", "bug", "epic", "saga", "none", "assignee", "nan",
    "--rename", "--items", "--list", "--at", "--start", "--end", "edit",
]

# The five kinds of hostile input that once gave "unexpected error".
undecodable = st.binary(min_size=1, max_size=6).map(lambda b: (b"\xff" + b).decode("utf-8", "surrogateescape"))
big_port = st.integers(65536, 10**12).map(lambda port: ["--db", f"postgresql://u@127.0.0.1:{port}/db", "board"])
far_back = st.integers(10**6, 10**25).map(lambda n: ["board", "--as-of", f"-{n}{'d'}"])
any_year = st.integers(1, 9999).map(lambda year: ["board", "--as-of", f"{year:04d}-01-01"])
measured_at = st.integers(1, 9999).map(lambda year: ["kpi", "measure", "NPS", "3", "--at", f"{year:04d}-12-31"])
control_text = st.text(st.characters(max_codepoint=0x2070), min_size=1, max_size=8)

hostile = st.one_of(
    st.tuples(st.just("item"), st.just("add"), undecodable).map(list),
    big_port, far_back, any_year, measured_at,
    st.tuples(st.just("item"), st.just("add"), control_text).map(list),
)
call = st.one_of(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7), hostile,
                 st.lists(st.one_of(st.sampled_from(WORDS), undecodable, control_text), min_size=1, max_size=5))


def fresh_store() -> Workbench:
    wb = Workbench(db=":memory:", actor="fuzzer")
    wb.init_product("Fuzz", "TT")
    for title in ("one", "two", "three"):
        wb.add_item(title, points=2)
    wb.plan_sprint("S1")
    wb.add_roadmap_item("Theme", "next")
    wb.add_objective("Goal", "2026-Q4")
    wb.add_key_result("O-1", "signups", 100)
    wb.add_kpi("NPS", target=50)
    return wb


@pytest.fixture(scope="module")
def file_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For the commands that open the store themselves (verify)."""
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    wb = Workbench(db=str(path), actor="fuzzer")
    wb.init_product("Fuzz", "TT")
    wb.close()
    return path


@settings(max_examples=max(1, CASES // BATCH), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(batch=st.lists(call, min_size=BATCH, max_size=BATCH))
def test_random_and_hostile_arguments_never_crash(file_store: Path, batch: list[list[str]],
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTUI_DB", str(file_store))
    monkeypatch.setenv("PMTUI_ACTOR", "fuzzer")
    wb = fresh_store()
    real_open = session.open_workbench

    def open_workbench(args: argparse.Namespace) -> Any:
        if getattr(args, "db", None):  # an address given on the command line: open it for real
            return real_open(args)
        return wb

    monkeypatch.setattr(session, "open_workbench", open_workbench)
    monkeypatch.setattr(wb, "close", lambda: None)  # one store for the whole batch
    try:
        for argv in batch:
            try:
                code = main(argv)
            except SystemExit as stop:  # argparse's own --help exits 0
                code = stop.code if isinstance(stop.code, int) else 0
            err = capsys.readouterr().err
            assert code in (0, 2), (argv, err)
            assert "Traceback" not in err and "unexpected error" not in err, (argv, err)
            if code == 2:
                assert err.count("\n") == 1, (argv, err)
            assert "\x1b" not in err, (argv, err)
        # Whatever was written, the store is intact: the kept state is the fold of the log.
        wb.refresh()
        assert msgspec.to_builtins(views_of(fold(wb.records()))) == msgspec.to_builtins(views_of(wb.now))
    finally:
        Workbench.close(wb)
