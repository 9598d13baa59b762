"""Events as a product manager names them ("Moved", "Title changed", "Sprint started") instead of
the stored class names (``WorkItem.Edited``). The History view's Event column and detail use it;
the stored names stay what the ``kind:`` filter matches."""

from __future__ import annotations

from projections.history import HistoryEntry

# What kind of thing each aggregate is, as its "created" event says it.
_THINGS = {"WorkItem": "Item", "Board": "Board", "Sprint": "Sprint", "Release": "Release",
           "RoadmapItem": "Roadmap item", "Objective": "Objective", "Kpi": "KPI", "Product": "Product",
           "User": "User", "FeedbackNote": "Feedback", "Document": "Document"}

# Events whose name alone says it (aggregate, event) -> words.
_NAMED = {
    ("WorkItem", "Created"): "Created", ("WorkItem", "Moved"): "Moved", ("WorkItem", "Ranked"): "Ranked",
    ("WorkItem", "Archived"): "Archived", ("WorkItem", "Restored"): "Restored", ("WorkItem", "Linked"): "Linked",
    ("WorkItem", "Commented"): "Commented",
    ("Sprint", "Planned"): "Sprint planned", ("Sprint", "Started"): "Sprint started",
    ("Sprint", "Closed"): "Sprint closed",
    ("RoadmapItem", "Proposed"): "Proposed", ("RoadmapItem", "Decided"): "Decided",
    ("Objective", "KeyResultEdited"): "Key result changed", ("Objective", "CheckedIn"): "Checked in",
    ("Kpi", "Defined"): "KPI defined", ("Kpi", "Measured"): "Measured",
    ("Kpi", "MeasurementWithdrawn"): "Measurement withdrawn",
    ("Product", "StageChanged"): "Stage changed", ("Product", "KeyAllocated"): "Key allocated",
    ("Board", "ColumnArchived"): "Column archived", ("Board", "ColumnRestored"): "Column restored",
    ("User", "Added"): "User added", ("User", "Removed"): "User removed",
    ("FeedbackNote", "Recorded"): "Feedback recorded", ("FeedbackNote", "Linked"): "Linked",
    ("FeedbackNote", "Tagged"): "Tagged", ("FeedbackNote", "Archived"): "Archived",
    ("FeedbackNote", "Restored"): "Restored",
    ("Document", "Saved"): "Saved", ("Document", "Renamed"): "Renamed",
}

# Stored field names a PM would call otherwise.
FIELD_NAMES = {"parent": "epic", "archived_columns": "archived columns", "key_results": "key results",
               "wip": "WIP limit", "rice": "RICE", "wsjf": "WSJF", "moscow": "MoSCoW", "kr": "key result",
               "target": "target", "class_of_service": "class of service", "due": "due date"}


def field_name(field: str) -> str:
    """``parent`` -> ``epic``, ``story_points`` -> ``story points``, ``KR2.target`` unchanged."""
    if field.startswith("KR"):
        return field
    return FIELD_NAMES.get(field, field.replace("_", " "))


def event_name(entry: HistoryEntry) -> str:
    """The event in words: a change of one field is "<Field> changed", of several "Edited"."""
    aggregate, _, kind = entry.event.partition(".")
    named = _NAMED.get((aggregate, kind))
    if named is not None:
        if (aggregate, kind) == ("Objective", "KeyResultEdited") and entry.changes \
                and entry.changes[0].old is None:
            return "Key result added"
        return named
    if kind in ("Created", "Planned", "Proposed", "Defined", "Added", "Recorded"):
        return f"{_THINGS.get(aggregate, aggregate)} {kind.lower()}"
    if kind == "Edited":
        fields = [c.field for c in entry.changes]
        if aggregate == "Board" and fields in (["columns"], ["archived_columns"]):
            return "Columns changed"
        if aggregate == "Release" and fields == ["shipped"]:
            return "Shipped" if entry.changes[0].new else "Not shipped"
        if aggregate == "User" and fields == ["role"]:
            return "Role changed"
        if len(fields) == 1:
            return f"{field_name(fields[0]).capitalize()} changed"
        return "Edited"
    # An event this list does not know yet: its class name split into words.
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
    return words.capitalize() or entry.event
