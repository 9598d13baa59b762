"""``pmtui verify`` compares the read model's tables with a fresh fold of the log: equal views
that merely encode differently (a row read back from the store and changed again holds 3.0 where
the fold keeps the event's 3) are not a difference; a changed view is."""

from __future__ import annotations

from pathlib import Path

from pmtui.store import readmodel
from pmtui.service.workbench import Workbench


def test_a_row_changed_after_reading_it_back_still_verifies(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "v.db"), actor="ann")
    wb.init_product("Shop", "PM")
    key = wb.add_item("Pay", points=3)  # the event holds the integer 3
    wb.edit_item(key, title="Pay with PayPal")  # its row is read back (3.0) and written again
    wb.move_item(key, "In progress")
    assert readmodel.first_difference(wb.log) is None
    wb.read.query("SELECT 1")  # the store stays readable while verify holds its own snapshot
    with wb.app.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute("UPDATE rm_current SET body = (SELECT body FROM rm_history LIMIT 1) WHERE key = ?", [key])
    assert "view row items" in (readmodel.first_difference(wb.log) or "")
    wb.close()
