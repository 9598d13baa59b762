"""A KPI: a named metric with unit, direction, target and thresholds, and its measurements.

A measurement's time is the event's occurred time (when it was measured), which may be earlier
than when it was recorded."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import number
from domain.values import Direction, non_empty


def threshold(value: Any, what: str) -> float | None:
    return None if value in (None, "") else number(value, what)


class Kpi(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class Measured(PmAggregate.Event):
        """v2 added ``source`` (how the value was obtained); v1 events were all typed in by hand."""

        class_version = 2
        value: float
        source: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["source"] = "manual"

        def apply(self, aggregate: Any) -> None:
            aggregate.last_value = self.value

    class MeasurementWithdrawn(PmAggregate.Event):
        """A measurement taken back (the undo of ``Measured``): its value and when it was measured."""

        value: float
        measured: float  # epoch seconds: the withdrawn measurement's occurred time

        def apply(self, aggregate: Any) -> None:
            pass

    @staticmethod
    def create_id(product_id: UUID | str, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:kpi:{product_id}:{name.strip().lower()}")

    @classmethod
    def define(cls, product_id: UUID, name: str, unit: str = "", direction: str = "higher",
               target: Any = None, warn: Any = None, alarm: Any = None, description: str = "") -> Kpi:
        values = {
            "name": non_empty(name, "KPI name", 60), "unit": str(unit).strip(),
            "direction": Direction.parse(direction), "target": threshold(target, "target"),
            "warn": threshold(warn, "warning threshold"), "alarm": threshold(alarm, "alarm threshold"),
            "description": str(description).strip(),
        }
        cls._check_thresholds(values)
        return cls(product_id=str(product_id), **values)

    @staticmethod
    def _check_thresholds(values: dict[str, Any]) -> None:
        warn, alarm = values.get("warn"), values.get("alarm")
        if warn is None or alarm is None:
            return
        if values["direction"] == "higher" and alarm > warn:
            raise ValidationError("for a higher-is-better KPI the alarm threshold must be at or below the warning one")
        if values["direction"] == "lower" and alarm < warn:
            raise ValidationError("for a lower-is-better KPI the alarm threshold must be at or above the warning one")

    @event("Defined")
    def __init__(self, product_id: str, name: str, unit: str, direction: str, target: float | None,
                 warn: float | None, alarm: float | None, description: str) -> None:
        self.product_id = product_id
        self.name = name
        self.unit = unit
        self.direction = direction
        self.target = target
        self.warn = warn
        self.alarm = alarm
        self.description = description
        self.last_value: float | None = None

    def edit(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "name":
                checked[name] = non_empty(value, "KPI name", 60)
            elif name in ("unit", "description"):
                checked[name] = str(value).strip()
            elif name == "direction":
                checked[name] = Direction.parse(value)
            elif name in ("target", "warn", "alarm"):
                checked[name] = threshold(value, name)
            else:
                raise ValidationError(f"a KPI has no field {name!r} (fields: name, unit, direction, target, warn, alarm, description)")
        merged = {k: getattr(self, k) for k in ("direction", "warn", "alarm")} | checked
        self._check_thresholds(merged)
        self.trigger_event(self.Edited, changes=self._diff(checked))

    def measure(self, value: Any, source: str = "manual") -> None:
        self.trigger_event(self.Measured, value=number(value, "value"), source=source)

    def withdraw(self, value: float, measured: float) -> None:
        """Take back the measurement of ``value`` made at ``measured`` (epoch seconds)."""
        self.trigger_event(self.MeasurementWithdrawn, value=number(value, "value"), measured=float(measured))
