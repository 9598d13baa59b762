"""Reopening a store: the read model is in its tables, written with the events, so a new process
answers at once; a store whose tables are behind its log (made by an older pmtui, or emptied)
is caught up on open."""

from __future__ import annotations

from domain.work_item import WorkItem
from pmtui.service.workbench import Workbench
from pmtui.service.application import open_application
from pmtui.store.storage import EventLog, locate
from pmtui.timespec import AsOf
from projections.state import fold
from tests.views import views_of


def fill(wb: Workbench, items: int) -> list[str]:
    keys = [wb.add_item(f"Item {n}", points=n % 5) for n in range(items)]
    for key in keys[::3]:
        wb.move_item(key, "In progress")
    wb.plan_sprint("S1")
    wb.add_to_sprint("S1", keys[:2])
    wb.start_sprint("S1")
    wb.add_kpi("NPS", warn=30, alarm=20)
    wb.measure("NPS", 25)
    return keys


def test_a_new_process_reads_what_the_last_one_wrote_without_folding(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    keys = fill(wb, 6)
    wb.close()
    reopened = Workbench(db=store, actor="bob")
    try:
        assert reopened.catch_up() == 0  # nothing to fold: the tables were written with the events
        records = list(reopened.records())
        assert views_of(reopened.now) == views_of(fold(records))
        assert reopened.item(keys[0]).status == "In progress"
        for seq in range(0, records[-1].seq + 1, 3):
            assert views_of(reopened.view(AsOf(event=seq))) == views_of(fold(r for r in records if r.seq <= seq))
    finally:
        reopened.close()


def test_a_store_whose_tables_are_behind_is_caught_up_on_open(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    fill(wb, 9)
    wb.close()
    # As a store made before the tables existed: the log alone.
    location = locate(store)
    app = open_application(location)
    log = EventLog(app, location)
    prefix = f'"{app.recorder.datastore.schema}".' if location.kind == "postgres" else ""
    with app.recorder.datastore.transaction(commit=True) as cursor:
        for table in ("rm_current", "rm_history", "rm_entry", "rm_log", "rm_meta"):
            cursor.execute(f"DELETE FROM {prefix}{table}")
    log.close()
    app.close()
    heard: list[tuple[int, int]] = []
    reopened = Workbench(db=store, actor="ann", progress=lambda done, total: heard.append((done, total)))
    try:
        records = list(reopened.records())
        assert heard and heard[-1] == (len(records), len(records))  # the building is reported to its end
        assert reopened.position == records[-1].seq
        assert views_of(reopened.now) == views_of(fold(records))
        key = reopened.add_item("After the upgrade")  # writes on top of the caught-up tables
        assert reopened.item(key).title == "After the upgrade"
        assert views_of(reopened.now) == views_of(fold(reopened.records()))
    finally:
        reopened.close()


def test_a_write_catches_up_tables_left_behind_by_another_writer(store: str) -> None:
    """A writer that finds the tables behind the log (an older pmtui wrote events) folds the gap
    first, inside its own transaction."""
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    keys = fill(wb, 3)
    item_id = wb.item(keys[0]).id
    location = locate(store)
    prefix = f'"{wb.app.recorder.datastore.schema}".' if location.kind == "postgres" else ""
    with wb.app.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {prefix}rm_current")
        cursor.execute(f"DELETE FROM {prefix}rm_history")
        cursor.execute(f"DELETE FROM {prefix}rm_entry")
        cursor.execute(f"DELETE FROM {prefix}rm_log")
        cursor.execute(f"DELETE FROM {prefix}rm_meta")
    try:
        wb.app.change(WorkItem, item_id, "item", lambda item: item.edit(title="Renamed"))
        wb.refresh()
        assert wb.item(keys[0]).title == "Renamed"
        assert views_of(wb.now) == views_of(fold(wb.records()))
    finally:
        wb.close()


def test_refresh_sees_what_another_workbench_wrote(store: str) -> None:
    first = Workbench(db=store, actor="ann")
    first.init_product("Shop", "PM")
    second = Workbench(db=store, actor="bob")
    try:
        key = second.add_item("From bob")
        assert first.now.item_by_key(key) is None
        assert first.refresh() == 1  # the item's creation: its key takes no event of its own
        assert first.item(key).created_by == "bob"
        assert first.refresh() == 0
    finally:
        second.close()
        first.close()


class _Terminal:
    """stderr as a person's terminal: the one place the once-per-store notice is printed."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_the_indexing_notice_is_given_for_a_store_with_history_but_never_for_a_new_one(
        store: str, monkeypatch) -> None:  # noqa: ANN001
    import sys

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    wb.add_item("First")
    wb.close()
    assert "indexing" not in terminal.text  # a new store has nothing to index: no word about it
    if store.startswith("postgresql"):
        return  # dropping the index below is SQLite's way to make a store of an older release
    import sqlite3

    from pmtui.store.readmodel import LAST_INTERVAL_INDEX

    with sqlite3.connect(store) as conn:
        conn.execute(f"DROP INDEX {LAST_INTERVAL_INDEX}")
    Workbench(db=store, actor="ann").close()
    assert terminal.text.count("indexing the read model's history") == 1
