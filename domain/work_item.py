"""A work item (backlog item): the card on the board, the line in the backlog."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.values import ItemKind, LinkKind, Moscow, labels, non_negative, whole_name

RICE_FIELDS = ("reach", "impact", "confidence", "effort")
WSJF_FIELDS = ("value", "time", "risk", "size")
EDITABLE = (
    "kind", "title", "description", "acceptance", "points", "labels", "assignee", "parent",
    "sprint", "release", "rice", "wsjf", "moscow",
)


def _scores(value: dict[str, Any] | None, names: tuple[str, ...], what: str) -> dict[str, float] | None:
    if value is None:
        return None
    unknown = set(value) - set(names)
    if unknown:
        raise ValidationError(f"{what} has no part {sorted(unknown)[0]!r} (parts: {', '.join(names)})")
    missing = [n for n in names if value.get(n) is None]
    if missing:
        raise ValidationError(f"{what} needs all of {', '.join(names)} (missing {', '.join(missing)})")
    scores = {n: non_negative(value[n], f"{what} {n}") for n in names}
    divisor = "effort" if what == "RICE" else "size"
    if not scores[divisor]:
        raise ValidationError(f"{what} {divisor} must be more than 0")
    return scores  # type: ignore[return-value]


def check_field(name: str, value: Any) -> Any:
    """The validated form of one editable field's value."""
    if name == "kind":
        return ItemKind.parse(value)
    if name == "title":
        return whole_name(value, "title")
    if name in ("description", "acceptance"):
        return str(value or "")
    if name == "points":
        return non_negative(value, "points") if value not in (None, "") else None
    if name == "labels":
        return labels(value or [])
    if name in ("assignee", "parent", "sprint", "release"):
        text = str(value).strip() if value not in (None, "") else None
        return text or None
    if name == "rice":
        return _scores(value, RICE_FIELDS, "RICE")
    if name == "wsjf":
        return _scores(value, WSJF_FIELDS, "WSJF")
    if name == "moscow":
        return Moscow.parse(value) if value not in (None, "") else None
    raise ValidationError(f"a work item has no field {name!r} (fields: {', '.join(EDITABLE)})")


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
        return uuid5(NAMESPACE_URL, f"pmtui:item:{product_id}:{key.upper()}")

    @classmethod
    def create(
        cls, product_id: UUID, board_id: UUID, key: str, title: str, status: str, rank: str,
        kind: str = "story", **values: Any,
    ) -> WorkItem:
        fields = {name: check_field(name, values.get(name)) for name in EDITABLE if name not in ("kind", "title")}
        source = values.get("source")
        if source:
            # Where an imported item came from (``trello:<card id>``, ``jira:<issue id>``, ``jira-key:<key>``):
            # a later import of the same source finds it by these, whatever it is called by then.
            if not isinstance(source, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in source):
                raise ValidationError(f"an item's source ids must be a list of text (got {source!r})")
            fields["source"] = [s.strip() for s in source]
        return cls(
            product_id=str(product_id), board_id=str(board_id), key=key, kind=ItemKind.parse(kind),
            title=whole_name(title, "title"), status=status, rank=rank, fields=fields,
        )

    @event("Created")
    def __init__(self, product_id: str, board_id: str, key: str, kind: str, title: str,
                 status: str, rank: str, fields: dict[str, Any]) -> None:
        self.product_id = product_id
        self.board_id = board_id
        self.key = key
        self.kind = kind
        self.title = title
        self.status = status
        self.rank = rank
        self.archived = False
        self.links: list[list[str]] = []
        self.description = self.acceptance = ""
        self.points = self.assignee = self.parent = self.sprint = self.release = None
        self.rice = self.wsjf = self.moscow = None
        self.labels: list[str] = []
        self.source: list[str] = []
        for name, value in fields.items():
            setattr(self, name, value)

    def _check_not_archived(self) -> None:
        if self.archived:
            raise InvalidTransitionError(f"{self.key} is archived: restore it first")

    def edit(self, **values: Any) -> None:
        self._check_not_archived()
        checked = {name: check_field(name, value) for name, value in values.items()}
        if checked.get("parent") and checked["parent"] == str(self.id):
            raise ValidationError(f"{self.key} cannot be its own parent")
        self.trigger_event(self.Edited, changes=self._diff(checked))

    def move(self, status: str) -> None:
        self._check_not_archived()
        if status == self.status:
            raise NothingChangedError(f"{self.key} is in {status} already")
        self.trigger_event(self.Moved, changes={"status": [self.status, status]})

    def follow_column(self, status: str) -> None:
        """The item's column was renamed: its status takes the new name. Archived items follow too
        (a restore must find their column), so this is no user's move and needs no restore."""
        if status == self.status:
            raise NothingChangedError(f"{self.key} is in {status} already")
        self.trigger_event(self.Moved, changes={"status": [self.status, status]})

    def rerank(self, rank: str) -> None:
        self.trigger_event(self.Ranked, changes=self._diff({"rank": rank}))

    def archive(self) -> None:
        if self.archived:
            raise InvalidTransitionError(f"{self.key} is archived already")
        self.trigger_event(self.Archived, changes={"archived": [False, True]})

    def restore(self) -> None:
        if not self.archived:
            raise InvalidTransitionError(f"{self.key} is not archived")
        self.trigger_event(self.Restored, changes={"archived": [True, False]})

    def link(self, kind: str, target_id: str, target_key: str) -> None:
        pair = [LinkKind.parse(kind), target_id]
        if target_id == str(self.id):
            raise ValidationError(f"{self.key} cannot link to itself")
        if pair in self.links:
            raise ValidationError(f"{self.key} already {pair[0]} {target_key}")
        self.trigger_event(self.Linked, changes={"links": [self.links, [*self.links, pair]]})

    def unlink(self, target_id: str, target_key: str) -> None:
        kept = [pair for pair in self.links if pair[1] != target_id]
        if len(kept) == len(self.links):
            raise ValidationError(f"{self.key} has no link to {target_key}")
        self.trigger_event(self.Linked, changes={"links": [self.links, kept]})

    @event("Commented")
    def _comment(self, text: str) -> None:
        pass

    def comment(self, text: str) -> None:
        body = str(text).strip()
        if not body:
            raise ValidationError("a comment must not be empty")
        self._comment(text=body)
