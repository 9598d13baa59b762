"""``pmtui log`` as of points, on SQLite and PostgreSQL: its order and filters are queries of the
read model's log (``aggregate_id IN``, the time index) and its events are read by number
(``records_by_seq``), in each store's own dialect; the answer equals the records themselves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pmtui.service.workbench import Workbench
from projections.versions import effective_order
from tests.readmodel.test_log_as_of import naive, pmtui_log


def test_the_log_as_of_points_equals_the_records_on_either_store(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    try:
        wb.init_product("Shop", "PM")
        for n in range(4):
            wb.add_item(f"Item {n}")
        wb.move_item("PM-1", "To do")
        with wb.recorded_as("bob", datetime.now(timezone.utc) - timedelta(hours=5)):
            wb.edit_item("PM-2", title="Backdated")
            wb.comment("PM-1", "seen earlier")
        wb.rank_item("PM-3", "top")
        records = list(wb.records())
        item = wb.item("PM-1", wb.now).id
    finally:
        wb.close()
    last = records[-1].seq
    for seq in (0, 3, last - 2, last):
        assert pmtui_log(store, "--as-of", f"#{seq}", "log") == naive(records, seq, None), seq
    times = sorted({t for t, _ in effective_order(records)})
    when = datetime.fromtimestamp(times[len(times) // 2] + 1).strftime("%Y-%m-%d %H:%M:%S")
    at = datetime.fromisoformat(when).timestamp()
    upto = max(r.seq for t, r in effective_order(records) if t <= at)
    assert pmtui_log(store, "--as-of", when, "log", "--limit", "3") == naive(records, upto, at, 3)
    only = [e for e in naive(records, last, None) if e["event"] in {r.seq for r in records if r.aggregate_id == item}]
    assert pmtui_log(store, "log", "--item", "PM-1") == only and only
