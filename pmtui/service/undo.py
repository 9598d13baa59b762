"""Undo and redo as compensating events: nothing is ever deleted from the log.

``undo`` reverses the actor's last change with a new event whose own field ``undoes`` names the
event it reverses; ``redo`` reverses the actor's last undo (``redoes`` names that undo). Both stacks
are read back from the log itself, so they survive restarts and work the same from the CLI, the
TUI and over SSH:

- walking the actor's events newest first, an undo of #N hides #N from later undos, and a redo of
  #M hides the undo #M from later redos; a redo is itself a change (it can be undone);
- a new ordinary change ends the redo chain (as in any editor).

Undo takes the actor's last change of any kind and never skips to an older one: a KPI
measurement is withdrawn (``Kpi.MeasurementWithdrawn``), a check-in's key result goes back to its
value before it, a document save is reverted by saving the text before it as a new version; a change with no inverse (a comment, starting or closing a sprint, creating
anything but a work item, putting an item back into a closed sprint) is refused with the reason,
as is one someone else has changed since. Creating a work item is undone by archiving it.

Stores written before events had the ``undoes``/``redoes`` fields marked undos in the reason text
(``undo of #N``); that is still read, but only for events without those fields, so a reason typed
today cannot pose as an undo.

The unit of undo is one event. A command that wrote several events at once (closing a sprint
edits the unfinished items too) is not undone as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from domain.base import PmAggregate, attributed, current_attribution
from domain.exceptions import DomainError
from pmtui.errors import ConflictError, UserError
from projections.history import entry
from projections.records import EventRecord

COMPENSATION = re.compile(r"^(undo|redo) of #(\d+)")

# Not a change of its own: a side effect of creating an item in older logs. Undo looks past it.
NOT_CHANGES = {"Product.KeyAllocated"}
# Added records that change nothing another change left: someone else's comment or measurement
# since does not block undoing your change of the same thing.
NOT_BLOCKING = NOT_CHANGES | {"WorkItem.Commented", "Kpi.Measured", "Kpi.MeasurementWithdrawn"}

# Changes whose inverse is another event class of the same aggregate.
INVERSE_CLASS = {"WorkItem.Archived": "Restored", "WorkItem.Restored": "Archived",
                 "Objective.CheckedIn": "KeyResultEdited",
                 "FeedbackNote.Archived": "Restored", "FeedbackNote.Restored": "Archived"}

WHY_NOT = {
    "WorkItem.Commented": "a comment stays in the thread; add another one to correct it",
    "Sprint.Started": "starting a sprint cannot be undone",
    "Sprint.Closed": "closing a sprint cannot be undone",
    "User.Removed": "a removed user cannot be brought back by undo; add them again",
}


@dataclass(frozen=True)
class Compensation:
    undone: int  # the event reversed
    by: int  # the new event that reverses it
    description: str


@dataclass(frozen=True)
class Pending:
    seq: int  # the change undo would reverse
    label: str
    refusal: str | None  # why undo would refuse it, or None


def compensates(record: EventRecord) -> tuple[str, int] | None:
    """("undo"|"redo", N) when the event is an undo or redo of event #N."""
    data = record.data
    if "undoes" in data or "redoes" in data:  # the fields are the truth, whatever the reason says
        if data.get("undoes") is not None:
            return "undo", int(data["undoes"])
        if data.get("redoes") is not None:
            return "redo", int(data["redoes"])
        return None
    if "changes" not in data:  # old undos were always field changes
        return None
    found = COMPENSATION.match(record.reason)  # an event stored before the fields existed
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


def changes_to_undo(newest_first: Iterable[EventRecord], actor: str) -> Iterator[EventRecord]:
    """The actor's changes not undone yet, newest first: what successive undos would reverse."""
    hidden: set[int] = set()
    for record in newest_first:
        if record.actor != actor or record.seq in hidden or record.name in NOT_CHANGES:
            continue
        kind = compensates(record)
        if kind and kind[0] == "undo":
            hidden.add(kind[1])
            continue
        yield record


def last_change(newest_first: Iterable[EventRecord], actor: str) -> EventRecord | None:
    """The actor's last change that is not undone yet."""
    return next(changes_to_undo(newest_first, actor), None)


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
    if record.name in WHY_NOT:
        return WHY_NOT[record.name]
    if record.name in ("Kpi.Measured", "Kpi.MeasurementWithdrawn", "Document.Saved"):
        return None  # withdrawn, measured again, or the text before saved as a new version
    if record.version == 1:
        return "only a new work item can be un-created (undo archives it); archive or edit this instead"
    if "changes" not in record.data:
        return f"a {record.name} event has no inverse"
    return None


def _reverse(aggregate: PmAggregate, record: EventRecord, before: PmAggregate | None = None) -> None:
    """Trigger the event that reverses ``record`` on ``aggregate`` (``before``: the aggregate as it
    was just before ``record``, for changes that do not carry what they replaced)."""
    if record.name == "Document.Saved" and before is not None:
        # A save stores a diff without the lines it deleted: the text before comes from the version
        # before, and goes back as a new version (like git revert), so the history keeps both.
        aggregate.save(before.text, aggregate.revision)  # type: ignore[attr-defined]
        return
    if record.name == "WorkItem.Created":
        aggregate.archive()  # type: ignore[attr-defined]
        return
    if record.name == "Kpi.Measured":
        aggregate.withdraw(record.data["value"], record.occurred)  # type: ignore[attr-defined]
        return
    if record.name == "Kpi.MeasurementWithdrawn":
        # Measured again as it was: at the time it had been measured.
        mark = current_attribution()
        when = datetime.fromtimestamp(record.data["measured"], timezone.utc)
        with attributed(mark.actor, mark.reason, when, mark.undoes, mark.redoes):
            aggregate.measure(record.data["value"], "manual")  # type: ignore[attr-defined]
        return
    kind = record.name.split(".", 1)[1]
    event_class = getattr(type(aggregate), INVERSE_CLASS.get(record.name, kind))
    own = set(getattr(event_class, "__dataclass_fields__", {}))  # e.g. a check-in's comment is not an edit's
    extra = {k: v for k, v in record.data.items()
             if k not in ("changes", "originator_topic", "undoes", "redoes") and (not own or k in own)}
    aggregate.revert(record.data["changes"], event_class, **extra)


def _compensate(wb: Any, seen: list[EventRecord], record: EventRecord, verb: str, reason: str) -> Compensation:
    label = _label(wb, record)
    why_not = irreversible(wb.now, record)
    if why_not:
        raise UserError(f"cannot {verb} {label}: {why_not}")
    later = sorted((r for r in seen if r.seq > record.seq and r.aggregate_id == record.aggregate_id), key=lambda r: r.seq)
    others = [r for r in later if r.actor != wb.actor and r.name not in NOT_BLOCKING]
    if others:
        raise UserError(f"cannot {verb} {label}: {others[-1].actor} changed {entry(wb.now, others[-1]).subject} "
                        f"since (#{others[-1].seq}); {verb} would overwrite their work")
    seen_version = later[-1].version if later else record.version
    note = f"{verb} of #{record.seq}" + (f": {reason}" if reason else "")

    before = (wb.app.repository.get(UUID(record.aggregate_id), version=record.version - 1)
              if record.name == "Document.Saved" else None)

    def reverse(aggregate: PmAggregate) -> None:
        if aggregate.version != seen_version:  # someone wrote between our look and our save
            raise ConflictError(f"cannot {verb} {label}: it changed a moment ago; look again and retry")
        try:
            _reverse(aggregate, record, before)
        except DomainError as error:
            raise UserError(f"cannot {verb} {label}: {str(error).removeprefix('cannot undo: ')}") from None

    needs = "admin" if record.aggregate == "User" else "editor"  # as for changing users directly
    marks = {"undoes": record.seq} if verb == "undo" else {"redoes": record.seq}
    wb.execute(lambda: wb.app.change(PmAggregate, UUID(record.aggregate_id), "thing", reverse), note, needs, **marks)
    mine = [r.seq for r in wb.records(record.seq) if r.aggregate_id == record.aggregate_id
            and compensates(r) == (verb, record.seq)]
    return Compensation(record.seq, mine[-1], f"{verb} of {label} recorded as #{mine[-1]}")


def pending(wb: Any, limit: int = 10) -> list[Pending]:
    """What successive undos would reverse, newest first; a refusal stops them there."""
    wb.refresh()
    seen: list[EventRecord] = []
    out: list[Pending] = []
    for record in changes_to_undo(newest_first(wb, seen), wb.actor):
        out.append(Pending(record.seq, _label(wb, record), irreversible(wb.now, record)))
        if len(out) >= limit:
            break
    return out


def undo(wb: Any, reason: str = "") -> Compensation:
    """Reverse the workbench actor's last change."""
    return _reverse_last(wb, last_change, "undo", reason, "has made no change here")


def redo(wb: Any, reason: str = "") -> Compensation:
    """Reverse the workbench actor's last undo."""
    return _reverse_last(wb, last_undo, "redo", reason, "has undone nothing since their last change")


def _reverse_last(wb: Any, find: Callable[[Iterable[EventRecord], str], EventRecord | None], word: str,
                  reason: str, none_left: str) -> Compensation:
    wb.require("editor")
    wb.refresh()
    seen: list[EventRecord] = []
    target = find(newest_first(wb, seen), wb.actor)
    if target is None:
        if word == "undo" and any(r.actor == wb.actor and r.name not in NOT_CHANGES for r in seen):
            none_left = "has undone every change they made here"  # not "made no change": they did
        raise UserError(f"nothing to {word}: {wb.actor} {none_left}")
    return _compensate(wb, seen, target, word, reason)
