"""A work item (backlog item): the card on the board, the line in the backlog."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import item_rules as rules
from domain.base import PmAggregate
# The rules live in domain.item_rules (plain functions, no event classes): re-exported for callers.
from domain.item_rules import EDITABLE, RICE_FIELDS, WSJF_FIELDS, check_field, parse_scores

__all__ = ["EDITABLE", "RICE_FIELDS", "WSJF_FIELDS", "WorkItem", "check_field", "parse_scores"]


class WorkItem(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class Moved(PmAggregate.Changed):
        """Status (board column) changed."""

    class Ranked(PmAggregate.Changed):
        pass

    class Archived(PmAggregate.Changed):
        pass

    class Restored(PmAggregate.Changed):
        pass

    class Linked(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(product_id: UUID | str, key: str) -> UUID:
        return rules.item_id(product_id, key)

    @classmethod
    def create(
        cls, product_id: UUID, board_id: UUID, key: str, title: str, status: str, rank: str,
        kind: str = "story", **values: Any,
    ) -> WorkItem:
        checked = rules.created_fields(kind, title, **values)
        return cls(
            product_id=str(product_id), board_id=str(board_id), key=key, kind=checked["kind"],
            title=checked["title"], status=status, rank=rank, fields=checked["fields"],
        )

    @event("Created")
    def __init__(self, product_id: str, board_id: str, key: str, kind: str, title: str,
                 status: str, rank: str, fields: dict[str, Any]) -> None:
        for name, value in rules.created_state(product_id, board_id, key, kind, title, status, rank,
                                               fields).items():
            setattr(self, name, value)

    def edit(self, **values: Any) -> None:
        self.trigger_event(self.Edited, changes=rules.edit(self, values))

    def move(self, status: str) -> None:
        self.trigger_event(self.Moved, changes=rules.move(self, status))

    def follow_column(self, status: str) -> None:
        """The item's column was renamed: its status takes the new name. Archived items follow too
        (a restore must find their column), so this is no user's move and needs no restore."""
        self.trigger_event(self.Moved, changes=rules.follow_column(self, status))

    def rerank(self, rank: str) -> None:
        self.trigger_event(self.Ranked, changes=rules.rerank(self, rank))

    def archive(self) -> None:
        self.trigger_event(self.Archived, changes=rules.archive(self))

    def restore(self) -> None:
        self.trigger_event(self.Restored, changes=rules.restore(self))

    def link(self, kind: str, target_id: str, target_key: str) -> None:
        self.trigger_event(self.Linked, changes=rules.link(self, kind, target_id, target_key))

    def unlink(self, target_id: str, target_key: str) -> None:
        self.trigger_event(self.Linked, changes=rules.unlink(self, target_id, target_key))

    @event("Commented")
    def _comment(self, text: str) -> None:
        pass

    def comment(self, text: str) -> None:
        self._comment(text=rules.comment(text))
