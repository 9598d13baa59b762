"""History and audit: every event as who, when (occurred and recorded), why, and what changed,
field by field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from projections.records import EventRecord
from projections.state import Workspace

# Fields whose values are ids of other things: shown by their names.
_REFERENCES = {"parent": "items", "sprint": "sprints", "release": "releases"}
_CREATED = {"Created", "Planned", "Proposed", "Defined", "Added"}


class FieldChange(msgspec.Struct, frozen=True, array_like=True):
    field: str
    old: Any
    new: Any


class HistoryEntry(msgspec.Struct, frozen=True):
    seq: int
    occurred: float
    recorded: float
    actor: str
    reason: str
    event: str
    aggregate_id: str
    subject: str
    summary: str
    changes: list[FieldChange]

    @property
    def backdated(self) -> bool:
        return abs(self.recorded - self.occurred) > 1.0


def subject_of(ws: Workspace, aggregate_id: str, record: EventRecord | None = None) -> str:
    if aggregate_id in ws.items:
        return ws.items[aggregate_id].key
    for table, prefix in (("sprints", "sprint "), ("releases", "release "), ("kpis", "KPI "), ("boards", "board ")):
        view = getattr(ws, table).get(aggregate_id)
        if view is not None:
            return prefix + view.name
    if aggregate_id in ws.roadmap:
        return f"RM-{ws.roadmap[aggregate_id].number}"
    if aggregate_id in ws.objectives:
        return f"O-{ws.objectives[aggregate_id].number}"
    if aggregate_id in ws.products:
        return ws.products[aggregate_id].key_prefix
    if aggregate_id in ws.notes:
        return ws.notes[aggregate_id].ref
    if aggregate_id in ws.documents:
        return ws.documents[aggregate_id].ref
    if aggregate_id in ws.users:
        return "user " + ws.users[aggregate_id]["name"]
    if record is not None:
        data = record.data
        for name in ("key", "name", "title"):
            if name in data:
                return str(data[name])
    return aggregate_id[:8]


def _name_of(ws: Workspace, field: str, value: Any) -> Any:
    table = _REFERENCES.get(field)
    if table and isinstance(value, str):
        view = getattr(ws, table).get(value)
        if view is not None:
            return getattr(view, "key", None) or getattr(view, "name", value)
    return value


def _diff_lists(old: list[Any], new: list[Any]) -> str:
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    parts = [f"+{a}" for a in added] + [f"-{r}" for r in removed]
    return " ".join(str(p) for p in parts) or "reordered"


def entry(ws: Workspace, record: EventRecord) -> HistoryEntry:
    kind = record.name.split(".", 1)[1]
    data = record.data
    changes: list[FieldChange] = []
    if "changes" in data:
        for field, (old, new) in data["changes"].items():
            if field == "key_results":
                index = data.get("kr", 0)
                before = old[index - 1] if 0 < index <= len(old) else {}
                after = new[index - 1] if 0 < index <= len(new) else {}
                if not before:
                    changes.append(FieldChange(f"KR{index}", None, f"{after['metric']} {after['baseline']:g} -> {after['target']:g} {after['unit']}".strip()))
                    continue
                for name in after:
                    if before.get(name) != after.get(name):
                        changes.append(FieldChange(f"KR{index}.{name}", before.get(name), after.get(name)))
                continue
            changes.append(FieldChange(field, _name_of(ws, field, old), _name_of(ws, field, new)))
        summary = ", ".join(_describe(c) for c in changes)
    elif kind in _CREATED:
        title = data.get("title") or data.get("name") or ""
        summary = f"{kind.lower()} {title}".strip()
    elif kind == "Recorded":
        who = data.get("customer") or data.get("company") or "someone"
        summary = f"feedback from {who}: {_short(data.get('text', ''), 50)}"
    elif kind == "Saved":
        summary = f"saved version {data.get('revision')}"
    elif kind == "Commented":
        summary = f"comment: {_short(data['text'], 60)}"
    elif kind == "Measured":
        summary = f"measured {data['value']:g}"
    elif kind == "MeasurementWithdrawn":
        summary = f"withdrew the measurement {data['value']:g}"
    elif kind == "Started":
        summary = f"started with {len(data['committed'])} items, {sum(v or 0 for v in data['committed'].values()):g} points"
    elif kind == "Closed":
        summary = f"closed: {len(data['done'])} done, {len(data['carried'])} carried over"
    else:  # an event with no words of its own yet: its class name as words, never the name itself
        summary = "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
    if kind == "CheckedIn" and data.get("comment"):
        summary += f" — {_short(data['comment'], 50)}"
    return HistoryEntry(record.seq, record.occurred, record.recorded, record.actor, record.reason, record.name,
                        record.aggregate_id, subject_of(ws, record.aggregate_id, record), summary, changes)


def _describe(change: FieldChange) -> str:
    """A change as a PM would say it: "moved to In progress", "archived", "hard limit: yes"."""
    if change.field == "status" and change.new:
        return f"moved from {change.old} to {change.new}" if change.old else f"moved to {change.new}"
    if change.field == "horizon" and change.new:
        return f"moved the roadmap item to {str(change.new).capitalize()}"
    if change.field == "archived" and isinstance(change.new, bool):
        return "archived" if change.new else "restored"
    if change.field == "rank" and isinstance(change.old, str) and isinstance(change.new, str):
        # Rank strings only order items; what a reader wants to know is the direction.
        return "ranked higher" if change.new < change.old else "ranked lower"
    if isinstance(change.new, list) and isinstance(change.old, list):
        return f"{change.field}: {_diff_lists(change.old, change.new)}"
    return f"{change.field}: {_short(change.old)} -> {_short(change.new)}"


def _short(value: Any, limit: int = 30) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def matches(record: EventRecord, actor: str | None = None, kind: str | None = None,
            aggregate_ids: set[str] | None = None, since: float | None = None, until: float | None = None) -> bool:
    if actor and record.actor.lower() != actor.lower():
        return False
    if kind and kind.lower() not in record.name.lower():
        return False
    if aggregate_ids is not None and record.aggregate_id not in aggregate_ids:
        return False
    if since is not None and record.occurred < since:
        return False
    return until is None or record.occurred <= until


def history(ws: Workspace, records: Iterable[EventRecord], **filters: Any) -> list[HistoryEntry]:
    """History entries, newest first, for the records that match the filters."""
    chosen = [r for r in records if matches(r, **filters)]
    chosen.sort(key=lambda r: (r.occurred, r.seq), reverse=True)
    return [entry(ws, r) for r in chosen]
