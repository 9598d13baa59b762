"""Sprint summaries: committed and done points, days left, closed sprints from their own record."""

from datetime import date

from projections.sprint_view import active_sprint, done_columns, find_sprint, next_planned, sprints_of, summarize
from tests.projections.conftest import BOARD, Log


def test_active_sprint_summary(log: Log) -> None:
    s1 = log.sprint(1, "Sprint 1", "2026-10-01", "2026-10-14", goal="Ship")
    a = log.item(1, "A", points=3, sprint=s1, rank="a")
    b = log.item(2, "B", points=5, sprint=s1, rank="b")
    c = log.item(3, "C", sprint=s1, rank="c")
    log.item(4, "Elsewhere", points=8)
    log.add("Sprint.Started", s1, {"committed": {a: 3, b: 5, c: None}, "start": "2026-10-01", "end": "2026-10-14"})
    log.change("WorkItem.Edited", b, points=[5, 8])  # scope grew after the start
    log.change("WorkItem.Moved", a, status=["Backlog", "Done"])
    ws = log.fold()
    sprint = active_sprint(ws)
    assert sprint is not None and sprint.id == s1 and active_sprint(ws, "other-board") is None
    summary = summarize(ws, sprint, today=date(2026, 10, 10))
    assert [i.key for i in summary.items] == ["PM-1", "PM-2", "PM-3"]
    assert (summary.committed_points, summary.done_points, summary.total_points) == (8, 3, 11)
    assert summary.days_left == 4 and summary.done_ids == [a]
    assert [i.key for i in summary.unfinished] == ["PM-2", "PM-3"]


def test_closed_sprint_summary_comes_from_its_own_record(log: Log) -> None:
    s1, s2 = log.sprint(1, "Sprint 1"), log.sprint(2, "Sprint 2")
    a = log.item(1, "A", points=3, sprint=s1)
    b = log.item(2, "B", points=2, sprint=s1)
    log.add("Sprint.Started", s1, {"committed": {a: 3, b: 2}, "start": "2026-10-01", "end": "2026-10-14"})
    log.change("WorkItem.Moved", a, status=["Backlog", "Done"])
    log.add("Sprint.Closed", s1, {"done": [a], "carried": [b], "carried_to": s2})
    log.change("WorkItem.Edited", b, sprint=[s1, s2])  # carried over: no longer points at sprint 1
    ws = log.fold()
    summary = summarize(ws, ws.sprints[s1], today=date(2027, 1, 1))
    assert [i.key for i in summary.items] == ["PM-1", "PM-2"]
    assert (summary.committed_points, summary.done_points, summary.days_left) == (5, 3, None)
    assert next_planned(ws) is not None and next_planned(ws).id == s2  # type: ignore[union-attr]
    assert next_planned(ws, BOARD, ws.sprints[s2]) is None
    assert active_sprint(ws) is None


def test_lookups(log: Log) -> None:
    s1, s2 = log.sprint(1, "Sprint 1"), log.sprint(2, "Sprint 2")
    ws = log.fold()
    assert [s.id for s in sprints_of(ws)] == [s1, s2] and sprints_of(ws, "nope") == []
    assert find_sprint(ws, " SPRINT 2 ").id == s2 and find_sprint(ws, s1).id == s1  # type: ignore[union-attr]
    assert find_sprint(ws, "Sprint 3") is None
    assert done_columns(ws, BOARD) == {"Done"} and done_columns(ws, "nope") == set()
