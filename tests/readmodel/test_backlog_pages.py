"""The paged backlog (pmtui/store/backlog_pages.py: the order made from the items' lines, the
views read by id, what the TUI's Backlog draws) equals ``backlog`` of a naive fold of the events,
now and as of every event and moments between, for random histories with epics, archived items,
sprints and backdated events, through queries and sorts; moved by the items a step touched it
equals one made afresh."""

from __future__ import annotations

import random
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import BacklogRows, Brief, Line, PagedBacklog, _decoders, brief_enough
from pmtui.store.board_pages import touched
from pmtui.timespec import AsOf
from projections.backlog_view import backlog
from projections.state import fold
from projections.versions import effective_order, fold_as_of_time
from tests.readmodel.test_as_of_property import plan, play

QUERIES = [("", "rank", False), ("is:backlog", "rank", False), ("is:backlog kind:story", "points", False),
           ("is:archived", "title", False), ("-kind:bug", "key", True), ("is:backlog a", "status", False),
           ("", "updated", False), ("is:open", "wsjf", True), ("is:backlog", "evidence", False),
           ("-is:backlog kind:epic", "kind", False), ("status:done -kind:bug", "rank", True)]


def check(ws: Any, expected_ws: Any, where: object, before: dict[tuple[str, str, bool], PagedBacklog] | None = None,
          size: int = 3) -> dict[tuple[str, str, bool], PagedBacklog]:
    """Every query of ``QUERIES`` on ``ws`` paged equals ``backlog`` of ``expected_ws``, the rows
    item for item; from ``before`` (the same queries at another point) moved by what the events
    between touched, too."""
    made = {}
    for query, sort, descending in QUERIES:
        expected = backlog(expected_ws, query, sort, me="ann", descending=descending)
        paged = PagedBacklog(ws, query, sort, "ann", descending).build()
        assert [e.id for e in paged.entries] == [i.id for i in expected], (where, query, sort)
        if paged.decoder is _decoders[Brief]:  # the fields a Brief leaves out change nothing
            whole = PagedBacklog(ws, query, sort, "ann", descending)
            whole.decoder = _decoders[Line]
            assert whole.build().entries == paged.entries, (where, query)
        rows = BacklogRows(ws, paged.entries, size)
        assert list(rows) == expected, (where, query)
        for at in (0, len(expected) // 2, len(expected) - 1) if expected else ():
            assert rows[at] == expected[at] and rows.place(expected[at].id) == at
        if before is not None:
            changed = touched(before[(query, sort, descending)].ws, ws, 300)
            stepped = None if changed is None else \
                PagedBacklog(ws, query, sort, "ann", descending).stepped(before[(query, sort, descending)], changed)
            if stepped is not None:  # None: a board or a sprint changed (then it is read afresh)
                assert [e.id for e in stepped.entries] == [i.id for i in expected], (where, query, "stepped")
        made[(query, sort, descending)] = paged
    return made


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_the_paged_backlog_equals_the_backlog_at_every_point(steps: list[tuple[str, int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-backlog-") as tmp:
        wb = Workbench(db=str(Path(tmp) / "b.db"), actor="ann")
        wb.init_product("Shop", "PM")
        try:
            records = play(wb, steps)  # some steps backdated: they change the past on the time axis
            check(wb.now, fold(records), "now")
            before = None
            for seq in [*range(0, records[-1].seq + 1), *range(records[-1].seq, -1, -3)]:
                before = check(wb.view(AsOf(event=seq)), fold(r for r in records if r.seq <= seq), seq, before)
            times = sorted({t for t, _ in effective_order(records)})
            moments = [times[0] - 1, *((a + b) / 2 for a, b in zip(times, times[1:])), times[-1] + 1]
            before = None
            for moment in [*moments, *reversed(moments[::2])]:
                before = check(wb.view(AsOf(moment=moment)), fold_as_of_time(records, moment), moment, before)
        finally:
            wb.close()


def test_the_demo_backlog_paged_equals_the_backlog_at_random_points(tmp_path: Path) -> None:
    """A realistic history (the demo's: sprints, done work, ranks, some events recorded late):
    random event numbers and moments, and time travel's steps from them."""
    from pmtui.service.demo import generate

    wb = Workbench(db=str(tmp_path / "demo.db"), actor="ann")
    try:
        generate(wb, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
        rng = random.Random(7)
        items = wb.now.copy()  # the workspace in memory: what ``backlog`` always read
        check(wb.now, items, "now", size=16)
        first = wb.read.query("SELECT MIN(t) FROM {l}")[0][0]
        last = wb.read.query("SELECT MAX(t) FROM {l}")[0][0]
        for _ in range(4):
            seq = rng.randint(0, wb.position)
            start = check(wb.view(AsOf(event=seq)), wb.view(AsOf(event=seq)).copy(), seq, size=16)
            for step in (-1, 1):
                walked = max(0, min(wb.position, seq + step))
                check(wb.view(AsOf(event=walked)), wb.view(AsOf(event=walked)).copy(), (seq, walked), start, 16)
            moment = rng.uniform(first - 3600, last + 3600)
            start = check(wb.view(AsOf(moment=moment)), wb.view(AsOf(moment=moment)).copy(), moment, size=16)
            walked_ws = wb.view(AsOf(moment=moment - 86400))
            check(walked_ws, walked_ws.copy(), (moment, "day back"), start, 16)
    finally:
        wb.close()


def test_the_backlog_proper_is_read_briefly_and_words_in_full() -> None:
    assert brief_enough("is:backlog", "rank") and brief_enough("kind:bug -status:done is:backlog", "key")
    assert not brief_enough("is:backlog checkout", "rank")  # words match titles
    assert not brief_enough("is:backlog label:x", "rank") and not brief_enough("is:backlog", "points")
