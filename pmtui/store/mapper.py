"""How events are stored: ``vars(event)`` as msgspec JSON (see ``pmtui.store.storage``). Kept apart from
the storage module so that opening a store to read its tables does not import eventsourcing."""

from __future__ import annotations

from typing import Any

import msgspec
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from projections.records import upcast

_encoder = msgspec.json.Encoder()


class MsgspecMapper(Mapper):  # type: ignore[type-arg]
    """Stores ``vars(event)`` as msgspec JSON; decodes with ``msgspec.convert`` after upcasting."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=_encoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = upcast(stored_event.topic, msgspec.json.decode(stored_event.state))
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return msgspec.convert(state, type=resolve_topic(stored_event.topic), strict=False)
