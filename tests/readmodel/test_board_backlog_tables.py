"""The board's and backlog's subsets of items read from the tables by their indexed columns
(cards by status, epics and unarchived items), and the board and backlog built on them, equal a
naive fold of the log at every event and at moments between, for random histories with archived
items, epics and backdated events (the steps of the as-of property test)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from projections.backlog_view import backlog
from projections.board_view import board_view
from projections.sprint_view import sprints_of, summarize_all
from projections.state import fold
from projections.versions import effective_order, fold_as_of_time
from tests.readmodel.test_as_of_property import plan, play


def by_id(items: list[Any]) -> dict[str, Any]:
    """A subset as a map: the order of creation is the number's in the store, the occurred
    order in a fold as of a moment (a backdated item comes first); boards and backlogs sort by rank."""
    return {i.id: i for i in items}


def answers(ws: Any) -> dict[str, Any]:
    # Counted in SQL by a stored workspace (``LazyTable.__len__``), before any row is read.
    lengths = {name: len(getattr(ws, name)) for name in ("items", "sprints", "boards", "roadmap", "objectives", "kpis")}
    boards = sorted(ws.boards)
    return {
        "lengths": lengths,
        "cards": {b: by_id(ws.cards_on_board(b)) for b in boards},
        "epics": by_id(ws.epics()),
        "unarchived": by_id(ws.unarchived_items()),
        "boards": {b: board_view(ws, b) for b in boards},
        "backlog": backlog(ws),
        "backlog_all": backlog(ws, include_archived=True),
        "bugs": backlog(ws, "kind:bug", sort="key"),
        # Sprint summaries: a closed sprint's items read by id together (``many``), an open one's
        # from its board's cards.
        "sprints": summarize_all(ws, sprints_of(ws), today=date(2026, 1, 1)),
        "sprint_boards": {s.id: board_view(ws, s.board_id, s.id) for s in sprints_of(ws)},  # rm_plan's members
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_boards_and_backlogs_from_the_tables_equal_a_naive_fold(steps: list[tuple[str, int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-board-") as tmp:
        wb = Workbench(db=str(Path(tmp) / "b.db"), actor="ann")
        wb.init_product("Shop", "PM")
        try:
            records = play(wb, steps)
            assert answers(wb.now) == answers(fold(records))
            for seq in range(0, records[-1].seq + 1):
                assert answers(wb.view(AsOf(event=seq))) == answers(fold(r for r in records if r.seq <= seq)), seq
            times = sorted({t for t, _ in effective_order(records)})
            for moment in [times[0] - 1, *((a + b) / 2 for a, b in zip(times, times[1:])), times[-1] + 1]:
                assert answers(wb.view(AsOf(moment=moment))) == answers(fold_as_of_time(records, moment)), moment
        finally:
            wb.close()
