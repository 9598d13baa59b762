"""The quick item writes (pmtui/service/item_writes.py) on SQLite: the same rules and the same stored
events as the application's, a racing save refused and decided again, the chain and the read model
written in the event's transaction, and an unknown history left to the application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from domain import item_rules
from domain.exceptions import InvalidTransitionError, NothingChangedError
from domain.work_item import WorkItem
from pmtui.service import item_writes
from pmtui.service.workbench import Workbench
from pmtui.store.verify import check_tail


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    wb = Workbench(db=str(path), actor="ann")
    wb.init_product("Acme", "AC")
    wb.add_item("First story")
    wb.add_item("Second story")
    wb.close()
    return path


def _stored(wb: Workbench, item_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    rows = wb.log.connection().execute(
        "SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ? ORDER BY originator_version",
        [item_id.replace("-", "")]).fetchall()
    return [(v, t, msgspec.json.decode(s)) for v, t, s in rows]


def test_item_commands_write_what_the_application_would_without_opening_it(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    try:
        item = wb.item("AC-1")
        wb.edit_item("AC-1", title="First story, edited", points=3, reason="sized")
        wb.move_item("AC-1", "To do")
        wb.comment("AC-1", "  looks good  ")
        wb.rank_item("AC-1", "bottom")
        wb.link("AC-1", "blocks", "AC-2")
        wb.archive_item("AC-1")
        wb.restore_item("AC-1")
        assert not wb.log.opened  # none of them needed eventsourcing
        stored = _stored(wb, item.id)
        assert [(v, t.rsplit(".", 1)[1]) for v, t, _ in stored] == [
            (1, "Created"), (2, "Edited"), (3, "Moved"), (4, "Commented"), (5, "Ranked"), (6, "Linked"),
            (7, "Archived"), (8, "Restored")]
        edited = stored[1][2]
        assert list(edited) == ["timestamp", "actor", "reason", "occurred", "undoes", "redoes", "changes"]
        assert edited["changes"] == {"title": ["First story", "First story, edited"], "points": [None, 3]}
        assert (edited["actor"], edited["reason"]) == ("ann", "sized")
        assert stored[3][2]["text"] == "looks good"
        # The application reads them back as its own events: the aggregate it folds is the one
        # the quick path folded, and its next command follows on.
        aggregate = wb.app.load(WorkItem, item.id, "item")
        folded = item_writes.load(wb.log.connection(), item.id)
        for name in ("title", "points", "status", "rank", "links", "archived", "key", "kind"):
            assert getattr(aggregate, name) == getattr(folded, name), name
        assert aggregate.version == folded.version == 8
        view = wb.item("AC-1")  # the read model followed, in the same transactions
        assert (view.title, view.points, view.status, view.archived) == ("First story, edited", 3, "To do", False)
        assert check_tail(wb.log) is None  # the chain holds at its end
    finally:
        wb.close()


def test_the_events_fields_are_the_applications_in_its_order(store: Path) -> None:
    """The same command through the application (another item) stores the same fields, in order."""
    wb = Workbench(db=str(store), actor="ann")
    try:
        wb.edit_item("AC-1", points=2)
        wb._change(WorkItem, wb.item("AC-2").id, "item", WorkItem.edit, points=2)
        quick, through_app = _stored(wb, wb.item("AC-1").id)[-1], _stored(wb, wb.item("AC-2").id)[-1]
        assert quick[1] == through_app[1] == "domain.work_item:WorkItem.Edited"
        assert list(quick[2]) == list(through_app[2])
        assert {k: v for k, v in quick[2].items() if k != "timestamp"} == \
            {k: v for k, v in through_app[2].items() if k != "timestamp"}
    finally:
        wb.close()


def test_the_rules_refuse_as_the_aggregate_does_and_nothing_is_written(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    try:
        before = wb.log.max_seq()
        with pytest.raises(NothingChangedError):
            wb.edit_item("AC-1", title="First story")
        wb.archive_item("AC-1")
        with pytest.raises(InvalidTransitionError):
            wb.move_item("AC-1", "To do")
        with pytest.raises(InvalidTransitionError):
            wb.archive_item("AC-1")
        assert wb.log.max_seq() == before + 1  # the archive alone
    finally:
        wb.close()


def test_a_racing_save_is_refused_and_the_command_decided_again(store: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    mine, other = Workbench(db=str(store), actor="ann"), Workbench(db=str(store), actor="bob")
    real_load = item_writes.load
    seen: list[int] = []
    racing = [True]

    def load(conn: Any, item_id: str) -> Any:
        item = real_load(conn, item_id)
        if racing[0]:  # bob saves the item between ann's read of it and her save
            racing[0] = False
            other.edit_item("AC-1", points=5)
            seen.append(-1)
        seen.append(item.version)
        return item

    monkeypatch.setattr(item_writes, "load", load)
    try:
        mine.edit_item("AC-1", title="Mine")
        # bob's own read (version 1), ann's first (1, lost the race), then hers again (2).
        assert seen == [1, -1, 1, 2]
        stored = _stored(mine, mine.item("AC-1").id)
        assert [(v, s["actor"], s["changes"]) for v, _, s in stored[1:]] == [
            (2, "bob", {"points": [None, 5]}), (3, "ann", {"title": ["First story", "Mine"]})]
        assert check_tail(mine.log) is None
        assert (mine.item("AC-1").title, mine.item("AC-1").points) == ("Mine", 5)
    finally:
        mine.close()
        other.close()


def test_a_save_that_keeps_losing_is_a_conflict_with_nothing_written(store: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from pmtui.errors import ConflictError

    wb = Workbench(db=str(store), actor="ann")
    monkeypatch.setattr(item_writes, "append", lambda conn, rows: (_ for _ in ()).throw(sqlite3.IntegrityError("taken")))
    monkeypatch.setattr(item_writes, "backoff", lambda attempt: None)
    try:
        before = wb.log.max_seq()
        with pytest.raises(ConflictError):
            wb.edit_item("AC-1", title="Never")
        assert wb.log.max_seq() == before
    finally:
        wb.close()


def test_a_history_the_quick_path_does_not_fold_goes_to_the_application(store: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    wb = Workbench(db=str(store), actor="ann")
    try:
        wb.edit_item("AC-1", points=1)
        assert not wb.log.opened
        monkeypatch.setattr(item_rules, "CHANGED_EVENTS", ("Moved",))  # as if Edited were unknown to it
        wb.edit_item("AC-1", points=2)
        assert wb.log.opened  # the application folded the item and saved the edit
        assert wb.item("AC-1").points == 2
        assert check_tail(wb.log) is None
    finally:
        wb.close()


def test_a_new_item_is_created_as_the_application_creates_it(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    try:
        key = wb.add_item("Third story", kind="bug", points=2, labels=["ux"], reason="from the call")
        assert key == "AC-3" and not wb.log.opened
        view = wb.item("AC-3")
        assert (view.kind, view.title, view.points, view.labels, view.status) == ("bug", "Third story", 2, ["ux"],
                                                                                   "Backlog")
        wb._change(WorkItem, view.id, "item", WorkItem.edit, points=3)  # the application folds it
        created = _stored(wb, view.id)[0]
        assert created[:2] == (1, "domain.work_item:WorkItem.Created")
        assert list(created[2]) == ["timestamp", "originator_topic", "actor", "reason", "occurred", "undoes",
                                    "redoes", "product_id", "board_id", "key", "kind", "title", "status", "rank",
                                    "fields"]
        assert wb.app.load(WorkItem, view.id, "item").points == 3
        assert check_tail(wb.log) is None
    finally:
        wb.close()


def test_two_people_taking_one_key_get_two_keys(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bob takes AC-3 between ann's probe of the free keys and her save: hers fails the primary
    key and her retry takes AC-4."""
    mine, other = Workbench(db=str(store), actor="ann"), Workbench(db=str(store), actor="bob")
    real_fields = item_rules.created_fields
    racing = [True]

    def created_fields(kind: str, title: str, **values: Any) -> dict[str, Any]:
        if racing[0] and title == "Ann's":
            racing[0] = False
            assert other.add_item("Bob's") == "AC-3"
        return real_fields(kind, title, **values)

    monkeypatch.setattr(item_rules, "created_fields", created_fields)
    try:
        assert mine.add_item("Ann's") == "AC-4"
        assert mine.item("AC-3").title == "Bob's" and mine.item("AC-4").title == "Ann's"
        assert check_tail(mine.log) is None
    finally:
        mine.close()
        other.close()
