"""What a new user (and a generator of hostile calls) hit, each through the CLI as they met it:
every refusal is one line with exit 2 and writes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from tests.cli.support import event_count, run


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "s.db"
    monkeypatch.setenv("PMTUI_DB", str(path))
    monkeypatch.setenv("PMTUI_ACTOR", "ann")
    wb = Workbench(db=str(path), actor="ann")
    wb.init_product("Shop", "SH")
    for title in ("one", "two", "three", "four"):
        wb.add_item(title, points=2)
    wb.add_item("Big epic", kind="epic")
    wb.close()
    return path


def refused(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    """Run a command that must be refused: exit 2, one line, nothing written. Returns the line."""
    before = event_count(db)
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and "unexpected" not in err, (argv, code, err)
    assert event_count(db) == before, f"{argv} wrote events although refused"
    return err


# 1 -------------------------------------------------------------------------------------------
def test_a_new_card_cannot_break_a_hard_wip_limit(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for key in ("SH-1", "SH-2", "SH-3"):
        assert run(capsys, "item", "move", key, "Review")[0] == 0  # Review: 3, hard
    err = refused(capsys, store, "item", "add", "X", "--status", "Review")
    assert "WIP limit" in err and "hard" in err
    assert run(capsys, "item", "add", "An epic is no card", "--kind", "epic", "--status", "Review")[0] == 0


def test_a_bulk_edit_counts_all_its_cards_against_a_hard_limit_and_writes_all_or_nothing(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    wb.move_item("SH-1", "Review")
    before = wb.log.max_seq()
    with pytest.raises(Exception, match="WIP limit"):
        wb.edit_items(["SH-2", "SH-3", "SH-4"], status="Review", points=5)
    assert wb.log.max_seq() == before and wb.item("SH-2").points == 2
    wb.edit_items(["SH-2", "SH-3"], status="Review", labels="+urgent")
    assert [wb.item(k).status for k in ("SH-2", "SH-3")] == ["Review", "Review"]
    assert wb.item("SH-2").labels == ["urgent"]
    wb.close()


def test_a_sprint_does_not_start_with_its_cards_in_a_column_past_its_hard_limit(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    for key in ("SH-1", "SH-2", "SH-3"):
        wb.move_item(key, "Review")
    wb.plan_sprint("S1", items=["SH-1"])
    wb.set_wip_limit("Review", 2, hard=True)  # lowered below what the column holds
    before = wb.log.max_seq()
    with pytest.raises(Exception, match="over its hard WIP limit of 2"):
        wb.start_sprint("S1")
    assert wb.log.max_seq() == before
    wb.move_item("SH-3", "Done")
    wb.start_sprint("S1")
    assert wb.sprint("S1").state == "active"
    wb.close()


# 2 -------------------------------------------------------------------------------------------
def test_planning_a_sprint_with_a_bad_key_writes_nothing_and_the_retry_works(store: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert "no item 'NOPE-1'" in refused(capsys, store, "sprint", "plan", "Sprint 9", "--items", "SH-1", "NOPE-1")
    code, out, err = run(capsys, "sprint", "plan", "Sprint 9", "--items", "SH-1", "--json")
    assert code == 0, err
    assert [i["key"] for i in json.loads(out)["items"]] == ["SH-1"]
    assert "no item" in refused(capsys, store, "sprint", "add", "Sprint 9", "SH-2", "NOPE-2")


def test_sprint_membership_is_the_services_rule_whatever_the_entry(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "epic" in refused(capsys, store, "sprint", "plan", "S2", "--items", "SH-5")
    run(capsys, "item", "move", "SH-4", "Done")
    assert "done already" in refused(capsys, store, "sprint", "plan", "S2", "--items", "SH-4")
    run(capsys, "sprint", "plan", "S2")
    assert "done already" in refused(capsys, store, "item", "edit", "SH-4", "--sprint", "S2")


# 4 -------------------------------------------------------------------------------------------
def test_a_sprint_started_early_keeps_its_real_dates(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = date.today()
    planned_start = date.fromordinal(today.toordinal() + 6)
    planned_end = date.fromordinal(planned_start.toordinal() + 13)
    run(capsys, "sprint", "plan", "S1", "--start", planned_start.isoformat(), "--end", planned_end.isoformat(),
        "--items", "SH-1", "SH-2")
    code, _, err = run(capsys, "sprint", "start", "S1")
    assert code == 0, err
    _, out, _ = run(capsys, "sprint", "show", "S1", "--json")
    shown = json.loads(out)
    assert shown["start"] == today.isoformat()
    assert shown["end"] == date.fromordinal(today.toordinal() + 13).isoformat()  # the planned length kept
    assert shown["started_at"].endswith("+00:00")
    code, out, err = run(capsys, "chart", "burndown", "--sprint", "S1", "--json")
    assert code == 0, err
    assert json.loads(out)["days"][0]["day"] == today.isoformat()


def test_start_takes_the_window_it_is_given(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "sprint", "plan", "S1", "--items", "SH-1")
    start = date.fromordinal(date.today().toordinal() - 1).isoformat()
    end = date.fromordinal(date.today().toordinal() + 9).isoformat()
    assert run(capsys, "sprint", "start", "S1", "--start", start, "--end", end)[0] == 0
    _, out, _ = run(capsys, "sprint", "show", "S1", "--json")
    assert (json.loads(out)["start"], json.loads(out)["end"]) == (start, end)


def test_a_sprint_closed_early_shows_when_it_closed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "sprint", "plan", "S1", "--items", "SH-1")
    run(capsys, "sprint", "start", "S1")
    run(capsys, "sprint", "close", "S1")
    _, out, _ = run(capsys, "sprint", "show", "S1", "--json")
    shown = json.loads(out)
    assert shown["closed_at"][:10] == datetime.now(timezone.utc).date().isoformat()
    assert shown["ended"] == date.today().isoformat()


# 5 -------------------------------------------------------------------------------------------
def test_sprints_and_releases_can_be_renamed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "sprint", "plan", "Sprint 4")
    code, _, err = run(capsys, "sprint", "edit", "Sprint 4", "--rename", "Sprint Four")
    assert code == 0, err
    assert run(capsys, "sprint", "show", "Sprint Four")[0] == 0
    run(capsys, "release", "add", "1.0")
    code, _, err = run(capsys, "release", "edit", "1.0", "--rename", "1.0 GA")
    assert code == 0, err
    _, out, _ = run(capsys, "release", "list", "--json")
    assert [r["name"] for r in json.loads(out)] == ["1.0 GA"]


# 6 -------------------------------------------------------------------------------------------
def test_a_future_measurement_is_refused_by_the_service(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    wb.add_kpi("NPS")
    before = wb.log.max_seq()
    with pytest.raises(Exception, match="cannot be in the future"):
        wb.measure("NPS", 3, at=datetime(2099, 1, 1, tzinfo=timezone.utc))
    assert wb.log.max_seq() == before
    wb.close()


# 7 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, says", [
    (["item", "add", b"\xff\xfe".decode("utf-8", "surrogateescape")], "not valid UTF-8"),
    (["--db", "postgresql://u@127.0.0.1:99999/db", "board"], "port"),
    (["board", "--as-of", "-99999999999999999999d"], "before 1900"),
    (["board", "--as-of", "0001-01-01"], "out of range"),
    (["kpi", "measure", "NPS", "3", "--at", "9999-12-31"], "out of range"),
    (["kpi", "measure", "NPS", "3", "--at", "2999-12-31"], "future"),
])
def test_hostile_input_gets_one_line_and_exit_2(store: Path, capsys: pytest.CaptureFixture[str],
                                                argv: list[str], says: str) -> None:
    run(capsys, "kpi", "add", "NPS")
    assert says in refused(capsys, store, *argv)


# 8 -------------------------------------------------------------------------------------------
def strings(value: object) -> list[str]:
    """Every string in a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


HOSTILE = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b]0;pwned\x07\x9b31m"


@pytest.mark.parametrize("argv", [["log"], ["board"], ["backlog"], ["item", "show", "SH-6"], ["kpi", "show"],
                                  ["log", "--json"], ["item", "show", "SH-6", "--json"], ["roadmap"],
                                  ["okr"], ["sprint", "show", "S1"], ["release", "list"]])
def test_stored_control_characters_never_reach_the_terminal(store: Path, capsys: pytest.CaptureFixture[str],
                                                            argv: list[str]) -> None:
    for command in (["item", "add", HOSTILE, "--description", HOSTILE], ["kpi", "add", "K" + HOSTILE],
                    ["roadmap", "add", HOSTILE], ["okr", "add", HOSTILE, "--period", "2026-Q4"],
                    ["sprint", "plan", "S1", "--goal", HOSTILE, "--items", "SH-1"], ["release", "add", "R" + HOSTILE]):
        code, _, err = run(capsys, *command)
        assert code == 0, (command, err)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert not any(ch in out + err for ch in "\x1b\x07\x9b"), argv
    if "--json" in argv:  # escaped for the terminal, yet the same text to a JSON reader
        assert any(HOSTILE in text for text in strings(json.loads(out)))
    wb = Workbench(db=str(store))
    created = next(r for r in wb.records() if r.name == "WorkItem.Created" and r.data["key"] == "SH-6")
    assert created.data["title"] == HOSTILE  # stored as it was typed
    wb.close()


# 10 ------------------------------------------------------------------------------------------
def test_a_roadmap_decision_needs_a_reason_and_a_dropped_item_stays_out_of_now(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "roadmap", "add", "Offline mode", "--horizon", "later")
    assert "needs a reason" in refused(capsys, store, "roadmap", "move", "RM-1", "now")
    assert run(capsys, "roadmap", "decide", "RM-1", "--status", "dropped", "--reason", "no demand")[0] == 0
    assert "reopen it" in refused(capsys, store, "roadmap", "move", "RM-1", "now", "--reason", "back on")


# 11 ------------------------------------------------------------------------------------------
def test_json_dates_are_iso_8601_with_the_zone_everywhere(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "sprint", "plan", "S1", "--items", "SH-1")
    run(capsys, "sprint", "start", "S1")
    run(capsys, "item", "move", "SH-1", "Done")
    run(capsys, "sprint", "close", "S1")
    _, log_out, _ = run(capsys, "log", "--json")
    _, velocity_out, _ = run(capsys, "chart", "velocity", "--json")
    moments = [e["occurred"] for e in json.loads(log_out)] + [e["recorded"] for e in json.loads(log_out)]
    moments += [row["closed"] for row in json.loads(velocity_out)]
    assert moments
    for moment in moments:
        assert isinstance(moment, str) and datetime.fromisoformat(moment).tzinfo is not None, moment


# 9 -------------------------------------------------------------------------------------------
def test_a_corrupt_read_model_row_is_reported_not_a_crash(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(store) as db:  # invalid UTF-8 stored as TEXT, as a damaged table might hold
        db.execute("UPDATE rm_current SET key = CAST(X'FFFE41' AS TEXT), body = CAST(X'FFFE41' AS TEXT) "
                   "WHERE tbl = 'items'")
    code, out, _ = run(capsys, "verify")
    assert code == 1 and "read model" in out
    assert "pmtui rebuild" in refused(capsys, store, "board")  # one line, never a crash
    assert run(capsys, "rebuild")[0] == 0
    assert run(capsys, "board")[0] == 0
    assert run(capsys, "item", "add", "still works")[0] == 0
    code, out, err = run(capsys, "verify")
    assert code == 0, out + err


def test_a_store_whose_chain_breaks_at_its_end_warns_once_on_open(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(store) as db:
        db.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), 'Big epic', 'Big EPIC') "
                   "AS BLOB) WHERE rowid = (SELECT MAX(rowid) FROM stored_events)")
    code, _, err = run(capsys, "board")
    assert code == 0
    assert err.count("\n") == 1 and "hash chain is broken" in err and "pmtui verify" in err


def test_scores_are_read_one_way_whatever_the_entry(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from domain.work_item import parse_scores
    from pmtui.tui.modals.item import to_fields
    assert parse_scores("100, 2 0.8,4", "RICE") == {"reach": 100, "impact": 2, "confidence": 0.8, "effort": 4}
    assert to_fields({"rice": "100 2 0.8 4"})["rice"] == parse_scores("100,2,0.8,4", "RICE")
    code, out, err = run(capsys, "item", "edit", "SH-1", "--rice", "100 2 0.8 4", "--json")
    assert code == 0, err
    assert json.loads(out)["rice_score"] == pytest.approx(40.0)
    assert "WSJF takes 4 numbers" in refused(capsys, store, "item", "edit", "SH-1", "--wsjf", "1,2")
