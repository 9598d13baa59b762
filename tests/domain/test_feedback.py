"""FeedbackNote: recording what a customer said, triage by linking (with importance), tagging and
archiving; a refused command records nothing and changes nothing."""

from __future__ import annotations

import pytest

from domain.base import attributed
from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.feedback import FeedbackNote, Importance
from tests.domain.conftest import fresh, names, refused, take


@pytest.fixture
def note() -> FeedbackNote:
    with attributed("sam"):
        return fresh(lambda: FeedbackNote.record("p1", 7, " I can't find the coupon field ", "Ana  Lima",
                                                 "Globex", "Support", "2026-10-01", "checkout, Mobile"))


def test_recording_normalises_and_records_one_event() -> None:
    with attributed("sam", "from the support queue"):
        note = FeedbackNote.record("p1", 3, "Need PayPal", customer=" Bo ", company="", source="sales",
                                   said_at="2026-09-30", tags=["payments"])
    (recorded,) = take(note)
    assert names([recorded]) == ["FeedbackNote.Recorded"]
    assert (recorded.actor, recorded.reason) == ("sam", "from the support queue")
    assert (note.ref, note.text, note.customer, note.source, note.said_at, note.tags) == \
        ("FB-3", "Need PayPal", "Bo", "sales", "2026-09-30", ["payments"])
    assert note.links == [] and not note.archived
    assert note.id == FeedbackNote.create_id("p1", 3)  # the number decides the id: no two FB-3


@pytest.mark.parametrize(("values", "message"), [
    ({"text": "  "}, "needs the text"),
    ({"source": "twitter"}, "feedback source must be one of: support, sales, interview, survey, other"),
    ({"said_at": "yesterday"}, "must be a date"),
    ({"tags": "two words!"}, "must be one word"),
    ({"customer": "x" * 121}, "customer is too long"),
])
def test_bad_values_are_refused(values: dict[str, str], message: str) -> None:
    fields = {"text": "ok", **values}
    with pytest.raises(ValidationError, match=message):
        FeedbackNote.record("p1", 1, **fields)


def test_importance_reads_the_ways_people_type_it() -> None:
    assert [Importance.parse(v) for v in ("nice-to-have", "Nice_To_Have", "nice", "CRITICAL")] == \
        ["nice to have", "nice to have", "nice to have", "critical"]
    with pytest.raises(ValidationError, match="importance must be one of: nice to have, important, critical"):
        Importance.parse("urgent")


def test_link_then_relink_changes_importance_then_unlink(note: FeedbackNote) -> None:
    note.link("item-1", "item", "important")
    note.link("rm-1", "roadmap", "nice-to-have")
    assert note.links == [["item-1", "item", "important"], ["rm-1", "roadmap", "nice to have"]]
    note.link("item-1", "item", "critical")  # the same target again: a new importance
    assert note.links == [["rm-1", "roadmap", "nice to have"], ["item-1", "item", "critical"]]
    linked = take(note)
    assert names(linked) == ["FeedbackNote.Linked"] * 3
    assert linked[-1].changes["links"][0] == [["item-1", "item", "important"], ["rm-1", "roadmap", "nice to have"]]
    note.unlink("item-1", "AC-1")
    assert note.links == [["rm-1", "roadmap", "nice to have"]]


def test_refused_links_change_nothing(note: FeedbackNote) -> None:
    note.link("item-1", "item", "critical")
    with refused(note, NothingChangedError, "linked to that already"):
        note.link("item-1", "item", "critical")
    with refused(note, ValidationError, "is not linked to AC-9"):
        note.unlink("item-9", "AC-9")
    with refused(note, ValidationError, "importance must be one of"):
        note.link("item-2", "item", "meh")
    with refused(note, ValidationError, "links to a work item or a roadmap item"):
        note.link("s-1", "sprint", "critical")


def test_tag_archive_restore(note: FeedbackNote) -> None:
    note.tag("checkout mobile urgent")
    assert note.tags == ["checkout", "mobile", "urgent"]
    assert names(take(note)) == ["FeedbackNote.Tagged"]
    with refused(note, NothingChangedError):
        note.tag(["checkout", "mobile", "urgent"])
    note.archive()
    assert note.archived
    assert names(take(note)) == ["FeedbackNote.Archived"]
    with refused(note, InvalidTransitionError, "archived already"):
        note.archive()
    note.restore()
    assert names(take(note)) == ["FeedbackNote.Restored"] and not note.archived
    with refused(note, InvalidTransitionError, "is not archived"):
        note.restore()
