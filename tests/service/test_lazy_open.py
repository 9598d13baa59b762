"""The Workbench opens the store's eventsourcing application only when a command needs it: reading
the read model's tables (now or as of a point) goes through connections of its own, so a query
never pays for the application; a new store, or one missing a table or an index, is opened (and
its tables made) at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from pmtui.store.storage import locate, tables_ready


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    wb = Workbench(db=str(path), actor="ann")
    assert wb.log.opened  # a new file: the application made its tables
    wb.init_product("Acme", "AC")
    wb.add_item("First story")
    wb.add_item("Second story")
    wb.close()
    return path


def test_queries_and_item_writes_leave_the_application_closed_and_other_writes_open_it(store: Path) -> None:
    wb = Workbench(db=str(store), actor="ann")
    try:
        assert not wb.log.opened
        assert [i.key for i in wb.now.items.values() if i.kind == "story"] == ["AC-1", "AC-2"]
        assert wb.view("#2").item_by_key("AC-1") is None  # as of an earlier event, from the tables
        assert wb.integrity_warning is None  # the chain's end was checked without the recorder
        assert [r.name for r in wb.records_of(wb.item("AC-1").id)] == ["WorkItem.Created"]
        assert not wb.log.opened
        wb.edit_item("AC-1", title="First story, edited")
        assert not wb.log.opened  # an item's edit is a quick write (pmtui/service/item_writes.py)
        assert wb.item("AC-1").title == "First story, edited"
        wb.edit_product(vision="Ship it")
        assert wb.log.opened  # the product's is the application's
    finally:
        wb.close()
    wb = Workbench(db=str(store), actor="ann")  # the edit is in the store, and the tables follow it
    try:
        assert wb.item("AC-1").title == "First story, edited"
    finally:
        wb.close()


def test_a_store_missing_an_index_is_opened_and_repaired(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        conn.execute("DROP INDEX rm_current_key")
    location = locate(str(store))
    assert not tables_ready(location)
    wb = Workbench(db=str(store), actor="ann")
    try:
        assert wb.log.opened
    finally:
        wb.close()
    assert tables_ready(location)


def test_a_file_that_is_not_a_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just words\n" * 100)
    assert not tables_ready(locate(str(path)))
    with pytest.raises(Exception, match="cannot open the store"):
        Workbench(db=str(path), actor="ann")
