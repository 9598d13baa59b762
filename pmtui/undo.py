"""Undo and redo as compensating events: nothing is ever deleted from the log.

``undo`` reverses the actor's last change with a new event whose reason says ``undo of #N``;
``redo`` reverses the actor's last undo (``redo of #M``). Both stacks are read back from the log
itself (the reasons name the events they compensate), so they survive restarts and work the same
from the CLI, the TUI and over SSH:

- walking the actor's events newest first, an ``undo of #N`` hides #N from later undos, and a
  ``redo of #M`` hides the undo #M from later redos; a redo is itself a change (it can be undone);
- a new ordinary change ends the redo chain (as in any editor).

Comments, measurements and check-ins are records rather than changes (a wrong one is corrected by
adding another), so undo looks past them. An undo is refused, with the reason, when someone else
has changed the same thing since, when the fields no longer hold the values the change left, or
when the change has no inverse (starting or closing a sprint, creating anything but a work item,
putting an item back into a closed sprint). Creating a work item is undone by archiving it.

The unit of undo is one event. A command that wrote several events at once (closing a sprint
edits the unfinished items too) is not undone as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.base import PmAggregate
from domain.exceptions import DomainError
from pmtui.errors import ConflictError, UserError
from projections.history import entry
from projections.records import EventRecord

COMPENSATION = re.compile(r"^(undo|redo) of #(\d+)")

# Not changes of their own: a side effect of another change (allocating an item key when creating
# an item) or an added record (a comment, a measurement, a check-in, which are corrected by adding
# another). Undo and redo look past them.
NOT_CHANGES = {"Product.KeyAllocated", "WorkItem.Commented", "Kpi.Measured", "Objective.CheckedIn"}

# Changes whose inverse is another event class of the same aggregate.
INVERSE_CLASS = {"WorkItem.Archived": "Restored", "WorkItem.Restored": "Archived",
                 "FeedbackNote.Archived": "Restored", "FeedbackNote.Restored": "Archived"}

WHY_NOT = {
    "Started": "starting a sprint cannot be undone",
    "Closed": "closing a sprint cannot be undone",
    "Removed": "a removed user cannot be brought back by undo; add them again",
}


@dataclass(frozen=True)
class Compensation:
    undone: int  # the event reversed
    by: int  # the new event that reverses it
    description: str


def compensates(record: EventRecord) -> tuple[str, int] | None:
    """("undo"|"redo", N) when the event is an undo or redo of event #N."""
    found = COMPENSATION.match(record.reason)
    return (found.group(1), int(found.group(2))) if found else None


def newest_first(wb: Any, seen: list[EventRecord], batch: int = 2000) -> Iterator[EventRecord]:
    """The log backwards, read in batches (an undo rarely looks far back); each record read is
    also appended to ``seen``."""
    upto = wb.log.max_seq()
    while upto > 0:
        chunk = list(wb.records(max(0, upto - batch), upto))
        for record in reversed(chunk):
            seen.append(record)
            yield record
        upto -= batch


def last_change(newest_first: Iterable[EventRecord], actor: str) -> EventRecord | None:
    """The actor's last change that is not undone yet."""
    hidden: set[int] = set()
    for record in newest_first:
        if record.actor != actor or record.seq in hidden or record.name in NOT_CHANGES:
            continue
        kind = compensates(record)
        if kind and kind[0] == "undo":
            hidden.add(kind[1])
            continue
        return record
    return None


def last_undo(newest_first: Iterable[EventRecord], actor: str) -> EventRecord | None:
    """The actor's last undo not redone yet, if no ordinary change came after it."""
    redone: set[int] = set()
    for record in newest_first:
        if record.actor != actor or record.name in NOT_CHANGES:
            continue
        kind = compensates(record)
        if kind is None:
            return None  # a new change since: nothing to redo
        if kind[0] == "redo":
            redone.add(kind[1])
        elif record.seq not in redone:
            return record
    return None


def _label(wb: Any, record: EventRecord) -> str:
    shown = entry(wb.now, record)
    return f"#{record.seq} ({shown.subject}: {shown.summary})"


def irreversible(ws: Any, record: EventRecord) -> str | None:
    """Why the event cannot be reversed, or None if it can."""
    if record.name == "WorkItem.Created":
        return None  # undone by archiving the new item
    old_sprint = record.data.get("changes", {}).get("sprint", [None])[0] if record.name == "WorkItem.Edited" else None
    if old_sprint in ws.sprints and ws.sprints[old_sprint].state == "closed":
        # Also how closing a sprint carries unfinished items over: those edits stay with the close.
        return f"it would put the item back into sprint {ws.sprints[old_sprint].name!r}, which is closed"
    kind = record.name.split(".", 1)[1]
    if kind in WHY_NOT:
        return WHY_NOT[kind]
    if record.version == 1:
        return "only a new work item can be un-created (undo archives it); archive or edit this instead"
    if "changes" not in record.data:
        return f"a {record.name} event has no inverse"
    return None


def _reverse(aggregate: PmAggregate, record: EventRecord) -> None:
    """Trigger the event that reverses ``record`` on ``aggregate``."""
    if record.name == "WorkItem.Created":
        aggregate.archive()  # type: ignore[attr-defined]
        return
    kind = record.name.split(".", 1)[1]
    event_class = getattr(type(aggregate), INVERSE_CLASS.get(record.name, kind))
    extra = {k: v for k, v in record.data.items() if k not in ("changes", "originator_topic")}
    aggregate.revert(record.data["changes"], event_class, **extra)


def _compensate(wb: Any, seen: list[EventRecord], record: EventRecord, verb: str, reason: str) -> Compensation:
    label = _label(wb, record)
    why_not = irreversible(wb.now, record)
    if why_not:
        raise UserError(f"cannot {verb} {label}: {why_not}")
    later = sorted((r for r in seen if r.seq > record.seq and r.aggregate_id == record.aggregate_id), key=lambda r: r.seq)
    others = [r for r in later if r.actor != wb.actor and r.name not in NOT_CHANGES]
    if others:
        raise UserError(f"cannot {verb} {label}: {others[-1].actor} changed {entry(wb.now, others[-1]).subject} "
                        f"since (#{others[-1].seq}); {verb} would overwrite their work")
    seen_version = later[-1].version if later else record.version
    note = f"{verb} of #{record.seq}" + (f": {reason}" if reason else "")

    def reverse(aggregate: PmAggregate) -> None:
        if aggregate.version != seen_version:  # someone wrote between our look and our save
            raise ConflictError(f"cannot {verb} {label}: it changed a moment ago; look again and retry")
        try:
            _reverse(aggregate, record)
        except DomainError as error:
            raise UserError(f"cannot {verb} {label}: {str(error).removeprefix('cannot undo: ')}") from None

    needs = "admin" if record.aggregate == "User" else "editor"  # as for changing users directly
    wb._run(lambda: wb.app.change(PmAggregate, UUID(record.aggregate_id), "thing", reverse), note, needs)
    mine = [r.seq for r in wb.records(record.seq) if r.aggregate_id == record.aggregate_id and r.actor == wb.actor
            and r.reason == note]
    return Compensation(record.seq, mine[-1], f"{verb} of {label} recorded as #{mine[-1]}")


def undo(wb: Any, reason: str = "") -> Compensation:
    """Reverse the workbench actor's last change."""
    wb._require("editor")
    wb.refresh()
    seen: list[EventRecord] = []
    target = last_change(newest_first(wb, seen), wb.actor)
    if target is None:
        raise UserError(f"nothing to undo: {wb.actor} has made no change here")
    return _compensate(wb, seen, target, "undo", reason)


def redo(wb: Any, reason: str = "") -> Compensation:
    """Reverse the workbench actor's last undo."""
    wb._require("editor")
    wb.refresh()
    seen: list[EventRecord] = []
    target = last_undo(newest_first(wb, seen), wb.actor)
    if target is None:
        raise UserError(f"nothing to redo: {wb.actor} has undone nothing since their last change")
    return _compensate(wb, seen, target, "redo", reason)
