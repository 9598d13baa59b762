"""The projections' view of a stored event: a flat record, decoded straight from the stored bytes.

Projections never rebuild aggregates or domain event objects to read (that costs ~3x more): they
decode the stored JSON into a dict, apply the event class's upcast chain, and keep the fields they
need. Times are epoch seconds (UTC) so they sort and compare cheaply.
"""

from __future__ import annotations

import sys
from datetime import datetime
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

import msgspec

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
    # Imported here: only decoding events needs it (and their classes); reading views does not.
    from eventsourcing.utils import resolve_topic

    return resolve_topic(topic)


def upcast(topic: str, state: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored event's state up to its class's current version (``upcast_vN_vN+1``)."""
    target = CLASS_VERSIONS.get(topic, 1)
    version = state.pop("class_version", 1)
    while version < target:  # only an old event needs its class (and so its aggregate's module)
        getattr(_event_class(topic), f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


_TOPICS: dict[str, tuple[str, bool]] = {}


# The event classes whose class_version is above 1 (their stored states may need upcasting), by
# topic. Known here so that decoding an event imports no aggregate's module (a write decodes its
# own new events for the read model: resolving their class would build every event class of the
# aggregate and import eventsourcing); tests/projections/test_class_versions.py holds it to the
# domain's classes.
CLASS_VERSIONS: dict[str, int] = {"domain.kpi:Kpi.Measured": 2}


def _topic_info(topic: str) -> tuple[str, bool]:
    """(event name, whether its stored state may need upcasting), once per topic."""
    info = _TOPICS.get(topic)
    if info is None:
        info = _TOPICS[topic] = (event_name(topic), topic in CLASS_VERSIONS)
    return info


def _needs_upcast(topic: str) -> bool:
    return _topic_info(topic)[1]


def parse_time(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


_fromisoformat = datetime.fromisoformat


def decode_rows(rows: Iterable[tuple[int, str, int, str, bytes]],
                aggregate_id: Callable[[str], str] = str) -> Iterator[EventRecord]:
    """Records of stored rows (seq, aggregate id, version, topic, state), in their order.

    The hot path of every rebuild: one pass of this loop per event, so lookups are hoisted into
    locals and the record is built positionally (field order of EventRecord)."""
    decode, topics, topic_info, fromiso, record, intern = _decode, _TOPICS, _topic_info, _fromisoformat, EventRecord, sys.intern
    # Many events share an aggregate and an occurred time (a save's batch): each is turned once.
    ids: dict[str, str] = {}
    moments: dict[str, float] = {}
    for seq, originator, version, topic, state in rows:
        data: dict[str, Any] = decode(state)
        name, needs_upcast = topics.get(topic) or topic_info(topic)
        if needs_upcast:
            upcast(topic, data)
        recorded = fromiso(data.pop("timestamp")).timestamp()
        occurred = data.pop("occurred", None)
        moment = recorded if occurred is None else moments.get(occurred)
        if moment is None:
            if len(moments) > 10_000:  # a save's events share one: a short memory does (~1 MB, not ~15)
                moments.clear()
            moment = moments[occurred] = fromiso(occurred).timestamp()
        if "originator_topic" in data:
            del data["originator_topic"]
        # Ids, columns, names and the like recur in every view that holds them: one string
        # each, not one per event (a fold of a million events keeps ~100 k views).
        for key, value in data.items():
            if value.__class__ is str and len(value) <= 36:
                data[key] = intern(value)
        changes = data.get("changes")
        if changes.__class__ is dict:
            for pair in changes.values():
                if pair.__class__ is list and len(pair) == 2 and pair[1].__class__ is str and len(pair[1]) <= 36:
                    pair[1] = intern(pair[1])
        actor = data.pop("actor", "system")
        if actor.__class__ is str:
            actor = intern(actor)
        aggregate = ids.get(originator)
        if aggregate is None:
            if len(ids) > 50_000:
                ids.clear()
            aggregate = ids[originator] = aggregate_id(originator)
        yield record(
            seq, name, aggregate, version, recorded, moment, actor, data.pop("reason", ""), data,
        )


def decode_record(seq: int, aggregate_id: str, version: int, topic: str, state: bytes) -> EventRecord:
    return next(decode_rows(((seq, aggregate_id, version, topic, state),)))
