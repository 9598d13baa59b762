"""projections.records.CLASS_VERSIONS names every event class whose class_version is above 1: decoding
an event consults it (not the class, whose import builds the aggregate's every event class), so a
class that gained a version but is missing there would be decoded without its upcast."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic

from projections.records import CLASS_VERSIONS, decode_record

ROOT = Path(__file__).resolve().parents[2]


def _event_classes() -> list[type]:
    found: list[type] = []
    for info in pkgutil.iter_modules([str(ROOT / "domain")], prefix="domain."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == info.name:
                found.extend(v for v in vars(value).values()
                             if isinstance(v, type) and issubclass(v, CanMutateAggregate))
    return found


def test_the_table_names_every_versioned_event_class() -> None:
    classes = _event_classes()
    assert len(classes) > 20  # the walk found the aggregates' events
    versioned = {get_topic(c): c.class_version for c in classes if getattr(c, "class_version", 1) > 1}
    assert versioned == CLASS_VERSIONS


def test_a_versioned_event_is_upcast_when_decoded() -> None:
    """A v1 measurement (stored before ``source``) decodes with the upcast's value."""
    state = b'{"timestamp":"2026-01-01T00:00:00Z","actor":"ann","reason":"","occurred":null,"value":3.0}'
    record = decode_record(1, "a", 2, "domain.kpi:Kpi.Measured", state)
    assert record.data["source"] == "manual" and record.data["value"] == 3.0
