"""Ranking and moving cards through the Workbench, which reads the live board index: every
outcome (the new rank, the WIP warning or refusal, the error message) must be what the full scans
of the workspace gave before the index existed, also after another writer's events arrive."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.exceptions import DomainError
from domain.rank import rank_between
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from projections.board_view import count_in_column
from projections.state import ItemView, Workspace

Scope = Callable[[ItemView], bool] | None
WHERE = ["top", "bottom", "up", "down", "before", "after"]


# The reference: rank_item and move_item's WIP count as they were, by full scans ----------------
def rank_by_full_sort(ws: Workspace, key: str, where: str, other: str | None, scope: Scope) -> str:
    """The new rank rank_item chose before the index (its code, on a sort of the whole board);
    a refusal raises the same UserError."""
    item = ws.item_by_key(key)
    assert item is not None
    if item.archived:
        raise UserError(f"{item.key} is archived: restore it before ranking it")
    if where in ("before", "after") and other is not None and ws.item_by_key(other).id == item.id:  # type: ignore[union-attr]
        raise UserError(f"cannot rank {item.key} {where} itself")
    peers = sorted((i for i in ws.items.values()
                    if i.board_id == item.board_id and not i.archived and (scope is None or scope(i) or i.id == item.id)),
                   key=lambda i: i.rank)
    ranks = [i.rank for i in peers]
    at = next(n for n, i in enumerate(peers) if i.id == item.id)
    new: str | None
    if where == "top":
        new = rank_between(None, ranks[0]) if at else None
    elif where == "bottom":
        new = rank_between(ranks[-1], None) if at < len(peers) - 1 else None
    elif where == "up":
        new = rank_between(ranks[at - 2] if at >= 2 else None, ranks[at - 1]) if at else None
    elif where == "down":
        new = rank_between(ranks[at + 1], ranks[at + 2] if at + 2 < len(peers) else None) if at < len(peers) - 1 else None
    else:
        target = ws.item_by_key(other or "")
        assert target is not None
        others = [i for i in peers if i.id != item.id]
        pos = next((n for n, i in enumerate(others) if i.id == target.id), None)
        if pos is None:
            raise UserError(f"{target.key} is not on the same board as {item.key}")
        if where == "after":
            pos += 1
        new = rank_between(others[pos - 1].rank if pos else None, others[pos].rank if pos < len(others) else None)
    if new is None:
        raise UserError(f"{item.key} is at the {'top' if where in ('top', 'up') else 'bottom'} already")
    return new


def outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", result), or the refusal's class name and message. (A ValueError that is no
    DomainError: rank_between asked for a rank between two equal ones, a tie made earlier.)"""
    try:
        return "ok", fn()
    except ValueError as error:
        return type(error).__name__, str(error)


def expected_rank(wb: Workbench, key: str, where: str, other: str | None, scope: Scope) -> tuple[str, Any]:
    expected = outcome(lambda: rank_by_full_sort(wb.now, key, where, other, scope))
    if expected == ("ok", wb.item(key).rank):  # e.g. before the item right below it: nothing to write
        return "unchanged", expected[1]
    return expected


def assert_ranked_as_before(wb: Workbench, key: str, where: str, other: str | None, scope: Scope) -> tuple[str, Any]:
    """rank_item gives the full sort's outcome; where that failed on two tied ranks (no rank lies
    between equal ones), it now succeeds and the card lands on the asked side of its neighbour."""
    expected = expected_rank(wb, key, where, other, scope)
    if expected[0] != "ValueError":
        actual = actual_rank(wb, key, where, other, scope)
        assert actual == expected, (key, where, other)
        return actual
    item = wb.item(key)
    peers = sorted((i for i in wb.now.items.values() if i.board_id == item.board_id and not i.archived
                    and (scope is None or scope(i)) and i.id != item.id), key=lambda i: i.rank)
    if where in ("up", "down"):
        order = sorted([*peers, item], key=lambda i: i.rank)
        at = order.index(item)
        anchor = order[at - 1] if where == "up" else order[at + 1]
    else:
        anchor = wb.item(other or "")
    actual = actual_rank(wb, key, where, other, scope)
    assert actual[0] == "ok", (key, where, other, actual)
    new = actual[1]
    assert new < anchor.rank if where in ("up", "before") else new > anchor.rank, (key, where, other)
    return actual


def actual_rank(wb: Workbench, key: str, where: str, other: str | None, scope: Scope) -> tuple[str, Any]:
    def rank() -> str:
        wb.rank_item(key, where, other, scope=scope)
        return wb.item(key).rank
    actual = outcome(rank)
    return ("unchanged", wb.item(key).rank) if actual[0] == "NothingChangedError" else actual


def expected_move(wb: Workbench, key: str, column: str) -> tuple[str, Any] | None:
    """move_item's WIP warning or refusal as it was: the target's count by a scan, plus the card.
    None when no WIP limit is involved (the domain's own refusals need no count)."""
    item = wb.item(key)
    limit = wb.now.boards[item.board_id].column(column)
    if item.archived or column == item.status or limit is None or limit["wip"] is None:
        return None
    after = count_in_column(wb.now, item.board_id, column) + 1
    if after <= limit["wip"]:
        return "ok", None
    message = f"{column} would hold {after} items, over its WIP limit of {limit['wip']}"
    full = f"{column} is full: it would hold {after} items, over its hard WIP limit of {limit['wip']}"
    return ("WipLimitExceededError", full) if limit["hard"] else ("ok", f"warning: {message}")


# Scopes the TUI passes ------------------------------------------------------------------------
def board_column_scope(wb: Workbench, key: str) -> Scope:
    """The board screen's: the card's column, no epics (pmtui/tui/screens/board.py)."""
    column = wb.item(key).status
    return lambda i: i.status == column and i.kind != "epic"


def backlog_level_scope(wb: Workbench, key: str) -> Scope:
    """The backlog screen's: the rows shown at the item's level (here: every item but bugs)."""
    shown = {i.id for i in wb.now.items.values() if i.kind != "bug" and not i.archived}
    item = wb.item(key)
    parent = item.parent if item.parent in shown else None
    return lambda i: i.id in shown and (i.parent if i.parent in shown else None) == parent


SCOPES: dict[str, Callable[[Workbench, str], Scope]] = {
    "none": lambda wb, key: None, "board column": board_column_scope, "backlog level": backlog_level_scope,
}


# A small board with every kind of neighbour ----------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "board.db")


def stocked(db: str) -> Workbench:
    """PM-1 an epic, PM-2..PM-9 cards spread over three columns (bugs among them), PM-6 archived,
    PM-3 and PM-4 children of the epic; each a little further down the board."""
    wb = Workbench(db=db, actor="ann")
    wb.init_product("Shop", "PM")
    wb.add_item("Epic", kind="epic")
    layout = [("Backlog", "story"), ("Backlog", "bug"), ("In progress", "story"), ("Backlog", "story"),
              ("In progress", "bug"), ("Backlog", "story"), ("In progress", "story"), ("Review", "story")]
    for n, (column, kind) in enumerate(layout, 2):
        wb.add_item(f"Card {n}", kind=kind, status=column, parent="PM-1" if n in (3, 4) else None)
    wb.archive_item("PM-6")
    return wb


def keys(wb: Workbench) -> list[str]:
    return sorted(wb.now.keys, key=lambda k: int(k.split("-")[1]))


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("where", WHERE)
def test_every_rank_command_gives_the_full_sort_s_result(db: str, where: str, scope_name: str) -> None:
    wb = stocked(db)
    outcomes = set()
    for key in keys(wb):
        for other in (keys(wb) if where in ("before", "after") else [None]):
            scope = SCOPES[scope_name](wb, key)
            outcomes.add(assert_ranked_as_before(wb, key, where, other, scope)[0])
    assert {"ok", "UserError"} <= outcomes  # both paths were compared


def test_refusals_keep_their_messages(db: str) -> None:
    wb = stocked(db)
    top, bottom = "PM-1", "PM-9"
    column = board_column_scope(wb, "PM-8")
    cases: list[tuple[tuple[Any, ...], Scope, str]] = [
        ((top, "top"), None, f"{top} is at the top already"),
        ((top, "up"), None, f"{top} is at the top already"),
        ((bottom, "bottom"), None, f"{bottom} is at the bottom already"),
        ((bottom, "down"), None, f"{bottom} is at the bottom already"),
        (("PM-4", "top"), board_column_scope(wb, "PM-4"), "PM-4 is at the top already"),  # first of its column
        (("PM-8", "down"), column, "PM-8 is at the bottom already"),
        (("PM-6", "top"), None, "PM-6 is archived: restore it before ranking it"),
        (("PM-2", "before", "PM-2"), None, "cannot rank PM-2 before itself"),
        (("PM-2", "after", "PM-6"), None, "PM-6 is not on the same board as PM-2"),  # archived: not a peer
        (("PM-8", "after", "PM-2"), column, "PM-2 is not on the same board as PM-8"),  # outside the scope
        (("PM-2", "sideways"), None, "rank where? top, bottom, up, down, before or after (got 'sideways')"),
    ]
    written = wb.position
    for args, scope, message in cases:
        with pytest.raises(UserError) as refused:
            wb.rank_item(*args, scope=scope)
        assert str(refused.value) == message
    assert wb.position == written


def test_an_item_on_another_board_is_not_on_the_same_board(db: str) -> None:
    wb = stocked(db)
    wb.add_board("Ops")
    wb.add_item("Elsewhere", board="Ops")
    with pytest.raises(UserError, match="PM-10 is not on the same board as PM-2"):
        wb.rank_item("PM-2", "before", "PM-10")
    with pytest.raises(UserError, match="PM-10 is at the top already"):
        wb.rank_item("PM-10", "top")  # alone on its board
    wb.add_item("Elsewhere too", board="Ops")
    wb.rank_item("PM-11", "top")
    assert [i.key for i in wb.board_index.ordered(wb.board("Ops").id)] == ["PM-11", "PM-10"]


def test_ranking_moves_the_card_where_asked(db: str) -> None:
    wb = stocked(db)
    board = wb.board().id

    def order() -> list[str]:
        return [i.key for i in wb.board_index.ordered(board) if not i.archived]

    wb.rank_item("PM-9", "top")
    assert order()[:2] == ["PM-9", "PM-1"]
    wb.rank_item("PM-9", "after", "PM-2")
    assert order()[:4] == ["PM-1", "PM-2", "PM-9", "PM-3"]
    # Up in its column (In progress: PM-4, PM-6 archived, PM-8) passes PM-4 and nothing else. Above
    # the column's first card the rank steps by a fixed amount: it lands on PM-3's rank, a tie...
    wb.rank_item("PM-8", "up", scope=board_column_scope(wb, "PM-8"))
    assert wb.item("PM-8").rank == wb.item("PM-3").rank
    # ...which, as in the board view's stable sort by rank, keeps the creation order.
    assert order() == ["PM-1", "PM-2", "PM-9", "PM-3", "PM-8", "PM-4", "PM-5", "PM-7"]
    assert order() == [i.key for i in sorted(wb.now.items.values(), key=lambda i: i.rank) if not i.archived]


def test_ranking_next_to_tied_cards_passes_the_tie_instead_of_failing(db: str) -> None:
    wb = stocked(db)
    board = wb.board().id

    def order() -> list[str]:
        return [i.key for i in wb.board_index.ordered(board) if not i.archived]

    wb.rank_item("PM-8", "up", scope=board_column_scope(wb, "PM-8"))  # lands on PM-3's rank (see above)
    tied = wb.item("PM-3").rank
    assert wb.item("PM-8").rank == tied and order() == ["PM-1", "PM-2", "PM-3", "PM-8", "PM-4", "PM-5", "PM-7", "PM-9"]
    wb.rank_item("PM-2", "after", "PM-3")  # the nearest card below PM-3 is PM-8, of the same rank
    assert order() == ["PM-1", "PM-3", "PM-8", "PM-2", "PM-4", "PM-5", "PM-7", "PM-9"]
    wb.rank_item("PM-2", "up")  # one step up is past the tie: above both
    assert order() == ["PM-1", "PM-2", "PM-3", "PM-8", "PM-4", "PM-5", "PM-7", "PM-9"]
    wb.rank_item("PM-5", "before", "PM-8")  # the nearest card above PM-8 is PM-3, of the same rank
    wb.rank_item("PM-4", "down")
    assert order() == ["PM-1", "PM-2", "PM-5", "PM-3", "PM-8", "PM-7", "PM-4", "PM-9"]
    wb.rank_item("PM-7", "up")  # past the tie from below
    assert order() == ["PM-1", "PM-2", "PM-5", "PM-7", "PM-3", "PM-8", "PM-4", "PM-9"]


def test_wip_warnings_and_refusals_count_what_the_scan_counts(db: str) -> None:
    wb = stocked(db)
    wb.set_wip_limit("In progress", 3)  # holds PM-4, PM-6 (archived: not counted), PM-8: two cards
    wb.set_wip_limit("Review", 2, hard=True)  # holds PM-9
    wb.add_item("Epic in progress", kind="epic", status="In progress")  # an epic is no card
    assert wb.move_item("PM-2", "In progress") is None
    assert wb.move_item("PM-3", "In progress") == "warning: In progress would hold 4 items, over its WIP limit of 3"
    assert wb.move_item("PM-5", "Review") is None
    with pytest.raises(DomainError, match=r"Review is full: it would hold 3 items, over its hard WIP limit of 2"):
        wb.move_item("PM-7", "Review")
    wb.archive_item("PM-9")  # frees a place
    assert wb.move_item("PM-7", "Review") is None
    for column in ("Backlog", "In progress", "Review", "Done"):
        assert wb.board_index.count(wb.board().id, column) == count_in_column(wb.now, wb.board().id, column)


def test_rename_column_refuses_while_cards_are_in_it(db: str) -> None:
    wb = stocked(db)
    with pytest.raises(UserError, match="column 'Review' holds items"):
        wb.rename_column("Review", "Checking")
    with pytest.raises(UserError, match="column 'review' holds items"):
        wb.rename_column("review", "Checking")  # the domain matches column names in any case
    wb.archive_item("PM-9")
    wb.rename_column("Review", "Checking")
    assert "Checking" in wb.board().column_names
    wb.move_item("PM-1", "Checking")  # PM-1 is an epic: no card, but it has a column all the same
    with pytest.raises(UserError, match="holds items"):
        wb.rename_column("Checking", "QA")


def test_new_items_go_above_or_below_every_item_archived_ones_included(db: str) -> None:
    wb = stocked(db)
    wb.restore_item("PM-6")
    wb.rank_item("PM-6", "bottom")
    wb.archive_item("PM-6")  # archived, yet still the lowest rank in use
    key = wb.add_item("Last")
    assert wb.item(key).rank > wb.item("PM-6").rank
    key = wb.add_item("First", top=True)
    assert wb.item(key).rank < min(i.rank for i in wb.now.items.values() if i.key != key)


# Another writer on the same store --------------------------------------------------------------
def test_the_board_order_follows_another_writer(db: str) -> None:
    ann = stocked(db)
    index = ann.board_index
    bob = Workbench(db=db, actor="bob")
    bob.rank_item("PM-9", "top")
    bob.move_item("PM-2", "In progress")
    bob.archive_item("PM-8")
    ann.refresh()  # the store's indexes hold bob's changes: nothing to catch up
    board = ann.board().id
    assert [i.id for i in index.ordered(board)] == [i.id for i in sorted(ann.now.items.values(), key=lambda i: (i.rank, i.number))]
    with pytest.raises(UserError, match="PM-9 is at the top already"):
        ann.rank_item("PM-9", "top")
    assert index.count(board, "In progress") == count_in_column(ann.now, board, "In progress") == 2
    bob.close()


operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["story", "bug", "epic"]), st.booleans(),
              st.sampled_from(["Backlog", "In progress", "Review"])),
    st.tuples(st.just("move"), st.integers(1, 14), st.sampled_from(["Backlog", "To do", "In progress", "Review", "Done"])),
    st.tuples(st.just("rank"), st.integers(1, 14), st.sampled_from(WHERE), st.integers(1, 14),
              st.sampled_from(list(SCOPES))),
    st.tuples(st.just("archive"), st.integers(1, 14)),
    st.tuples(st.just("restore"), st.integers(1, 14)),
    st.tuples(st.just("kind"), st.integers(1, 14), st.sampled_from(["story", "bug", "epic"])),
)


@contextmanager
def two_writers() -> Iterator[tuple[Workbench, Workbench]]:
    """ann (whose index exists before bob writes) and bob, on one new SQLite store."""
    with tempfile.TemporaryDirectory(prefix="pmtui-two-") as tmp:
        db = str(Path(tmp) / "two.db")
        ann = stocked(db)
        ann.set_wip_limit("In progress", 3)
        bob = Workbench(db=db, actor="bob")
        try:
            yield ann, bob
        finally:
            bob.close()
            ann.close()


def play(wb: Workbench, op: tuple[Any, ...]) -> None:
    """Run one command, comparing rank and WIP outcomes with the full scans first."""
    kind, *args = op
    if kind == "add":
        item_kind, top, column = args
        outcome(lambda: wb.add_item("New", kind=item_kind, top=top, status=column))  # a full hard-limited column refuses
        return
    key = f"PM-{args[0]}"
    if wb.now.item_by_key(key) is None:
        return
    if kind == "rank":
        where, other, scope_name = args[1:]
        scope = SCOPES[scope_name](wb, key)
        other_key = f"PM-{other}" if wb.now.item_by_key(f"PM-{other}") else None
        if where in ("before", "after") and other_key is None:
            return
        assert_ranked_as_before(wb, key, where, other_key, scope)
    elif kind == "move":
        wip = expected_move(wb, key, args[1])
        moved = outcome(lambda: wb.move_item(key, args[1]))
        assert wip is None or moved == wip, op
    elif kind == "archive":
        outcome(lambda: wb.archive_item(key))
    elif kind == "restore":
        outcome(lambda: wb.restore_item(key))
    else:
        outcome(lambda: wb.edit_item(key, kind=args[1]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["ann", "bob"]), operation), min_size=5, max_size=25))
def test_two_writers_commands_give_the_full_scans_results(plan: list[tuple[str, tuple[Any, ...]]]) -> None:
    with two_writers() as (ann, bob):
        index = ann.board_index
        for who, op in plan:
            wb = ann if who == "ann" else bob
            wb.refresh()  # each looks before deciding, as the TUI's live updates do
            play(wb, op)
        ann.refresh()
        board = ann.board().id
        assert [i.id for i in index.ordered(board)] == [i.id for i in sorted(
            (i for i in ann.now.items.values() if i.board_id == board), key=lambda i: (i.rank, i.number))]
        for column in ann.now.boards[board].column_names:
            assert index.count(board, column) == count_in_column(ann.now, board, column)
