"""A workspace moved on by ``advanced`` (how a live session follows others' changes) answers as a
workspace read afresh at the new position: its event count, and items looked up by key before."""

from __future__ import annotations

from pathlib import Path

from pmtui.service.workbench import Workbench
from pmtui.store.readmodel import Point


def test_an_advanced_workspace_counts_and_finds_as_a_fresh_one(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    wb.init_product("Advance", "AD")
    first = wb.add_item("First", status="To do")
    kept = wb.add_item("Kept", status="To do")
    other = Workbench(db=str(tmp_path / "s.db"), actor="bob")
    try:
        before = wb.now
        assert len(before.items) == 2  # loaded: the advanced workspace keeps them
        assert before.count == wb.position
        assert before.item_by_key(first).status == before.item_by_key(kept).status == "To do"
        assert before.item_by_key("AD-99") is None
        other.move_item(first, "In progress")
        third = other.add_item("Third")  # would be AD-3: a key not found before is looked up again
        wb.refresh()
        after = wb.now
        assert after is not before
        fresh = wb.read.workspace(Point(pos=wb.position))
        assert after.count == fresh.count > before.count
        assert after.item_by_key(first).status == "In progress"  # touched: read again
        assert after.item_by_key(kept) is before.item_by_key(kept)  # untouched: the same row
        assert after.item_by_key(third).title == "Third"
    finally:
        other.close()
        wb.close()
