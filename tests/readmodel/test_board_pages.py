"""The paged board (pmtui/store/board_pages.py: per-column counts and pages read from the tables,
what the TUI's board draws) equals ``board_view`` of the whole workspace, now and as of every
event and moments between, for random histories with archived items, epics and backdated events;
and a card's place found by counting equals its index in the full column."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pmtui.service.workbench import Workbench
from pmtui.store.board_pages import PagedBoard, paged_board
from pmtui.timespec import AsOf
from projections.board_view import board_view
from projections.state import fold
from projections.versions import effective_order, fold_as_of_time
from tests.readmodel.test_as_of_property import plan, play


def columns(snapshot: Any) -> list[tuple[str, int, list[str]]]:
    return [(c.name, c.count, [card.key for card in c.cards]) for c in snapshot.columns]


def check_step(wb: Workbench, before: Any, ws: Any, expected_ws: Any, where: object, size: int) -> None:
    """The board at ``before`` moved to ``ws`` by the aggregates the events between touched (a
    time-travel step, a live update; between two moments, the events that took effect between)
    equals the full board at ``ws``."""
    if before.point.moment is not None:
        low, high = sorted((before.point.moment, ws.point.moment))
        touched = wb.read.touched_in_time(low, high) or set()
    else:
        low, high = sorted((before.position, ws.position))
        touched = wb.read.touched_between(low, high) or set()
    for board_id in sorted(expected_ws.boards):
        if board_id not in before.boards:
            continue
        start = paged_board(before, before.boards[board_id], size, past=True)
        stepped = PagedBoard(ws, ws.boards[board_id], size).stepped(start, touched)
        if stepped is not None:  # None: the board itself changed (then it is read afresh)
            assert columns(stepped) == columns(board_view(expected_ws, board_id)), where
            # Every page read before the step: the pages below the first are carried across it
            # (moved by the cards it touched), and across the step back again.
            columns(start)
            stepped = PagedBoard(ws, ws.boards[board_id], size).stepped(start, touched)
            assert stepped is not None
            assert by_index(stepped) == columns(board_view(expected_ws, board_id)), (where, "carried")
            back = PagedBoard(before, before.boards[board_id], size).stepped(stepped, touched)
            assert back is not None
            assert by_index(back) == columns(paged_board(before, before.boards[board_id], size, past=True)), \
                (where, "carried back")


def by_index(snapshot: Any) -> list[tuple[str, int, list[str]]]:
    """``columns``, each card asked for by its index (as the grid does), read backwards (so that
    the runs carried across a step answer before a page is read)."""
    return [(c.name, c.count, [c.cards[n].key for n in reversed(range(len(c.cards)))][::-1])
            for c in snapshot.columns]


def check(ws: Any, expected_ws: Any, where: object, size: int) -> None:
    """Every board of ``ws`` paged ``size`` cards at a time equals the full board of ``expected_ws``
    (a naive fold of the same events), card by card, and every card is found at its index."""
    for board_id in sorted(expected_ws.boards):
        full = board_view(expected_ws, board_id)
        for past in (False, True):  # both ways of reading the first pages answer the same
            paged = paged_board(ws, ws.boards[board_id], size, past)
            assert columns(paged) == columns(full), (where, past)
        assert [(c.wip, c.hard, c.over_limit) for c in paged.columns] == \
            [(c.wip, c.hard, c.over_limit) for c in full.columns], where
        for n, column in enumerate(full.columns):
            cards = paged.columns[n].cards
            for index, card in enumerate(column.cards):
                assert cards[index] == card, (where, column.name, index)
                assert cards.index_of(card) == index, (where, column.name, card.key)
            if len(column.cards):
                assert cards[-1] == column.cards[-1]
                assert cards[1:3] == column.cards[1:3]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_the_paged_board_equals_the_full_board_at_every_point(steps: list[tuple[str, int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-pages-") as tmp:
        wb = Workbench(db=str(Path(tmp) / "b.db"), actor="ann")
        wb.init_product("Shop", "PM")
        try:
            records = play(wb, steps)  # some steps backdated: they change the past on the time axis
            check(wb.now, fold(records), "now", 2)
            before = wb.view(AsOf(event=0))
            for seq in [*range(0, records[-1].seq + 1), *range(records[-1].seq, -1, -3)]:
                expected = fold(r for r in records if r.seq <= seq)
                check(wb.view(AsOf(event=seq)), expected, seq, 2)
                check_step(wb, before, wb.view(AsOf(event=seq)), expected, seq, 2)
                before = wb.view(AsOf(event=seq))
            times = sorted({t for t, _ in effective_order(records)})
            moments = [times[0] - 1, *((a + b) / 2 for a, b in zip(times, times[1:])), times[-1] + 1]
            before = wb.view(AsOf(moment=moments[-1]))
            for moment in [*moments, *reversed(moments[::2])]:
                expected = fold_as_of_time(records, moment)
                check(wb.view(AsOf(moment=moment)), expected, moment, 3)
                check_step(wb, before, wb.view(AsOf(moment=moment)), expected, moment, 3)
                before = wb.view(AsOf(moment=moment))
        finally:
            wb.close()


def test_the_demo_board_paged_equals_board_view_at_random_points(tmp_path: Path) -> None:
    """A realistic history (the demo's: 90 days of moves, ranks, sprints, some recorded late):
    random event numbers and moments, pages smaller than the columns."""
    from pmtui.service.demo import generate

    wb = Workbench(db=str(tmp_path / "demo.db"), actor="ann")
    try:
        generate(wb, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
        rng = random.Random(11)
        check(wb.now, wb.now, "now", 5)
        first = wb.read.query("SELECT MIN(t) FROM {l}")[0][0]
        last = wb.read.query("SELECT MAX(t) FROM {l}")[0][0]
        for _ in range(25):
            seq = rng.randint(0, wb.position)
            check(wb.view(AsOf(event=seq)), wb.view(AsOf(event=seq)), seq, 4)
            for step in (-1, -1, 1, -2, 5):  # time travel's steps from there
                walked = max(0, min(wb.position, seq + step))
                check_step(wb, wb.view(AsOf(event=seq)), wb.view(AsOf(event=walked)), wb.view(AsOf(event=walked)),
                           (seq, walked), 3)
            moment = rng.uniform(first - 3600, last + 3600)
            check(wb.view(AsOf(moment=moment)), wb.view(AsOf(moment=moment)), moment, 7)
            for hours in (-24, -1, 3):  # a day's step, an hour's
                walked = wb.view(AsOf(moment=moment + hours * 3600))
                check_step(wb, wb.view(AsOf(moment=moment)), walked, walked, (moment, hours), 3)
    finally:
        wb.close()


@contextmanager
def top_card_moved_on(tmp_path: Path, cards: int, every_page: bool) -> Iterator[tuple[Any, Any, list[Any]]]:
    """``cards`` cards in To do, paged 4 at a time (``every_page``: every page read, as a cursor
    walking down the column reads them); then another session moves the top one on. Gives the
    board before, the board stepped by the move, and the columns of the board read afresh."""
    from projections.board_view import default_board

    db = str(tmp_path / "live.db")
    wb = Workbench(db=db, actor="ann")
    wb.init_product("Live", "LV")
    for n in range(cards):
        wb.add_item(f"Card {n}", status="To do")
    other = Workbench(db=db, actor="bob")
    try:
        before = wb.now
        board = default_board(before)
        assert board is not None
        start = paged_board(before, board, 4)
        if every_page:
            columns(start)
        todo = [c.name for c in start.columns].index("To do")
        other.step_item(start.columns[todo].cards[0].key, 1)  # every card below shifts up a place
        wb.refresh()
        ws = wb.now
        touched = wb.read.touched_between(before.position, ws.position)
        assert touched is not None
        stepped = PagedBoard(ws, ws.boards[board.id], 4).stepped(start, touched)
        assert stepped is not None
        yield start, stepped, columns(paged_board(ws, ws.boards[board.id], 4))
    finally:
        other.close()
        wb.close()


def test_a_live_update_reads_only_the_cards_it_touched(tmp_path: Path) -> None:
    """Another session moves the top card out of a column: the board moved on equals one read
    afresh, and the cards that stay on the column's first page are the very objects read before
    (only the page's missing tail is read; the grid's drawn lines are cached on those objects)."""
    with top_card_moved_on(tmp_path, 9, every_page=False) as (start, stepped, afresh):
        todo = [c.name for c in start.columns].index("To do")
        first = list(start.columns[todo].cards.pages[0])
        assert columns(stepped) == afresh
        page = stepped.columns[todo].cards.pages[0]
        assert [card.key for card in page] == [card.key for card in first[1:]] + [page[-1].key]
        assert all(a is b for a, b in zip(page, first[1:]))


def test_a_live_update_carries_the_pages_below_the_first(tmp_path: Path, monkeypatch: Any) -> None:
    """A session deep in a column (its cursor followed a card it moved there) redraws after
    another session's move without reading any page again: the runs it had read are moved by the
    cards the move touched."""
    def no_page(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page was read again")

    with top_card_moved_on(tmp_path, 20, every_page=True) as (_, stepped, afresh):
        monkeypatch.setattr(PagedBoard, "page", no_page)
        assert by_index(stepped) == afresh
