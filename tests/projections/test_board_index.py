"""The live board index: events in, index out. After any mix of item events, caught up chunk by
chunk, it must say what the projections' full scans say: WIP counts as ``count_in_column``, rank
extremes as ``neighbours_rank``, the board's order as the stable sort by rank of the workspace's
items (ties in creation order), and its walks as the same walks over that sort."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.backlog_view import neighbours_rank
from projections.board_index import BoardIndex
from projections.board_view import count_in_column
from projections.state import ItemView, Workspace, fold
from projections.timeline import Timeline
from tests.projections.conftest import BOARD, COLUMNS, ITEM_FIELDS, PRODUCT, Log, uid

OTHER_BOARD = "00000000-0000-0000-0000-0000000000bb"
BOARDS = [BOARD, OTHER_BOARD]
STATUSES = [c["name"] for c in COLUMNS] + ["Nowhere"]  # an item may sit in a column the board lacks
KINDS = ["story", "bug", "epic"]
RANKS = st.text("abc", min_size=1, max_size=3)  # few letters: ties in rank are common
ITEM = st.integers(0, 30)  # which created item (modulo how many exist)

operation = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(BOARDS), st.sampled_from(STATUSES), RANKS, st.sampled_from(KINDS)),
    st.tuples(st.just("move"), ITEM, st.sampled_from(STATUSES)),
    st.tuples(st.just("rank"), ITEM, RANKS),
    st.tuples(st.just("archive"), ITEM),
    st.tuples(st.just("restore"), ITEM),
    st.tuples(st.just("kind"), ITEM, st.sampled_from(KINDS)),
    st.tuples(st.just("board"), ITEM, st.sampled_from(BOARDS)),
    st.tuples(st.just("comment"), ITEM),
    st.tuples(st.just("title"), ITEM),
    st.tuples(st.just("sprint"), ITEM),  # not an item event: passes through untouched
)


def two_boards() -> Log:
    log = Log()
    log.product()
    log.add("Board.Created", OTHER_BOARD, {"product_id": PRODUCT, "name": "Ops", "mode": "kanban", "columns": COLUMNS})
    return log


def write(log: Log, op: tuple[Any, ...], created: list[str]) -> None:
    """Append the records of one operation (the shapes the domain writes)."""
    kind, *args = op
    if kind == "create":
        board, status, rank, item_kind = args
        n = len(created) + 1
        created.append(uid("i", n))
        log.add("WorkItem.Created", created[-1], {
            "product_id": PRODUCT, "board_id": board, "key": f"PM-{n}", "kind": item_kind, "title": f"Item {n}",
            "status": status, "rank": rank, "fields": dict(ITEM_FIELDS),
        })
        return
    if not created:
        return
    item = created[args[0] % len(created)]
    if kind == "move":
        log.change("WorkItem.Moved", item, status=[None, args[1]])
    elif kind == "rank":
        log.change("WorkItem.Ranked", item, rank=[None, args[1]])
    elif kind in ("archive", "restore"):
        log.change(f"WorkItem.{kind.title()}d", item, archived=[None, kind == "archive"])
    elif kind == "kind":
        log.change("WorkItem.Edited", item, kind=[None, args[1]])
    elif kind == "board":
        log.change("WorkItem.Edited", item, board_id=[None, args[1]])
    elif kind == "comment":
        log.add("WorkItem.Commented", item, {"text": "ok"})
    elif kind == "title":
        log.change("WorkItem.Edited", item, title=[None, "renamed"])
    else:
        log.add("Sprint.Planned", uid("s", len(log.records)), {"board_id": BOARD, "name": "S", "goal": "",
                                                               "start": None, "end": None})


def board_order(ws: Workspace, board_id: str) -> list[ItemView]:
    """The reference order: the board's items sorted by rank, ties in the fold's (creation) order."""
    return sorted((i for i in ws.items.values() if i.board_id == board_id), key=lambda i: i.rank)


def reference_walk(order: list[ItemView], start: str | None, direction: str, keep: Any, n: int) -> list[str]:
    """The same walk over the full sort: the peers past ``start`` in that direction, nearest first."""
    if direction == "up":
        order = order[::-1]
    if start is not None:
        order = order[[i.id for i in order].index(start) + 1:]
    return [i.id for i in order if keep(i)][:n]


PREDICATES = {
    "open": lambda i: not i.archived,
    "open cards in progress": lambda i: not i.archived and i.status == "In progress" and i.kind != "epic",
    "epics": lambda i: i.kind == "epic",
}


def assert_agrees(index: BoardIndex, ws: Workspace) -> None:
    assert index.position == ws.position
    assert index.views.keys() == ws.items.keys()
    assert all(index.views[k] is v for k, v in ws.items.items())
    for board in BOARDS + ["no such board"]:
        for status in STATUSES:
            assert index.count(board, status) == count_in_column(ws, board, status), (board, status)
        order = board_order(ws, board)
        assert [i.id for i in index.ordered(board)] == [i.id for i in order]
        assert index.extremes(board) == neighbours_rank(ws, board)
        for start in [None] + [i.id for i in order]:
            for direction in ("up", "down"):
                for name, keep in PREDICATES.items():
                    for n in (1, 2):
                        walked = [i.id for i in index.nearest(board, start, direction, keep, n)]
                        assert walked == reference_walk(order, start, direction, keep, n), (start, direction, name, n)
    # Nothing is counted where the scan finds nothing (no stale columns left behind).
    live = {key: value for key, value in index.counts.items() if value}
    assert all(count_in_column(ws, board, column) == value for (board, column), value in live.items())


@settings(max_examples=150, deadline=None)
@given(st.lists(operation, max_size=60), st.lists(st.integers(0, 60), max_size=5), st.integers(0, 60))
def test_index_caught_up_chunk_by_chunk_agrees_with_the_full_scans(
        plan: list[tuple[Any, ...]], cuts: list[int], built_at: int) -> None:
    log, created = two_boards(), []
    for op in plan:
        write(log, op, created)
    records = log.records
    # Built from the workspace part-way through, then fed the rest in chunks, as refresh does.
    built_at = min(built_at, len(records))
    ws = fold(records[:built_at])
    index = BoardIndex(ws)
    assert_agrees(index, ws)
    bounds = sorted({built_at, len(records), *(min(max(c, built_at), len(records)) for c in cuts)})
    for low, high in zip(bounds, bounds[1:]):
        ws.apply_all(index.watch(records[low:high]))
        index.catch_up(ws)
        assert_agrees(index, ws)
    assert ws == fold(records)


def test_watch_passes_every_record_through_unchanged(log: Log) -> None:
    log.item(1, "A")
    log.add("Sprint.Planned", uid("s", 1), {"board_id": BOARD, "name": "S", "goal": "", "start": None, "end": None})
    index = BoardIndex(Workspace())
    assert list(index.watch(log.records)) == log.records
    assert all(a is b for a, b in zip(index.watch(log.records), log.records))


def test_through_the_timeline_only_replaced_views_are_reindexed(log: Log) -> None:
    a = log.item(1, "A", rank="b")
    b = log.item(2, "B", rank="c", status="In progress")
    timeline = Timeline(lambda after, upto: [r for r in log.records if after < r.seq <= upto],
                        lambda seqs: [r for r in log.records if r.seq in seqs])
    timeline.append(log.records)
    index = BoardIndex(timeline.now)
    log.change("WorkItem.Ranked", b, rank=["c", "a"])
    log.change("WorkItem.Moved", a, status=["Backlog", "In progress"])
    log.change("WorkItem.Edited", uid("i", 99), title=["x", "y"])  # an unknown item: nothing to index
    log.item(3, "C", rank="d", kind="epic", status="In progress")
    timeline.append(index.watch(log.records))
    assert index.catch_up(timeline.now) == 3
    assert [i.key for i in index.ordered(BOARD)] == ["PM-2", "PM-1", "PM-3"]
    assert index.count(BOARD, "In progress") == 2 and index.count(BOARD, "Backlog") == 0  # the epic is no card
    assert index.extremes(BOARD) == ("a", "d") and index.extremes(OTHER_BOARD) == (None, None)
    # Caught up already: a second look re-indexes nothing.
    assert index.catch_up(timeline.now) == 0


def test_walks_skip_what_the_predicate_refuses_and_stop_at_n(log: Log) -> None:
    ids = [log.item(n, f"I{n}", rank=rank, status=status)
           for n, (rank, status) in enumerate([("a", "Backlog"), ("b", "Done"), ("c", "Backlog"), ("d", "Done")], 1)]
    index = BoardIndex(log.fold())
    backlog = lambda i: i.status == "Backlog"  # noqa: E731
    assert [i.id for i in index.nearest(BOARD, ids[3], "up", backlog, 5)] == [ids[2], ids[0]]
    assert [i.id for i in index.nearest(BOARD, None, "up", backlog)] == [ids[2]]
    assert [i.id for i in index.nearest(BOARD, None, "down", lambda i: True, 3)] == ids[:3]
    assert index.nearest(BOARD, ids[0], "up", lambda i: True) == []
    assert index.nearest(OTHER_BOARD, None, "down", lambda i: True) == []
