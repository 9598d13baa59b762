"""A feedback note (insight): what a customer said, who said it (person, company), where it came
from, when it was said, its tags and its text. Notes arrive in an inbox; triage links a note to a
work item, epic or roadmap item with how important that is to the customer, tags it, or archives it.

``said_at`` is when the customer said it (a date, often before pmtui heard of it); the event's own
times say when pmtui learned of it. Time travel reads the latter: "what did we know on that day".
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.ids import note_id
from domain.values import Choice, iso_date, labels, non_empty

TEXT_LIMIT = 20_000


class FeedbackSource(Choice):
    SUPPORT = "support"
    SALES = "sales"
    INTERVIEW = "interview"
    SURVEY = "survey"
    OTHER = "other"


class Importance(Choice):
    """How much the linked work matters to the customer who said it (weights: 1, 2, 3)."""

    NICE_TO_HAVE = "nice to have"
    IMPORTANT = "important"
    CRITICAL = "critical"

    @classmethod
    def parse(cls, value: str) -> str:
        # ``nice-to-have`` and ``nice_to_have`` are how people type it on a command line.
        text = str(value).strip().lower().replace("-", " ").replace("_", " ")
        return super().parse("nice to have" if text == "nice" else text)


IMPORTANCE_WEIGHT = {"nice to have": 1, "important": 2, "critical": 3}
TARGET_KINDS = ("item", "roadmap")


def note_text(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError("a feedback note needs the text of what the customer said")
    if len(text) > TEXT_LIMIT:
        raise ValidationError(f"a feedback note is too long ({len(text)} characters, at most {TEXT_LIMIT})")
    return text


def person(value: Any, what: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > 120:
        raise ValidationError(f"{what} is too long ({len(text)} characters, at most 120)")
    return text


class FeedbackNote(PmAggregate):
    class Linked(PmAggregate.Changed):
        """The note's links changed: ``links`` is a list of ``[target id, kind, importance]``."""

    class Tagged(PmAggregate.Changed):
        pass

    class Archived(PmAggregate.Changed):
        pass

    class Restored(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(product_id: UUID | str, number: int) -> UUID:
        return note_id(product_id, number)

    @classmethod
    def record(cls, product_id: UUID | str, number: int, text: str, customer: str = "", company: str = "",
               source: str = "other", said_at: str | None = None, tags: list[str] | str = ()) -> FeedbackNote:
        if number < 1:
            raise ValidationError(f"a note number is 1 or more (got {number})")
        return cls(product_id=str(product_id), number=number, text=note_text(text),
                   customer=person(customer, "customer"), company=person(company, "company"),
                   source=FeedbackSource.parse(source or "other"), said_at=iso_date(said_at, "the date it was said"),
                   tags=labels(tags or []))

    @event("Recorded")
    def __init__(self, product_id: str, number: int, text: str, customer: str, company: str, source: str,
                 said_at: str | None, tags: list[str]) -> None:
        self.product_id = product_id
        self.number = number
        self.text = text
        self.customer = customer
        self.company = company
        self.source = source
        self.said_at = said_at
        self.tags = tags
        self.links: list[list[str]] = []
        self.archived = False

    @property
    def ref(self) -> str:
        return f"FB-{self.number}"

    def link(self, target_id: str, kind: str, importance: str) -> None:
        """Link to a work item or roadmap item; linking again changes the importance."""
        if kind not in TARGET_KINDS:
            raise ValidationError(f"a note links to a work item or a roadmap item (got {kind!r})")
        level = Importance.parse(importance)
        updated = [pair for pair in self.links if pair[0] != target_id] + [[target_id, kind, level]]
        if [target_id, kind, level] in self.links:
            raise NothingChangedError(f"{self.ref} is linked to that already, as {level}")
        self.trigger_event(self.Linked, changes={"links": [self.links, updated]})

    def unlink(self, target_id: str, target_ref: str) -> None:
        kept = [pair for pair in self.links if pair[0] != target_id]
        if len(kept) == len(self.links):
            raise ValidationError(f"{self.ref} is not linked to {target_ref}")
        self.trigger_event(self.Linked, changes={"links": [self.links, kept]})

    def tag(self, tags: list[str] | str) -> None:
        self.trigger_event(self.Tagged, changes=self._diff({"tags": labels(tags or [])}))

    def archive(self) -> None:
        if self.archived:
            raise InvalidTransitionError(f"{self.ref} is archived already")
        self.trigger_event(self.Archived, changes={"archived": [False, True]})

    def restore(self) -> None:
        if not self.archived:
            raise InvalidTransitionError(f"{self.ref} is not archived")
        self.trigger_event(self.Restored, changes={"archived": [True, False]})
