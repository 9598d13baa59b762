"""Whole lists from the store's lines (what ``pmtui backlog`` and ``board --json`` print), on SQLite
and PostgreSQL alike: the items, order and cards the projections give, now and as of a point."""

from __future__ import annotations

import msgspec

from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import PagedBacklog
from pmtui.store.board_pages import PagedBoard
from projections.backlog_view import backlog, backlog_query
from projections.board_view import board_view


class Keyed(msgspec.Struct, frozen=True):
    key: str


def test_whole_lists_are_the_projections_answers(store: str) -> None:
    wb = Workbench(db=store, actor="tester")
    wb.init_product("Shop", "PM")
    keys = [wb.add_item(f"Item {n}", kind="bug" if n % 3 else "story", points=n % 5 or None) for n in range(12)]
    wb.move_item(keys[1], "Done")
    wb.move_item(keys[2], "In progress")
    wb.archive_item(keys[3])
    wb.plan_sprint("Sprint 1", items=[keys[4]])
    wb.edit_item(keys[5], title="Renamed")
    middle = wb.position
    wb.move_item(keys[6], "Done")
    wb.edit_item(keys[7], points=8)
    for point in (None, f"#{middle}"):
        ws = wb.view(point)
        for everything in (False, True):
            query = backlog_query("", everything)
            for sort in ("rank", "points"):
                expected = [i.key for i in backlog(ws, query, sort, me="tester", include_archived=everything)]
                paged = PagedBacklog(ws, query, sort, "tester", False, archived=everything)
                columns, order = paged.cells(lambda lines: [[line.key for line in lines]])
                assert [columns[0][n] for n in order] == [line.key for line in paged.lines()] == expected
        board = wb.board(None, ws)
        snapshot = board_view(ws, board.id)
        assert snapshot is not None
        cards = PagedBoard(ws, board).every_card(Keyed)
        assert {c.name: [i.key for i in c.cards] for c in snapshot.columns} == \
            {name: [card.key for card in found] for name, found in cards.items()}
    assert keys[3] not in [i.key for i in backlog(wb.view(), backlog_query("", False))]
    wb.close()
