"""Roadmap item: decisions (horizon, timeframe, status) are separate events from plain edits."""

from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.base import attributed
from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.roadmap import RoadmapItem
from tests.domain.conftest import fresh, names, refused, take

PRODUCT = uuid4()


@pytest.fixture(autouse=True)
def with_a_reason() -> Iterator[None]:
    """Decisions need a reason: these tests make them as ann, saying why."""
    with attributed("ann", "board review"):
        yield


def test_a_decision_without_a_reason_is_refused(idea: RoadmapItem) -> None:
    with attributed("ann", "  "), refused(idea, ValidationError, "needs a reason"):
        idea.edit(horizon="now")
    idea.edit(title="plain edits need none")  # not a decision


def test_a_dropped_item_cannot_sit_in_now(idea: RoadmapItem) -> None:
    with refused(idea, InvalidTransitionError, "cannot sit in Now"):
        idea.edit(status="dropped", horizon="now")
    with pytest.raises(ValidationError, match="cannot sit in Now"):
        RoadmapItem.propose(PRODUCT, "X", "now", status="dropped")


@pytest.mark.parametrize("status", ["dropped", "done"])
def test_moving_a_closed_item_asks_to_reopen_it(idea: RoadmapItem, status: str) -> None:
    idea.edit(status=status)
    with refused(idea, InvalidTransitionError, f"is {status}: reopen it"):
        idea.edit(horizon="later")
    idea.edit(horizon="later", status="planned")  # reopened and moved in one decision
    assert (idea.horizon, idea.status) == ("later", "planned")


@pytest.fixture
def idea() -> RoadmapItem:
    return fresh(lambda: RoadmapItem.propose(PRODUCT, "One-click pay", "next", "desc", "2027-q1"))


def test_propose(idea: RoadmapItem) -> None:
    assert (idea.title, idea.horizon, idea.timeframe, idea.status) == ("One-click pay", "next", "2027-Q1", "proposed")
    assert names(take(RoadmapItem.propose(PRODUCT, "X"))) == ["RoadmapItem.Proposed"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"title": ""}, "title must not be empty"),
    ({"title": "X", "horizon": "soon"}, "horizon must be one of: now, next, later"),
    ({"title": "X", "timeframe_": "Q5"}, "timeframe must be a quarter"),
    ({"title": "X", "timeframe_": "2027-02-01..2027-01-01"}, "timeframe must be a quarter"),
    ({"title": "X", "status": "maybe"}, "roadmap status must be one of"),
])
def test_propose_refusals(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RoadmapItem.propose(PRODUCT, **kwargs)


def test_a_decision_is_a_decided_event(idea: RoadmapItem) -> None:
    idea.edit(horizon="now", status="planned")
    (decided,) = take(idea)
    assert type(decided) is RoadmapItem.Decided
    assert decided.changes == {"horizon": ["next", "now"], "status": ["proposed", "planned"]}


def test_a_plain_edit_is_an_edited_event(idea: RoadmapItem) -> None:
    idea.edit(title="One-tap pay", description="")
    (edited,) = take(idea)
    assert type(edited) is RoadmapItem.Edited
    assert set(edited.changes) == {"title", "description"}


def test_mixed_edit_makes_one_event_of_each(idea: RoadmapItem) -> None:
    idea.edit(title="One-tap pay", timeframe="2027-01-01..2027-03-31", horizon="next")  # horizon unchanged
    edited, decided = take(idea)
    assert (type(edited), type(decided)) == (RoadmapItem.Edited, RoadmapItem.Decided)
    assert edited.changes == {"title": ["One-click pay", "One-tap pay"]}
    assert decided.changes == {"timeframe": ["2027-Q1", "2027-01-01..2027-03-31"]}


@pytest.mark.parametrize(("values", "error"), [
    ({"status": "finished"}, ValidationError),
    ({"owner": "ann"}, ValidationError),
    ({"title": "One-click pay"}, NothingChangedError),
    ({"horizon": "next", "status": "proposed"}, NothingChangedError),
    ({"title": "New", "horizon": "sideways"}, ValidationError),  # all checked before anything happens
])
def test_edit_refusals(idea: RoadmapItem, values: dict, error: type) -> None:
    with refused(idea, error):
        idea.edit(**values)


def test_links(idea: RoadmapItem) -> None:
    idea.link("epics", "e2")
    idea.link("epics", "e1")
    idea.link("objectives", "o1")
    idea.link("epics", "e2", add=False)
    events = take(idea)
    assert names(events) == ["RoadmapItem.Edited"] * 4
    assert events[1].changes == {"epics": [["e2"], ["e1", "e2"]]}
    assert (idea.epics, idea.objectives) == (["e1"], ["o1"])
    with refused(idea, ValidationError, "that link is already there"):
        idea.link("epics", "e1")
    with refused(idea, ValidationError, "there is no such link"):
        idea.link("objectives", "o9", add=False)


def test_unchanged_fields_sent_along_with_a_decision_are_ignored(idea: RoadmapItem) -> None:
    """An edit form sends every field; only the ones that differ make events."""
    idea.edit(title="One-click pay", description="desc", horizon="now")
    (decided,) = take(idea)
    assert type(decided) is RoadmapItem.Decided and decided.changes == {"horizon": ["next", "now"]}
    idea.edit(title="Tap to pay", horizon="now")
    (edited,) = take(idea)
    assert type(edited) is RoadmapItem.Edited and edited.changes == {"title": ["One-click pay", "Tap to pay"]}
