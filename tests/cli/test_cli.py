"""The CLI end to end on a temporary store: a user's tour, and a user's mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.support import event_count, run


def test_board_shows_columns_with_wip_and_cards(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "board", "--json")
    assert code == 0
    board = json.loads(out)
    assert [c["name"] for c in board["columns"]] == ["Backlog", "To do", "In progress", "Review", "Done"]
    review = next(c for c in board["columns"] if c["name"] == "Review")
    assert review["wip"] == 3 and review["hard"] is True
    assert sum(c["count"] for c in board["columns"]) > 40


def test_move_is_attributed_and_in_the_item_log(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backlog", "status:backlog", "kind:story", "--json")
    key = json.loads(out)[0]["key"]
    code, out, err = run(capsys, "item", "move", key, "In", "progress", "--reason", "pairing")
    assert code == 0, err
    assert f"{key} -> In progress" in out
    code, out, _ = run(capsys, "log", "--item", key, "--json")
    latest = json.loads(out)[0]
    assert latest["actor"] == "carol" and latest["reason"] == "pairing"
    assert latest["changes"] == [["status", "Backlog", "In progress"]]


def test_board_as_of_the_past_differs_from_now(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, now_out, _ = run(capsys, "board", "--json")
    _, past_out, _ = run(capsys, "board", "--as-of", "-60d", "--json")
    done_now = next(c for c in json.loads(now_out)["columns"] if c["name"] == "Done")["count"]
    done_then = next(c for c in json.loads(past_out)["columns"] if c["name"] == "Done")["count"]
    assert done_then < done_now
    _, text, _ = run(capsys, "board", "--as-of", "#40")
    assert text.startswith("(as of #40: event #40")


def test_hard_wip_limit_refuses_with_one_line(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "columns", "wip", "In", "progress", "1", "--hard")
    _, out, _ = run(capsys, "backlog", "status:backlog", "--json")
    keys = [i["key"] for i in json.loads(out) if i["kind"] != "epic"]  # epics are not cards: they count nowhere
    before = event_count(demo_db)
    codes = [run(capsys, "item", "move", key, "In progress")[0] for key in keys[:3]]
    code, _, err = run(capsys, "item", "move", keys[3], "In progress")
    assert code == 2 and "WIP limit" in err and err.count("\n") == 1
    assert 2 in codes or event_count(demo_db) == before  # the column was full from the start
    assert event_count(demo_db) == before + codes.count(0)


@pytest.mark.parametrize("argv, message", [
    (["item", "move", "AC-999", "Done"], "no item 'AC-999'"),
    (["item", "add", "x", "--points", "lots"], "points must be a number"),
    (["item", "move", "AC-7", "Nowhere"], "has no column 'Nowhere'"),
    (["board", "--as-of", "yesterday-ish"], "cannot read the time"),
    (["sprint", "start", "Sprint 1"], "only a planned sprint can start"),
    (["backlog", "size:3"], "unknown field 'size'"),
    (["roadmap", "move", "RM-99", "now"], "no roadmap item"),
    (["okr", "checkin", "O-1", "3"], "O-1.2"),
    (["frobnicate"], "invalid choice"),
])
def test_mistakes_get_one_line_exit_2_and_write_nothing(
    demo_db: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = event_count(demo_db)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert event_count(demo_db) == before


def test_sprint_cycle_plan_start_close_with_carry_over(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sprint", "close", "--carry-to", "backlog", "--reason", "review")
    assert code == 0, err
    _, out, _ = run(capsys, "backlog", "status:backlog", "--json")
    keys = [i["key"] for i in json.loads(out) if i["kind"] != "epic"][:2]  # epics stay out of sprints
    code, _, err = run(capsys, "sprint", "plan", "Sprint 5", "--goal", "Loyalty pilot", "--items", *keys)
    assert code == 0, err
    assert run(capsys, "sprint", "start", "Sprint 5")[0] == 0
    run(capsys, "item", "move", keys[0], "Done")
    code, out, _ = run(capsys, "sprint", "close", "--json")
    assert json.loads(out) == {"done": 1, "carried": 1, "to": "backlog"}
    _, out, _ = run(capsys, "sprint", "list", "--json")
    assert [s["state"] for s in json.loads(out)][-1] == "closed"


def test_roadmap_decision_keeps_its_reason(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "roadmap", "move", "RM-4", "now", "--reason", "board approved")[0] == 0
    _, out, _ = run(capsys, "roadmap", "decisions", "RM-4", "--json")
    latest = json.loads(out)[0]
    assert latest["changes"] == {"horizon": ["next", "now"]} and latest["reason"] == "board approved"
    assert latest["actor"] == "carol"


def test_json_queries_for_every_noun(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["backlog"], ["sprint", "show"], ["sprint", "list"], ["roadmap"], ["roadmap", "--timeline"],
                 ["okr"], ["kpi"], ["log", "--limit", "5"], ["release", "list"], ["product", "show"],
                 ["item", "show", "AC-7"]):
        code, out, err = run(capsys, *argv, "--json")
        assert code == 0, (argv, err)
        json.loads(out)


def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    env = {"PATH": "/usr/bin:/bin", "PMTUI_DB": str(db), "PMTUI_ACTOR": "dora", "HOME": str(tmp_path)}
    init = subprocess.run([sys.executable, "-m", "pmtui.cli", "product", "init", "Tiny", "--key", "TY"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    add = subprocess.run([sys.executable, "-m", "pmtui.cli", "item", "add", "First", "--points", "2"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert add.stdout.strip() == "TY-1"
    bad = subprocess.run([sys.executable, "-m", "pmtui.cli", "item", "edit", "TY-1", "--kind", "saga"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("pmtui: item kind must be one of")


def test_a_noun_alone_shows_its_list_or_the_current_one(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pmtui sprint` is the active sprint, `pmtui release`, `doc` and `feedback` their lists,
    `pmtui product` the product: what `okr`, `kpi` and `roadmap` alone already did."""
    for noun, verb in (("sprint", "show"), ("release", "list"), ("doc", "list"), ("feedback", "list"),
                       ("product", "show")):
        alone = run(capsys, noun, "--json")
        assert alone[0] == 0, (noun, alone[2])
        assert json.loads(alone[1]) == json.loads(run(capsys, noun, verb, "--json")[1]), noun
    assert run(capsys, "sprint")[1].startswith(json.loads(run(capsys, "sprint", "--json")[1])["name"])


def test_a_sprints_days_left_count_from_the_moment_asked_for(demo_db: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    listed = json.loads(run(capsys, "sprint", "list", "--json")[1])
    earlier = next(s for s in listed if s["state"] == "closed" and s["start"] and s["end"])
    day = date.fromisoformat(earlier["start"]).toordinal() + 2
    moment = date.fromordinal(day).isoformat()
    shown = json.loads(run(capsys, "sprint", "--as-of", f"{moment} 00:30", "--json")[1])
    assert shown["name"] == earlier["name"] and shown["state"] == "active"
    assert shown["days_left"] == date.fromisoformat(earlier["end"]).toordinal() - day
    text = run(capsys, "sprint", "--as-of", f"{moment} 00:30")[1]
    assert f"· {shown['days_left']} days left" in text


def test_an_unknown_roadmap_item_or_objective_names_one_that_exists_or_says_there_is_none(
        tmp_path: Path, demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "roadmap", "move", "RM-99", "next")
    assert code == 2 and err.strip() == "pmtui: no roadmap item 'RM-99' (use its number, like RM-6, or its title)"
    empty = str(tmp_path / "empty.db")
    assert run(capsys, "--db", empty, "product", "init", "Tiny", "--key", "TY")[0] == 0
    code, _, err = run(capsys, "--db", empty, "roadmap", "move", "RM-1", "next")
    assert code == 2 and "the roadmap is empty: `pmtui roadmap add TITLE`" in err
    code, _, err = run(capsys, "--db", empty, "okr", "checkin", "O-1.1", "3")
    assert code == 2 and "there is no objective yet" in err
    assert run(capsys, "--db", empty, "release")[1].startswith("no releases yet: `pmtui release add")


def test_log_pages_the_read_models_log_and_answers_as_the_whole_history_does(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pmtui log` reads only the events it shows, in the log table's order; what it shows is
    the newest of what a fold of every record through projections.history gives, filter by filter."""
    from pmtui.service.workbench import Workbench
    from pmtui.timespec import parse_as_of
    from projections.history import history

    wb = Workbench(db=str(demo_db), actor="tester")
    try:
        records = list(wb.records())
        for argv, filters, upto, moment in (
                ([], {}, None, None), (["--by", "bob"], {"actor": "bob"}, None, None),
                (["--kind", "Moved"], {"kind": "Moved"}, None, None),
                (["--as-of", "#300"], {}, 300, None),
                (["--as-of", "2026-11-01", "--kind", "Measured"], {"kind": "Measured"}, None,
                 parse_as_of("2026-11-01").moment)):
            ws = wb.view(parse_as_of(argv[1]) if argv[:1] == ["--as-of"] else None)
            upto = upto or ws.position
            naive = history(wb.now, [r for r in records if r.seq <= upto and (moment is None or r.occurred <= moment)],
                            **filters)
            for limit in ("7", "0"):
                code, out, err = run(capsys, "log", *argv, "--limit", limit, "--json")
                assert code == 0, err
                shown = [e["event"] for e in json.loads(out)]
                assert shown == [e.seq for e in naive][: int(limit) or None], (argv, limit)
    finally:
        wb.close()
