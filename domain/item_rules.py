"""A work item's rules as plain functions of its state: what each command checks and which
change it makes. ``domain.work_item.WorkItem`` (the eventsourcing aggregate) decides through these,
and so does the service's quick write path (``pmtui.service.item_writes``), which holds an item's
state as a plain object folded from its stored events: importing this module builds no event
class and imports no eventsourcing, so one rule serves both.

``item`` is anything with the aggregate's attributes (``id``, ``key``, ``status``, ``archived``,
``links`` and the editable fields)."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.values import ItemKind, LinkKind, Moscow, labels, non_negative, whole_name

RICE_FIELDS = ("reach", "impact", "confidence", "effort")
WSJF_FIELDS = ("value", "time", "risk", "size")
EDITABLE = (
    "kind", "title", "description", "acceptance", "points", "labels", "assignee", "parent",
    "sprint", "release", "rice", "wsjf", "moscow",
)
# The events whose ``changes`` ({field: [old, new]}) are the item's whole mutation (the rest:
# Created, whose fields are ``created_state``'s, and Commented, which changes no field).
CHANGED_EVENTS = ("Edited", "Moved", "Ranked", "Archived", "Restored", "Linked")


def item_id(product_id: UUID | str, key: str) -> UUID:
    """An item's id, derived from its key: two people taking the same key cannot both save it."""
    return uuid5(NAMESPACE_URL, f"pmtui:item:{product_id}:{key.upper()}")


def diff(current: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the given values that differ from ``current``'s."""
    changes = {name: [getattr(current, name), value] for name, value in values.items()
               if getattr(current, name) != value}
    if not changes:
        raise NothingChangedError("nothing to change: the values are the same as before")
    return changes


def _scores(value: dict[str, Any] | None, names: tuple[str, ...], what: str) -> dict[str, float] | None:
    if value is None:
        return None
    unknown = set(value) - set(names)
    if unknown:
        raise ValidationError(f"{what} has no part {sorted(unknown)[0]!r} (parts: {', '.join(names)})")
    missing = [n for n in names if value.get(n) is None]
    if missing:
        raise ValidationError(f"{what} needs all of {', '.join(names)} (missing {', '.join(missing)})")
    scores = {n: non_negative(value[n], f"{what} {n}") for n in names}
    divisor = "effort" if what == "RICE" else "size"
    if not scores[divisor]:
        raise ValidationError(f"{what} {divisor} must be more than 0")
    return scores  # type: ignore[return-value]


def parse_scores(text: str, what: str) -> dict[str, float] | None:
    """RICE or WSJF as people type it (``what`` is "RICE" or "WSJF"): its numbers in order,
    separated by commas or spaces; empty clears them. The one reading of score text, for the CLI
    and the TUI alike; the values are then checked as any edit's are (``check_field``)."""
    names = RICE_FIELDS if what.upper() == "RICE" else WSJF_FIELDS
    parts = str(text).replace(",", " ").split()
    if not parts:
        return None
    if len(parts) != len(names):
        raise ValidationError(f"{what.upper()} takes {len(names)} numbers: {', '.join(names)} (got {text!r})")
    try:
        return {name: float(part) for name, part in zip(names, parts)}
    except ValueError:
        raise ValidationError(f"{what.upper()} takes numbers: {', '.join(names)} (got {text!r})") from None


def check_field(name: str, value: Any) -> Any:
    """The validated form of one editable field's value."""
    if name == "kind":
        return ItemKind.parse(value)
    if name == "title":
        return whole_name(value, "title")
    if name in ("description", "acceptance"):
        return str(value or "")
    if name == "points":
        return non_negative(value, "points") if value not in (None, "") else None
    if name == "labels":
        return labels(value or [])
    if name in ("assignee", "parent", "sprint", "release"):
        text = str(value).strip() if value not in (None, "") else None
        return text or None
    if name == "rice":
        return _scores(value, RICE_FIELDS, "RICE")
    if name == "wsjf":
        return _scores(value, WSJF_FIELDS, "WSJF")
    if name == "moscow":
        return Moscow.parse(value) if value not in (None, "") else None
    raise ValidationError(f"a work item has no field {name!r} (fields: {', '.join(EDITABLE)})")


def created_fields(kind: str, title: str, **values: Any) -> dict[str, Any]:
    """The checked kind, title and other fields of a new item (``WorkItem.create``'s checks):
    the keyword arguments of its Created event besides ids, key, status and rank."""
    fields = {name: check_field(name, values.get(name)) for name in EDITABLE if name not in ("kind", "title")}
    source = values.get("source")
    if source:
        # Where an imported item came from (``trello:<card id>``, ``jira:<issue id>``, ``jira-key:<key>``):
        # a later import of the same source finds it by these, whatever it is called by then.
        if not isinstance(source, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in source):
            raise ValidationError(f"an item's source ids must be a list of text (got {source!r})")
        fields["source"] = [s.strip() for s in source]
    return {"kind": ItemKind.parse(kind), "title": whole_name(title, "title"), "fields": fields}


def created_state(product_id: str, board_id: str, key: str, kind: str, title: str, status: str, rank: str,
                  fields: dict[str, Any]) -> dict[str, Any]:
    """An item's attributes as its Created event leaves them."""
    state: dict[str, Any] = {
        "product_id": product_id, "board_id": board_id, "key": key, "kind": kind, "title": title,
        "status": status, "rank": rank, "archived": False, "links": [], "description": "", "acceptance": "",
        "points": None, "assignee": None, "parent": None, "sprint": None, "release": None,
        "rice": None, "wsjf": None, "moscow": None, "labels": [], "source": [],
    }
    state.update(fields)
    return state


def _check_not_archived(item: Any) -> None:
    if item.archived:
        raise InvalidTransitionError(f"{item.key} is archived: restore it first")


def edit(item: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    _check_not_archived(item)
    checked = {name: check_field(name, value) for name, value in values.items()}
    if checked.get("parent") and checked["parent"] == str(item.id):
        raise ValidationError(f"{item.key} cannot be its own parent")
    return diff(item, checked)


def move(item: Any, status: str) -> dict[str, list[Any]]:
    _check_not_archived(item)
    return follow_column(item, status)


def follow_column(item: Any, status: str) -> dict[str, list[Any]]:
    if status == item.status:
        raise NothingChangedError(f"{item.key} is in {status} already")
    return {"status": [item.status, status]}


def rerank(item: Any, rank: str) -> dict[str, list[Any]]:
    return diff(item, {"rank": rank})


def archive(item: Any) -> dict[str, list[Any]]:
    if item.archived:
        raise InvalidTransitionError(f"{item.key} is archived already")
    return {"archived": [False, True]}


def restore(item: Any) -> dict[str, list[Any]]:
    if not item.archived:
        raise InvalidTransitionError(f"{item.key} is not archived")
    return {"archived": [True, False]}


def link(item: Any, kind: str, target_id: str, target_key: str) -> dict[str, list[Any]]:
    pair = [LinkKind.parse(kind), target_id]
    if target_id == str(item.id):
        raise ValidationError(f"{item.key} cannot link to itself")
    if pair in item.links:
        raise ValidationError(f"{item.key} already {pair[0]} {target_key}")
    return {"links": [item.links, [*item.links, pair]]}


def unlink(item: Any, target_id: str, target_key: str) -> dict[str, list[Any]]:
    kept = [pair for pair in item.links if pair[1] != target_id]
    if len(kept) == len(item.links):
        raise ValidationError(f"{item.key} has no link to {target_key}")
    return {"links": [item.links, kept]}


def comment(text: str) -> str:
    body = str(text).strip()
    if not body:
        raise ValidationError("a comment must not be empty")
    return body
