"""The base aggregate: every event carries who made it, why, and (for imported or generated
history) when it occurred in its source.

The recorded time is eventsourcing's own ``timestamp`` (the real clock, when the event object is
created). ``occurred`` is only set for history that happened elsewhere first; readers use
``occurred or timestamp``. Attribution travels in a context variable, the pattern of
eventsourcing's contentmanagement example, so command methods stay about the domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.exceptions import NothingChangedError
from domain.item_rules import diff  # the one diff rule, shared with the quick write path


@dataclass(frozen=True)
class Attribution:
    actor: str = "system"
    reason: str = ""
    occurred: datetime | None = None
    undoes: int | None = None  # the event (number in the log) an undo reverses
    redoes: int | None = None  # the undo event a redo reverses


_attribution: ContextVar[Attribution] = ContextVar("pmtui_attribution", default=Attribution())


@contextmanager
def attributed(actor: str, reason: str = "", occurred: datetime | None = None,
               undoes: int | None = None, redoes: int | None = None) -> Iterator[None]:
    """Events triggered inside this block carry this actor, reason and occurred time, and (for
    compensating events) the number of the event they undo or redo."""
    token = _attribution.set(Attribution(actor, reason or "", occurred, undoes, redoes))
    try:
        yield
    finally:
        _attribution.reset(token)


def _actor() -> str:
    return _attribution.get().actor


def _reason() -> str:
    return _attribution.get().reason


def _occurred() -> datetime | None:
    return _attribution.get().occurred


def _undoes() -> int | None:
    return _attribution.get().undoes


def _redoes() -> int | None:
    return _attribution.get().redoes


def current_attribution() -> Attribution:
    return _attribution.get()


class PmAggregate(Aggregate):
    """An aggregate whose events are attributed and whose field edits are diffs."""

    class Event(Aggregate.Event):
        actor: str = field(default_factory=_actor, init=False)
        reason: str = field(default_factory=_reason, init=False)
        occurred: datetime | None = field(default_factory=_occurred, init=False)
        # Undo and redo are events of their own: these name the event they reverse (not the
        # reason text, which anyone can type). Events stored before these fields lack them.
        undoes: int | None = field(default_factory=_undoes, init=False)
        redoes: int | None = field(default_factory=_redoes, init=False)

    class Changed(Event):
        """Fields changed: ``changes`` maps each field to ``[old, new]``.

        Carrying the old value makes every such event its own diff for the history, and its
        compensating event (for undo) is the same event with old and new swapped.
        """

        changes: dict[str, list[Any]]

        def apply(self, aggregate: Any) -> None:
            for name, (_old, new) in self.changes.items():
                setattr(aggregate, name, new)

    def _diff(self, values: dict[str, Any]) -> dict[str, list[Any]]:
        """``{field: [old, new]}`` for the given values that differ from the current ones."""
        return diff(self, values)

    def revert(self, changes: dict[str, list[Any]], event_class: type[Changed], **fields: Any) -> None:
        """Trigger the compensating event of a past change (undo/redo), if it still applies.

        ``fields`` are the event class's other fields (e.g. which key result), passed through."""
        for name, (_old, new) in changes.items():
            if getattr(self, name) != new:
                raise NothingChangedError(
                    f"cannot undo: {name} has changed since (now {getattr(self, name)!r})"
                )
        self.trigger_event(event_class, changes={k: [n, o] for k, (o, n) in changes.items()}, **fields)
