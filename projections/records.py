"""The projections' view of a stored event: a flat record, decoded straight from the stored bytes.

Projections never rebuild aggregates or domain event objects to read (that costs ~3x more): they
decode the stored JSON into a dict, apply the event class's upcast chain, and keep the fields they
need. Times are epoch seconds (UTC) so they sort and compare cheaply.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import msgspec
from eventsourcing.utils import resolve_topic

_decode = msgspec.json.Decoder().decode


class EventRecord(msgspec.Struct, frozen=True, gc=False):
    seq: int  # the event's number in the log (notification id)
    name: str  # "WorkItem.Moved"
    aggregate_id: str
    version: int
    recorded: float  # when pmtui recorded it: the real clock, never backdated
    occurred: float  # when it happened in its source (== recorded unless imported or generated)
    actor: str
    reason: str
    data: dict[str, Any]

    @property
    def aggregate(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def backdated(self) -> bool:
        return abs(self.recorded - self.occurred) > 1.0


@lru_cache(maxsize=None)
def event_name(topic: str) -> str:
    return topic.rsplit(":", 1)[-1]


@lru_cache(maxsize=None)
def _event_class(topic: str) -> type:
    return resolve_topic(topic)


def upcast(topic: str, state: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored event's state up to its class's current version (``upcast_vN_vN+1``)."""
    cls = _event_class(topic)
    target = getattr(cls, "class_version", 1)
    version = state.pop("class_version", 1)
    while version < target:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


_UPCASTS: dict[str, bool] = {}


def _needs_upcast(topic: str) -> bool:
    needed = _UPCASTS.get(topic)
    if needed is None:
        needed = _UPCASTS[topic] = getattr(_event_class(topic), "class_version", 1) > 1
    return needed


def parse_time(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def decode_record(seq: int, aggregate_id: str, version: int, topic: str, state: bytes) -> EventRecord:
    data: dict[str, Any] = _decode(state)
    if _needs_upcast(topic):
        upcast(topic, data)
    recorded = datetime.fromisoformat(data.pop("timestamp")).timestamp()
    occurred = data.pop("occurred", None)
    data.pop("originator_topic", None)
    return EventRecord(
        seq=seq,
        name=event_name(topic),
        aggregate_id=str(aggregate_id),
        version=version,
        recorded=recorded,
        occurred=recorded if occurred is None else datetime.fromisoformat(occurred).timestamp(),
        actor=data.pop("actor", "system"),
        reason=data.pop("reason", ""),
        data=data,
    )
