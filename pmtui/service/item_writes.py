"""Quick writes of one work item on a SQLite store, without eventsourcing.

Building the aggregate's event classes and eventsourcing's application costs a command more than
everything else it does (issue 10: a write <= 120 ms, whole process). So the common item commands
(edit, move, rank, archive, restore, comment, link) run here on SQLite: the item's own events are
read and folded into a plain state (the attributes its aggregate would have), the very rules the
aggregate uses (``domain.item_rules``) decide, and the event is stored exactly as the application
would store it (same topic, same fields, msgspec JSON), at the item's next version, with its chain
link and read-model rows in one transaction (``pmtui.store.append``).

A racing save is refused by the events table's primary key (the same version taken first) and the
command is decided again on the item as it now is, as ``PmApplication.decide`` does. An item whose
history holds an event this fold does not know (or a versioned one) is left to the application:
``change`` returns FALLBACK and nothing is written.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import msgspec

from domain import board_rules, item_rules as rules
from pmtui.errors import ConflictError, NotFoundError
from pmtui.store.append import append
from projections.records import CLASS_VERSIONS

TOPIC = "domain.work_item:WorkItem"
MAX_ATTEMPTS = 8
FALLBACK = object()  # ``change``'s answer when the application must make the change instead

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

# Each command: the rule that decides it and the event it records (``WorkItem``'s methods).
COMMANDS: dict[str, tuple[Callable[..., Any], str]] = {
    "edit": (lambda item, **values: rules.edit(item, values), "Edited"),
    "move": (rules.move, "Moved"),
    "rerank": (rules.rerank, "Ranked"),
    "archive": (rules.archive, "Archived"),
    "restore": (rules.restore, "Restored"),
    "link": (rules.link, "Linked"),
    "unlink": (rules.unlink, "Linked"),
}


class ItemState:
    """A work item's attributes as its aggregate holds them, folded from its events."""

    id: str
    version: int

    def __init__(self, item_id: str, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.id = item_id
        self.version = 1


class UnknownHistory(Exception):
    """The item's events hold one this fold does not know: the application folds it."""


def backoff(attempt: int) -> None:
    """A short random pause after a lost race, so racing writers stop colliding in lockstep."""
    import random  # here: only a lost race needs them
    import time

    time.sleep(random.uniform(0, 0.002 * 2**attempt))


def load(conn: sqlite3.Connection, item_id: str) -> ItemState:
    """The item as its events leave it (``NotFoundError`` if there is no such item)."""
    try:
        hex_id = UUID(str(item_id)).hex
    except ValueError:
        raise NotFoundError(f"no such item: {item_id}") from None
    rows = conn.execute("SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ? "
                        "ORDER BY originator_version", [hex_id]).fetchall()
    if not rows or not rows[0][1].startswith(f"{TOPIC}."):
        raise NotFoundError(f"no such item: {item_id}")  # none, or another aggregate's id
    if rows[0][1] != f"{TOPIC}.Created":
        raise UnknownHistory
    item: ItemState | None = None
    for version, topic, state in rows:
        if topic in CLASS_VERSIONS or not topic.startswith(f"{TOPIC}."):
            raise UnknownHistory
        name = topic[len(TOPIC) + 1:]
        data = _decode(state)
        if name == "Created":
            item = ItemState(str(UUID(hex_id)), rules.created_state(
                data["product_id"], data["board_id"], data["key"], data["kind"], data["title"], data["status"],
                data["rank"], data["fields"]))
        elif name in rules.CHANGED_EVENTS:
            for field, (_old, new) in data["changes"].items():
                setattr(item, field, new)
        elif name != "Commented":
            raise UnknownHistory
        item.version = version  # type: ignore[union-attr]
    assert item is not None
    return item


def recorded_now() -> datetime:
    """When an event is recorded: eventsourcing's own clock once it is loaded (a process that writes
    both ways stamps its events from one clock, and a test that pins that clock pins this path too),
    else the system's."""
    domain = sys.modules.get("eventsourcing.domain")
    return domain.datetime_now_with_tzinfo() if domain is not None else datetime.now(timezone.utc)


def stored_state(attribution: tuple[str, str, datetime | None], **fields: Any) -> bytes:
    """An event's stored state, as the application's mapper writes ``vars(event)``: the time it
    was recorded, the attribution (``domain.base.PmAggregate.Event``'s fields), then its own."""
    actor, reason, occurred = attribution
    return _encode({"timestamp": recorded_now(), "actor": actor, "reason": reason,
                    "occurred": occurred, "undoes": None, "redoes": None, **fields})


def decide(conn: sqlite3.Connection, item_id: str,
           attempt: Callable[[ItemState], tuple[Any, Sequence[tuple[str, dict[str, Any]]]]],
           attribution: tuple[str, str, datetime | None]) -> Any:
    """Run ``attempt`` on the item as stored (it returns a result and the events to record, by
    name with their fields) and save them at the item's next versions; on a lost race, again.
    FALLBACK if the item's history is not one this module folds."""
    for number in range(MAX_ATTEMPTS):
        try:
            item = load(conn, item_id)
        except UnknownHistory:
            return FALLBACK
        result, events = attempt(item)
        hex_id = UUID(item.id).hex
        rows = [(hex_id, item.version + k, f"{TOPIC}.{name}", stored_state(attribution, **fields))
                for k, (name, fields) in enumerate(events, start=1)]
        try:
            append(conn, rows)
        except sqlite3.IntegrityError:
            backoff(number)
            continue
        return result
    raise ConflictError("someone else kept changing the same thing; nothing was written, try again")


def change(conn: sqlite3.Connection, item_id: str, command: str, args: Sequence[Any], kwargs: dict[str, Any],
           attribution: tuple[str, str, datetime | None]) -> Any:
    """``WorkItem.<command>(*args, **kwargs)`` on the stored item, saved; FALLBACK as ``decide``."""
    if command == "comment":
        return decide(conn, item_id, lambda item: (None, [("Commented", {"text": rules.comment(*args, **kwargs)})]),
                      attribution)
    rule, event = COMMANDS[command]
    return decide(conn, item_id, lambda item: (None, [(event, {"changes": rule(item, *args, **kwargs)})]),
                  attribution)


def move(conn: sqlite3.Connection, item_id: str, status: str, wip_count: int,
         board: Callable[[str], tuple[str, list[dict[str, Any]]]], attribution: tuple[str, str, datetime | None]) -> Any:
    """``PmApplication.move_item``: move a card, refused past a hard WIP limit, with a warning past a
    soft one (``wip_count``: the cards in the target column now). ``board(id)`` reads the board's
    name and columns as they are now (each attempt reads them again)."""
    def attempt(item: ItemState) -> tuple[str | None, list[tuple[str, dict[str, Any]]]]:
        name, columns = board(item.board_id)
        column = board_rules.column_named(name, columns, status)["name"]
        # Epics are not cards: they count towards no column's limit (as in BoardIndex).
        counts = item.kind != "epic" and column != item.status
        warning = board_rules.check_wip(name, columns, column, wip_count + 1) if counts else None
        return warning, [("Moved", {"changes": rules.move(item, column)})]
    return decide(conn, item_id, attempt, attribution)


def add(conn: sqlite3.Connection, product_id: str, key_prefix: str, first_number: int, board_id: str, title: str,
        status: str, rank: str, kind: str, wip_count: int, board: Callable[[str], tuple[str, list[dict[str, Any]]]],
        attribution: tuple[str, str, datetime | None], **values: Any) -> tuple[str, str | None]:
    """``PmApplication.add_item``: create an item under the first free key from ``first_number``
    on; returns the key and a warning past a soft WIP limit (a hard one refuses). Its id derives
    from its key, so of two people taking one key the second's save fails the primary key, and
    the retry probes past the key now taken."""
    number = first_number
    for attempt in range(MAX_ATTEMPTS):
        name, columns = board(board_id)
        column = board_rules.column_named(name, columns, status)["name"]
        # Epics are not cards: they count towards no column's limit (as in BoardIndex).
        warning = None if kind == "epic" else board_rules.check_wip(name, columns, column, wip_count + 1)
        while conn.execute("SELECT 1 FROM stored_events WHERE originator_id = ? LIMIT 1",
                           [rules.item_id(product_id, f"{key_prefix}-{number}").hex]).fetchone():
            number += 1
        key = f"{key_prefix}-{number}"
        checked = rules.created_fields(kind, title, **values)
        actor, reason, occurred = attribution
        # The Created event's fields in the order the application stores them (vars(event)).
        state = _encode({"timestamp": recorded_now(), "originator_topic": TOPIC, "actor": actor,
                         "reason": reason, "occurred": occurred, "undoes": None, "redoes": None,
                         "product_id": str(product_id), "board_id": str(board_id), "key": key,
                         "kind": checked["kind"], "title": checked["title"], "status": column, "rank": rank,
                         "fields": checked["fields"]})
        try:
            append(conn, [(rules.item_id(product_id, key).hex, 1, f"{TOPIC}.Created", state)])
        except sqlite3.IntegrityError:
            backoff(attempt)
            continue
        return key, warning
    raise ConflictError("someone else kept changing the same thing; nothing was written, try again")
