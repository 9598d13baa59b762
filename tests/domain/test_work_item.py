"""Work item: every field, moves, ranks, archive/restore, links, comments."""

from uuid import uuid4

import pytest

from domain.board import Board
from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.product import Product
from domain.work_item import EDITABLE, WorkItem, check_field
from tests.domain.conftest import names, refused, take


def test_create_sets_every_field(product: Product, board: Board) -> None:
    item = WorkItem.create(
        product.id, board.id, "PM-7", "  Pay   by card ", "To do", "m", kind="Bug",
        description="d", acceptance="a", points="3", labels="checkout, Payments checkout", assignee=" ann ",
        rice={"reach": 100, "impact": 2, "confidence": 0.5, "effort": 4},
        wsjf={"value": 8, "time": 5, "risk": 3, "size": 2}, moscow="MUST",
    )
    (created,) = take(item)
    assert names([created]) == ["WorkItem.Created"]
    # A title is kept as written (ends trimmed, runs of spaces kept): imported names read as in their source.
    assert (item.key, item.kind, item.title, item.status, item.rank) == ("PM-7", "bug", "Pay   by card", "To do", "m")
    assert item.points == 3 and isinstance(item.points, int)
    assert item.labels == ["checkout", "payments"]
    assert item.assignee == "ann" and item.moscow == "must" and item.archived is False
    assert item.rice == {"reach": 100, "impact": 2, "confidence": 0.5, "effort": 4}
    assert set(created.fields) == set(EDITABLE) - {"kind", "title"}
    assert item.id == WorkItem.create_id(product.id, "pm-7")


def test_create_defaults(item: WorkItem) -> None:
    assert item.kind == "story" and item.description == "" and item.points is None and item.labels == []
    assert item.links == [] and item.parent is None and item.sprint is None


@pytest.mark.parametrize(("values", "message"), [
    ({"kind": "saga"}, "item kind must be one of: epic, story, bug, task, spike"),
    ({"title": " "}, "title must not be empty"),
    ({"title": "x" * 16385}, "title is too long"),  # Trello's own limit: imported names stay whole
    ({"points": -1}, "points must be a number of 0 or more"),
    ({"points": "many"}, "points must be a number"),
    ({"points": float("nan")}, "points must be a number of 0 or more"),
    ({"labels": ["two words"]}, "label 'two words' must be one word"),
    ({"rice": {"reach": 1, "impact": 1, "confidence": 1}}, "RICE needs all of reach, impact, confidence, effort"),
    ({"rice": {"reach": 1, "impact": 1, "confidence": 1, "effort": 0}}, "RICE effort must be more than 0"),
    ({"wsjf": {"value": 1, "time": 1, "risk": 1, "size": 1, "fun": 1}}, "WSJF has no part 'fun'"),
    ({"moscow": "maybe"}, "moscow must be one of: must, should, could, wont"),
    ({"colour": "red"}, "a work item has no field 'colour'"),
])
def test_bad_edits_are_refused_and_change_nothing(item: WorkItem, values: dict, message: str) -> None:
    with refused(item, ValidationError, message):
        item.edit(**values)


def test_create_refuses_bad_values(product: Product, board: Board) -> None:
    with pytest.raises(ValidationError, match="title must not be empty"):
        WorkItem.create(product.id, board.id, "PM-1", "", "Backlog", "i")
    with pytest.raises(ValidationError, match="points must be"):
        WorkItem.create(product.id, board.id, "PM-1", "T", "Backlog", "i", points=-2)


def test_edit_records_a_diff_of_only_what_changed(item: WorkItem) -> None:
    item.edit(title="Checkout flow", points=5, labels=["ux"], assignee="bob")
    (edited,) = take(item)
    assert type(edited) is WorkItem.Edited
    assert edited.changes == {"points": [None, 5], "labels": [[], ["ux"]], "assignee": [None, "bob"]}
    item.edit(points="", assignee="", moscow="")  # blanks clear; moscow already None
    (cleared,) = take(item)
    assert cleared.changes == {"points": [5, None], "assignee": ["bob", None]}


def test_edit_refuses_own_parent(item: WorkItem) -> None:
    with refused(item, ValidationError, "cannot be its own parent"):
        item.edit(parent=str(item.id))


def test_move_and_rank(item: WorkItem) -> None:
    item.move("In progress")
    item.rerank("h")
    moved, ranked = take(item)
    assert type(moved) is WorkItem.Moved and moved.changes == {"status": ["Backlog", "In progress"]}
    assert type(ranked) is WorkItem.Ranked and ranked.changes == {"rank": ["i", "h"]}
    with refused(item, NothingChangedError):
        item.move("In progress")
    with refused(item, NothingChangedError):
        item.rerank("h")


def test_archive_and_restore(item: WorkItem) -> None:
    item.archive()
    assert names(take(item)) == ["WorkItem.Archived"] and item.archived
    with refused(item, InvalidTransitionError, "PM-1 is archived already"):
        item.archive()
    with refused(item, InvalidTransitionError, "PM-1 is archived: restore it first"):
        item.edit(title="New")
    with refused(item, InvalidTransitionError, "restore it first"):
        item.move("Done")
    item.restore()
    (restored,) = take(item)
    assert type(restored) is WorkItem.Restored and restored.changes == {"archived": [True, False]}
    with refused(item, InvalidTransitionError, "PM-1 is not archived"):
        item.restore()


def test_link_and_unlink(item: WorkItem) -> None:
    other = str(uuid4())
    item.link("Blocks", other, "PM-2")
    (linked,) = take(item)
    assert linked.changes == {"links": [[], [["blocks", other]]]}
    item.link("relates", other, "PM-2")  # another kind to the same item is a different link
    take(item)
    with refused(item, ValidationError, "PM-1 already blocks PM-2"):
        item.link("blocks", other, "PM-2")
    with refused(item, ValidationError, "cannot link to itself"):
        item.link("blocks", str(item.id), "PM-1")
    with refused(item, ValidationError, "link kind must be one of: blocks, relates"):
        item.link("duplicates", other, "PM-2")
    item.unlink(other, "PM-2")
    (unlinked,) = take(item)
    assert unlinked.changes["links"][1] == [] and item.links == []
    with refused(item, ValidationError, "PM-1 has no link to PM-2"):
        item.unlink(other, "PM-2")


def test_comment(item: WorkItem) -> None:
    item.comment("  looks good  ")
    (commented,) = take(item)
    assert names([commented]) == ["WorkItem.Commented"] and commented.text == "looks good"
    with refused(item, ValidationError, "a comment must not be empty"):
        item.comment("   ")


def test_archived_items_can_still_be_ranked_and_commented(item: WorkItem) -> None:
    item.archive()
    item.rerank("z")
    item.comment("why archived")
    assert names(take(item)) == ["WorkItem.Archived", "WorkItem.Ranked", "WorkItem.Commented"]


def test_check_field_scores() -> None:
    assert check_field("wsjf", {"value": "8", "time": 5, "risk": 3.5, "size": 2}) == {"value": 8, "time": 5, "risk": 3.5, "size": 2}
    assert check_field("rice", None) is None
    assert check_field("sprint", "  ") is None
