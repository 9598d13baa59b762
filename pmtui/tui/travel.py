"""Time travel for the TUI: reading "as of when?" (a date-time, ``-3d``, ``#812``, or a sprint's day
such as ``Sprint 3 day 2``) and stepping one event or one day from a point in the past.

Every point becomes an ``AsOf`` the workbench answers from the read model's tables."""

from __future__ import annotations

import re
from time import time as time_now
from datetime import date, datetime, time, timedelta

from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import NOW, AsOf, local, parse_as_of
from projections.sprint_view import find_sprint
from projections.state import Workspace

DAY = 86400.0
_SPRINT_DAY = re.compile(r"^(?P<sprint>.+?)\s+day\s+(?P<day>\d+)$", re.IGNORECASE)


def end_of_day(day: date) -> float:
    return (datetime.combine(day, time.max)).astimezone().timestamp()


def parse_point(text: str, wb: Workbench, now: datetime | None = None) -> AsOf:
    """What the user typed at "as of when?"; a ``UserError`` explains a bad entry."""
    spec = text.strip()
    match = _SPRINT_DAY.match(spec)
    if match:
        sprint = find_sprint(wb.now, match["sprint"])
        if sprint is None:
            raise UserError(f"no sprint named {match['sprint']!r}")
        if not sprint.start:
            raise UserError(f"sprint {sprint.name!r} has no start date yet")
        day = int(match["day"])
        if day < 1:
            raise UserError("sprint days count from 1")
        first = date.fromisoformat(sprint.start)
        last = date.fromisoformat(sprint.end) if sprint.end else None
        if last is not None and day > (last - first).days + 1:
            raise UserError(f"sprint {sprint.name!r} has {(last - first).days + 1} days ({sprint.start} to {sprint.end})")
        if first + timedelta(days=day - 1) > (now or datetime.now().astimezone()).date():
            raise UserError(f"day {day} of sprint {sprint.name!r} is in the future: time travel goes to the past")
        moment = end_of_day(first + timedelta(days=day - 1))
        return AsOf(moment=moment, text=f"{sprint.name} day {day}")
    return parse_as_of(spec, now)


def step_event(wb: Workbench, past: Workspace, step: int) -> AsOf:
    """The point one event (``step`` = -1 or +1) from ``past``, in log order."""
    seq = wb.read.neighbour_event(past.position, step)
    if seq is None:
        if step < 0:
            raise UserError("this is before the first event already")
        raise UserError("this is the latest event: press t to return to now")
    return AsOf(event=seq, text=f"#{seq}")


def step_day(point: AsOf, past: Workspace, step: int, now: float | None = None) -> AsOf:
    """The point one day (``step`` = -1 or +1) from ``point``; a step past now is now (time
    travel stays in the past, and stepping off its end returns to the live view)."""
    base = point.moment if point.moment is not None else past.at
    moment = base + step * DAY
    if moment >= (time_now() if now is None else now):
        return NOW
    return AsOf(moment=moment, text=local(moment))


def describe(point: AsOf, past: Workspace, last_seq: int) -> str:
    """``AS OF 2026-11-10 14:30 · #812/2450`` (event shown / last event)."""
    when = local(point.moment) if point.moment is not None else (local(past.at) if past.at else "the beginning")
    name = f" ({point.text})" if point.text and point.text != when and not point.text.startswith("#") else ""
    return f"AS OF {when}{name} · #{past.position}/{last_seq}"


class Stepper:
    """The states time travel shows. Every point is an indexed read of the store's tables (no
    fold), so stepping needs no cache; "now" is pinned to its last event, since a point in the
    past must not move while others keep writing."""

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb

    def view(self, point: AsOf) -> Workspace:
        if point.is_now:
            return self.wb.view(AsOf(event=self.wb.read.position(), text="now"))
        return self.wb.view(point)
