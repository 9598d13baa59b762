"""The palette's search and the people picker read items narrowly from the store's rows: the
same answers as over a naive fold, now and in the past."""

from __future__ import annotations

from pathlib import Path

from pmtui.store.readmodel import Point
from pmtui.service.search import find, people
from pmtui.service.workbench import Workbench
from projections.state import fold


def test_search_and_people_from_the_tables_equal_a_fold(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    try:
        wb.init_product("Shop", "AC")
        a = wb.add_item("Checkout button", assignee="dana")
        b = wb.add_item("Coupon field", description="checkout coupon codes")
        wb.comment(b, "customers ask at checkout")
        middle = wb.log.max_seq()
        wb.edit_item(a, title="Pay button", assignee="erin")
        wb.archive_item(b)
        wb.add_item("Check stock", assignee="dana")
        records = list(wb.records())
        for point, upto in ((Point(), len(records)), (Point(pos=middle), middle)):
            stored, naive = wb.read.workspace(point), fold([r for r in records if r.seq <= upto])
            for query in ("check", "chec", "button", "ac-2", "coupon codes", "pay", "nothing"):
                assert find(stored, query) == find(naive, query), (upto, query)
            assert people(stored) == people(naive)
        assert [f.ref for f in find(wb.read.workspace(Point(pos=middle)), "checkout")] == [a, b]
        assert people(wb.read.workspace()) == ["dana", "erin"]
    finally:
        wb.close()
