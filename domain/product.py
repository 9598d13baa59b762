"""The product (workspace): name, vision, lifecycle stage and the key prefix of its work items
(``PM-1``, ``PM-2``…). A work item's id derives from its key, so two people creating items at
once can never both take the same key: one save conflicts and re-decides."""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import Stage, non_empty


class Product(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class StageChanged(PmAggregate.Changed):
        """The lifecycle stage changed (development, growth, maturity, decline): a decision."""

    class KeyAllocated(PmAggregate.Changed):
        """Kept for logs written before item keys were derived from item ids: never triggered now."""

    @staticmethod
    def create_id(key_prefix: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:product:{key_prefix}")

    @classmethod
    def create(cls, name: str, key_prefix: str, vision: str = "", stage: str = "development") -> Product:
        prefix = key_prefix.strip().upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", prefix):
            raise ValidationError(
                f"key prefix must be 1-10 letters or digits starting with a letter (got {key_prefix!r})"
            )
        return cls(
            name=non_empty(name, "product name"),
            key_prefix=prefix,
            vision=vision.strip(),
            stage=Stage.parse(stage),
        )

    @event("Created")
    def __init__(self, name: str, key_prefix: str, vision: str, stage: str) -> None:
        self.name = name
        self.key_prefix = key_prefix
        self.vision = vision
        self.stage = stage
        self.last_number = 0

    def edit(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "name":
                checked[name] = non_empty(value, "product name")
            elif name == "vision":
                checked[name] = str(value).strip()
            elif name == "stage":
                checked[name] = Stage.parse(value)
            else:
                raise ValidationError(f"a product has no field {name!r} to edit")
        changes = self._diff(checked)
        # A stage change is a decision: an event of its own, so the decision log holds only decisions.
        stage = changes.pop("stage", None)
        if changes:
            self.trigger_event(self.Edited, changes=changes)
        if stage is not None:
            self.trigger_event(self.StageChanged, changes={"stage": stage})

    def change_stage(self, stage: str) -> None:
        """Move to another lifecycle stage: a decision, kept with its reason in the decision log."""
        self.trigger_event(self.StageChanged, changes=self._diff({"stage": Stage.parse(stage)}))
