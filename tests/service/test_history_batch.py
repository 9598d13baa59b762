"""The history batch (imports): commands decided in memory, written in order on commit, on a
SQLite file reopened afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

from pmtui.service.workbench import Workbench

T0 = datetime(2021, 3, 1, tzinfo=timezone.utc)
COLUMNS = [{"name": "Ideas", "category": "todo"}, {"name": "Doing", "category": "doing"},
           {"name": "Done", "category": "done"}]


def test_a_batch_writes_nothing_until_commit_then_everything_in_decision_order(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    wb = Workbench(db=db, actor="importer")
    batch = wb.history_batch("imported from Trello")
    with batch.acting("ann", T0):
        board_id = batch.create_product("Acme", "AC", "Team", "kanban", COLUMNS)
    with batch.acting("ann", T0 + timedelta(minutes=1)):
        first = batch.add_item(board_id, "First", "task", "Ideas", source=["trello:c1"])
    with batch.acting("bob", T0 + timedelta(minutes=2)):
        second = batch.add_item(board_id, "Second", "task", "Ideas")
        item = batch.item(first)
        assert batch.change(item, item.archive)
    with batch.acting("cy", T0 + timedelta(minutes=3)):
        # Renaming a column carries its items along, archived ones too (a restore must find it).
        moved = batch.rename_column(board_id, "Ideas", "Backlog")
    assert set(moved) == {first, second}
    assert wb.now.position == 0  # decided, not written
    written = batch.commit()
    assert written == wb.now.position == 8
    names = [(r.name, r.actor) for r in wb.records()]
    assert names == [("Product.Created", "ann"), ("Board.Created", "ann"), ("WorkItem.Created", "ann"),
                     ("WorkItem.Created", "bob"), ("WorkItem.Archived", "bob"), ("Board.Edited", "cy"),
                     ("WorkItem.Moved", "cy"), ("WorkItem.Moved", "cy")]
    assert all(r.reason == "imported from Trello" for r in wb.records())
    wb.close()

    reopened = Workbench(db=db, actor="someone")
    assert [c["name"] for c in reopened.board("Team").columns] == ["Backlog", "Doing", "Done"]
    one = reopened.now.items[str(first)]
    assert (one.status, one.archived, one.source) == ("Backlog", True, ["trello:c1"])
    reopened.restore_item(one.key)  # its column still exists under the new name
    assert reopened.item(one.key).status == "Backlog" and not reopened.item(one.key).archived
    assert isinstance(board_id, UUID)
    reopened.close()
