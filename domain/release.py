"""A release or milestone: a name, a target date, the items in it (items point at it)."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import iso_date, non_empty


class Release(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(product_id: UUID | str, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:release:{product_id}:{name.strip().lower()}")

    @classmethod
    def create(cls, product_id: UUID, name: str, target: str | None = None, description: str = "",
               milestone: bool = False) -> Release:
        return cls(product_id=str(product_id), name=non_empty(name, "release name", 60),
                   target=iso_date(target, "target date"), description=str(description).strip(),
                   milestone=bool(milestone))

    @event("Created")
    def __init__(self, product_id: str, name: str, target: str | None, description: str, milestone: bool) -> None:
        self.product_id = product_id
        self.name = name
        self.target = target
        self.description = description
        self.milestone = milestone
        self.shipped = False

    def edit(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "name":
                checked[name] = non_empty(value, "release name", 60)
            elif name == "target":
                checked[name] = iso_date(value, "target date")
            elif name == "description":
                checked[name] = str(value).strip()
            elif name == "shipped":
                checked[name] = bool(value)
            else:
                raise ValidationError(f"a release has no field {name!r} (fields: name, target, description, shipped)")
        self.trigger_event(self.Edited, changes=self._diff(checked))
