"""Sprint burndown and burnup, and velocity, from the sprint's true history.

A sprint's scope is the set of items whose ``sprint`` field names it (archived ones excepted) while
it runs, and the items its ``Closed`` event lists once it is closed. Remaining work is the points of
scope items not in a done-category column. Scope changes after the start (items added, removed or
re-estimated) are listed, so a chart can mark them. The series stops at the moment the sprint closed:
what happens to carried-over items afterwards belongs to the next sprint.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from projections.metrics.days import Zone, day_end, day_of, days
from projections.metrics.replay import Replay, category_of, in_time_order
from projections.records import EventRecord
from projections.state import ItemView, SprintView, Workspace


class ScopeChange(msgspec.Struct, frozen=True):
    at: float
    day: date
    key: str
    kind: str  # added | removed | estimated
    points: float  # the change in scope points (+ more work, - less)


class SprintDay(msgspec.Struct, frozen=True):
    day: date
    remaining: float  # points not done
    done: float  # points done
    scope: float  # all points in the sprint
    remaining_items: int
    done_items: int
    ideal: float  # where the remaining points would be on a straight line from start to end


class SprintSeries(msgspec.Struct, frozen=True):
    sprint: SprintView
    committed: float  # points at the start
    days: list[SprintDay]
    changes: list[ScopeChange]

    @property
    def has_points(self) -> bool:
        """False for a sprint of unestimated items: charts then count items instead."""
        return self.committed > 0 or any(d.scope for d in self.days)


def _members(ws: Workspace, sprint: SprintView) -> list[ItemView]:
    current = ws.sprints.get(sprint.id, sprint)
    if current.state == "closed":
        ids = list(dict.fromkeys([*current.done, *current.carried]))
        return [ws.items[i] for i in ids if i in ws.items]
    return [i for i in ws.items.values() if i.sprint == sprint.id and not i.archived]


def _in_scope(item: ItemView | None, sprint_id: str) -> bool:
    return item is not None and item.sprint == sprint_id and not item.archived


def _sample(ws: Workspace, sprint: SprintView, day: date, ideal: float) -> SprintDay:
    remaining = done = 0.0
    remaining_items = done_items = 0
    for item in _members(ws, sprint):
        if category_of(ws, item) == "done":
            done += item.points or 0
            done_items += 1
        else:
            remaining += item.points or 0
            remaining_items += 1
    return SprintDay(day, remaining, done, remaining + done, remaining_items, done_items, ideal)


def sprint_series(records: list[EventRecord], sprint_id: str, as_of: float, tz: Zone = None) -> SprintSeries | None:
    """Burndown and burnup of one sprint as of ``as_of``; None if it had not started by then."""
    ordered = in_time_order(records, as_of)
    changes: list[ScopeChange] = []
    state = {"started": False, "closed": False}

    def watch(record: EventRecord, before: ItemView | None, ws: Workspace) -> None:
        if record.aggregate_id == sprint_id:
            state["started"] = record.name == "Sprint.Started" or state["started"]
            state["closed"] = record.name == "Sprint.Closed" or state["closed"]
        if not state["started"] or state["closed"] or not record.name.startswith("WorkItem."):
            return
        after = ws.items.get(record.aggregate_id)
        was, now = _in_scope(before, sprint_id), _in_scope(after, sprint_id)
        assert after is not None
        day = day_of(record.occurred, tz)
        if now and not was:
            changes.append(ScopeChange(record.occurred, day, after.key, "added", after.points or 0))
        elif was and not now:
            assert before is not None
            changes.append(ScopeChange(record.occurred, day, after.key, "removed", -(before.points or 0)))
        elif was and now and (before.points or 0) != (after.points or 0):  # type: ignore[union-attr]
            changes.append(ScopeChange(record.occurred, day, after.key, "estimated",
                                       (after.points or 0) - (before.points or 0)))  # type: ignore[union-attr]

    start_index = next((n for n, r in enumerate(ordered) if r.aggregate_id == sprint_id and r.name == "Sprint.Started"), None)
    if start_index is None:
        return None
    close_index = next((n for n, r in enumerate(ordered) if r.aggregate_id == sprint_id and r.name == "Sprint.Closed"), None)
    replay = Replay(ordered, watch)
    start_at = ordered[start_index].occurred
    sprint = replay.through(start_index).sprints[sprint_id]
    committed = sum(v or 0 for v in sprint.committed.values())
    first = date.fromisoformat(sprint.start) if sprint.start else day_of(start_at, tz)
    if first > day_of(start_at, tz):  # started before its planned start (older logs kept the plan)
        first = day_of(start_at, tz)
    planned_last = date.fromisoformat(sprint.end) if sprint.end else first + timedelta(days=13)
    span = max((planned_last - first).days, 1)
    if close_index is None:
        last = min(planned_last, day_of(as_of, tz))
    else:
        last = day_of(ordered[close_index].occurred, tz)  # closed early or late: the series ends that day
    close_day = None if close_index is None else last

    samples: list[SprintDay] = []
    for day in days(first, last):
        ideal = max(0.0, committed * (1 - (day - first).days / span))
        if day == close_day:
            # Stop right after the Closed event: the carried items move on in the same command.
            ws = replay.through(close_index)  # type: ignore[arg-type]
        else:
            ws = replay.until(day_end(day, tz))
        samples.append(_sample(ws, sprint, day, ideal))
    return SprintSeries(replay.ws.sprints.get(sprint_id, sprint), committed, samples, changes)


class SprintVelocity(msgspec.Struct, frozen=True):
    sprint: str
    closed: float
    committed: float  # points at the start
    completed: float  # points of the items done at the close, as estimated then
    completed_items: int
    rolling: float  # the average completed over this and up to ``window - 1`` earlier sprints


def velocity(records: list[EventRecord], as_of: float, window: int = 3, board_id: str | None = None) -> list[SprintVelocity]:
    """Committed vs completed points per sprint closed by ``as_of``, oldest first."""
    rows: list[tuple[str, float, float, float, int]] = []

    def on_close(record: EventRecord, _before: ItemView | None, ws: Workspace) -> None:
        if record.name != "Sprint.Closed":
            return
        sprint = ws.sprints[record.aggregate_id]
        if board_id is not None and sprint.board_id != board_id:
            return
        done = [ws.items[i] for i in sprint.done if i in ws.items]
        rows.append((sprint.name, record.occurred, sum(v or 0 for v in sprint.committed.values()),
                     sum(i.points or 0 for i in done), len(done)))

    Replay(in_time_order(records, as_of), on_close).rest()
    out: list[SprintVelocity] = []
    for n, (name, closed, committed, completed, count) in enumerate(rows):
        recent = [r[3] for r in rows[max(0, n - window + 1): n + 1]]
        out.append(SprintVelocity(name, closed, committed, completed, count, sum(recent) / len(recent)))
    return out
