"""A roadmap item (initiative / theme). Every change to it is a decision: the event carries the
old and new values and the reason, which the decision log shows."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import Horizon, RoadmapStatus, non_empty, timeframe

DECISION_FIELDS = ("horizon", "timeframe", "status")


def check_field(name: str, value: Any) -> Any:
    if name == "title":
        return non_empty(value, "title")
    if name == "description":
        return str(value or "")
    if name == "horizon":
        return Horizon.parse(value)
    if name == "timeframe":
        return timeframe(value)
    if name == "status":
        return RoadmapStatus.parse(value)
    if name in ("epics", "objectives"):
        return sorted({str(v) for v in value})
    raise ValidationError(
        f"a roadmap item has no field {name!r} (fields: title, description, horizon, timeframe, status)"
    )


class RoadmapItem(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class Decided(PmAggregate.Changed):
        """Horizon, timeframe or status changed: a roadmap decision."""

    @classmethod
    def propose(cls, product_id: UUID, title: str, horizon: str = "later", description: str = "",
                timeframe_: str | None = None, status: str = "proposed", number: int = 0) -> RoadmapItem:
        return cls(product_id=str(product_id), title=check_field("title", title),
                   description=check_field("description", description),
                   horizon=check_field("horizon", horizon), timeframe=check_field("timeframe", timeframe_),
                   status=check_field("status", status), number=int(number))

    @event("Proposed")
    def __init__(self, product_id: str, title: str, description: str, horizon: str,
                 timeframe: str | None, status: str, number: int = 0) -> None:
        self.product_id = product_id
        self.number = number  # RM-n, fixed when proposed (0: stored before numbers were)
        self.title = title
        self.description = description
        self.horizon = horizon
        self.timeframe = timeframe
        self.status = status
        self.epics: list[str] = []
        self.objectives: list[str] = []

    def edit(self, **values: Any) -> None:
        checked = {name: check_field(name, value) for name, value in values.items()}
        # Refused only if nothing at all changes: an edit form sends unchanged fields along.
        changes = self._diff(checked)
        # Decisions and plain edits are separate events, so the decision log holds only decisions.
        changes_other = {k: v for k, v in changes.items() if k not in DECISION_FIELDS}
        changes_decided = {k: v for k, v in changes.items() if k in DECISION_FIELDS}
        if changes_other:
            self.trigger_event(self.Edited, changes=changes_other)
        if changes_decided:
            self.trigger_event(self.Decided, changes=changes_decided)

    def link(self, field_name: str, target: str, add: bool = True) -> None:
        current = list(getattr(self, field_name))
        updated = sorted(set(current) | {target}) if add else [t for t in current if t != target]
        if updated == current:
            raise ValidationError("that link is already there" if add else "there is no such link")
        self.trigger_event(self.Edited, changes={field_name: [current, updated]})
