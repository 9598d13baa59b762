"""The CLI's whole lists (``backlog``, ``board --json``) from the store's lines: the same items,
order and JSON as the projections give, the backlog proper by default as in the TUI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmtui.cli.common import json_text, plain_blocks, plain_columns
from pmtui.service.workbench import Workbench
from pmtui.terminal import safe_json, safe_json_bytes
from projections.backlog_view import backlog, backlog_query
from projections.board_view import board_view
from tests.cli.support import run


def keys_of(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    code, out, err = run(capsys, "backlog", *argv, "--json")
    assert code == 0, err
    return [row["key"] for row in json.loads(out)]


def text_keys(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    code, out, err = run(capsys, "backlog", *argv)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == f"{len(lines) - 3} item{'s' if len(lines) - 3 != 1 else ''}"
    return [line.split()[0] for line in lines[2:-1]]


def test_backlog_shows_the_backlog_proper_and_all_shows_every_item(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archived = keys_of(capsys)[0]
    assert run(capsys, "item", "archive", archived)[0] == 0
    wb = Workbench(db=str(demo_db), actor="carol")
    ws = wb.view()
    proper = [i.key for i in backlog(ws, backlog_query("", False), me="carol")]
    every = [i.key for i in backlog(ws, backlog_query("", True), me="carol", include_archived=True)]
    done = {i.key for i in ws.items.values() if i.status == "Done"}
    planned = {i.key for i in ws.items.values() if i.sprint is not None}
    wb.close()
    assert keys_of(capsys) == text_keys(capsys) == proper
    assert not (set(proper) & (done | planned | {archived}))
    assert keys_of(capsys, "--all") == text_keys(capsys, "--all") == every
    assert done and planned and archived in every and done | planned <= set(every)
    # A filter narrows either; is:archived asks for archived items, as in the TUI.
    assert keys_of(capsys, "kind:bug") == [k for k in proper if ws.item_by_key(k).kind == "bug"]
    assert keys_of(capsys, "is:archived") == [archived]


def test_backlog_sorted_and_as_of_a_point_is_the_projections_answer(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = Workbench(db=str(demo_db), actor="carol")
    for sort in ("rank", "points", "title", "updated"):
        expected = [i.key for i in backlog(wb.view(), "", sort, me="carol", include_archived=True)]
        assert keys_of(capsys, "--all", "--sort", sort) == text_keys(capsys, "--all", "--sort", sort) == expected
    past = [i.key for i in backlog(wb.view("#60"), "is:backlog", me="carol")]
    wb.close()
    assert keys_of(capsys, "--as-of", "#60") == past and past


@pytest.mark.parametrize("argv", [[], ["--as-of", "#60"], ["--sprint", "Sprint 14"]])
def test_board_json_is_the_board_views(argv: list[str], demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = Workbench(db=str(demo_db), actor="carol")
    ws = wb.view(argv[1] if argv[:1] == ["--as-of"] else None)
    sprint = next(iter(ws.sprints.values())) if "--sprint" in argv else None
    if sprint is not None:
        argv = ["--sprint", sprint.name]
    snapshot = board_view(ws, None, sprint.id if sprint else None)
    assert snapshot is not None
    expected = {"board": snapshot.board.name, "as_of_event": ws.position, "swimlanes": snapshot.swimlanes,
                "columns": [{"name": c.name, "category": c.category, "wip": c.wip, "hard": c.hard, "count": c.count,
                             "over_limit": c.over_limit,
                             "cards": [{"key": i.key, "title": i.title, "points": i.points, "assignee": i.assignee,
                                        "labels": i.labels, "kind": i.kind} for i in c.cards]}
                            for c in snapshot.columns]}
    wb.close()
    code, out, err = run(capsys, "board", *argv, "--json")
    assert code == 0, err
    assert out == safe_json(json_text(expected, plain=True)) + "\n"  # the same text, byte for byte
    assert sum(c["count"] for c in expected["columns"]) > 0


def test_board_json_escapes_what_a_terminal_obeys(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "Evil \u202e title \x7f with \u0085 and é"
    code, out, err = run(capsys, "item", "add", title, "--json")
    assert code == 0, err
    code, out, _ = run(capsys, "board", "--json")
    assert "\u202e" not in out and "\x7f" not in out and "\u0085" not in out
    cards = [card for column in json.loads(out)["columns"] for card in column["cards"]]
    wb = Workbench(db=str(demo_db), actor="carol")
    stored = next(i.title for i in wb.view().items.values() if i.title.startswith("Evil"))
    wb.close()
    assert "\u202e" in stored  # kept in the store, escaped only when printed
    assert [card["title"] for card in cards if card["title"].startswith("Evil")] == [stored]


def test_json_bytes_escape_as_the_text_does() -> None:
    text = json.dumps(["a\x7f\u0085\u009f\u202a\u202e\u2066\u2069\u2028é°£ok"], ensure_ascii=False)
    assert safe_json_bytes(text.encode()).decode() == safe_json(text)
    assert safe_json_bytes(b'["plain"]') == b'["plain"]'


def test_a_table_in_blocks_and_in_an_order_is_the_same_table() -> None:
    columns = [[f"K-{n}" for n in range(10)], ["x" * (n % 4) for n in range(10)], ["", "a", "bb"] * 3 + [""]]
    headers = ["key", "title", "who"]
    order = [9, 3, 0, 5, 1, 2, 8, 7, 6, 4]
    whole = plain_columns([[column[n] for n in order] for column in columns], headers)
    assert "\n".join(plain_blocks(columns, headers, order, size=3)) == whole
    assert "\n".join(plain_blocks(columns, headers, size=4)) == plain_columns(columns, headers)
    assert not any(line != line.rstrip() for line in whole.splitlines())
