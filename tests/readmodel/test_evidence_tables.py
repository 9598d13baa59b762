"""Customer evidence read from the store's status index equals the evidence of a naive fold, now
and as of every event: linking, unlinking, archiving and restoring notes move them in and out."""

from __future__ import annotations

from pathlib import Path

from pmtui.store.readmodel import Point
from pmtui.service.workbench import Workbench
from projections.feedback_view import evidence, evidence_counts
from projections.state import fold


def test_evidence_from_the_tables_equals_a_fold_at_every_point(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    try:
        wb.init_product("Shop", "AC")
        epic = wb.add_item("Search", kind="epic")
        story = wb.add_item("Filters", parent=epic)
        other = wb.add_item("Login")
        for n, (who, firm) in enumerate([("Ana", "Contoso"), ("Bo", "Contoso"), ("Ana", "Contoso"), ("Cy", "")]):
            wb.add_note(f"note {n}", who, firm)
        wb.add_note("never linked", "Di")
        wb.link_note("FB-1", story, "critical")
        wb.link_note("FB-2", story)
        wb.link_note("FB-3", epic, "nice to have")
        wb.link_note("FB-4", other)
        wb.archive_note("FB-2")
        wb.unlink_note("FB-4", other)
        wb.link_note("FB-4", story)
        wb.restore_note("FB-2")
        wb.archive_note("FB-3")
        records = list(wb.records())
        ids = [wb.item(k).id for k in (epic, story, other)]
        for upto in range(1, len(records) + 1):
            naive = fold(records[:upto])
            stored = wb.read.workspace(Point(pos=records[upto - 1].seq))
            for item_id in ids:
                if item_id in naive.items:
                    assert evidence(stored, item_id) == evidence(naive, item_id), (upto, item_id)
            assert evidence_counts(stored) == evidence_counts(naive), upto
        now = wb.read.workspace()
        assert evidence(now, ids[0]).customer_count == 3  # Ana, Bo, Cy through the story
        assert len(list(now.rows_with_status("notes", "linked"))) == 3
    finally:
        wb.close()
