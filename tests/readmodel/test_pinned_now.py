"""A workspace pins "now" at the latest event it saw; what another session writes afterwards is
not in it. Reading such a point skips the history only while the tables are folded no further
than the point (readmodel.Point.versions): a write since brings the superseded versions back."""

from __future__ import annotations

from pathlib import Path

from pmtui.service.workbench import Workbench
from pmtui.store.board_pages import paged_board


def test_a_pinned_now_keeps_its_versions_after_another_session_writes(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    wb = Workbench(db=db, actor="ann")
    try:
        wb.init_product("Pinned", "PN")
        keys = [wb.add_item(f"Card {n}") for n in range(5)]
        ws = wb.now
        board = wb.board(ws=ws)
        before = [(c.name, c.count, [(card.key, card.title) for card in c.cards])
                  for c in paged_board(ws, board).columns]
        other = Workbench(db=db, actor="bo")  # its own connection: folds its writes into the tables
        try:
            other.edit_item(keys[0], title="Renamed elsewhere")
            other.move_item(keys[1], "In progress")
        finally:
            other.close()
        assert ws.item_by_key(keys[0]).title == "Card 0"
        after = [(c.name, c.count, [(card.key, card.title) for card in c.cards])
                 for c in paged_board(ws, board).columns]
        assert after == before
        wb.refresh()
        fresh = wb.now
        assert fresh.item_by_key(keys[0]).title == "Renamed elsewhere"
        moved = {c.name: [card.key for card in c.cards] for c in paged_board(fresh, wb.board(ws=fresh)).columns}
        assert keys[1] in moved["In progress"]
    finally:
        wb.close()
