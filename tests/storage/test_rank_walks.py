"""Ranking walks the board's order from the item outwards, a page of the rank index at a time,
and the palette's index can be read in slices: both the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import pmtui.store.readmodel as readmodel
from pmtui.service import search
from pmtui.service.workbench import Workbench


def ordered_keys(wb: Workbench) -> list[str]:
    items = [i for i in wb.now.items.values() if not i.archived]
    return [i.key for i in sorted(items, key=lambda i: (i.rank, i.number))]


def test_a_step_up_or_down_passes_the_nearest_peer_across_pages_of_the_walk(store: str) -> None:
    wb = Workbench(db=store, actor="tester")
    try:
        wb.init_product("Walks", "WK")
        for n in range(130):
            wb.add_item(f"Item {n}")
        keys = ordered_keys(wb)
        peers = set(keys[::60])  # peers 60 cards apart: a walk reads more than one page (50) to meet one
        moving = keys[121]
        peers.add(moving)
        wb.rank_item(moving, "up", scope=lambda i: i.key in peers)  # passes keys[120]
        after = ordered_keys(wb)
        assert after.index(moving) < after.index(keys[120]) and after.index(moving) > after.index(keys[60])
        wb.rank_item(moving, "up", scope=lambda i: i.key in peers)  # passes keys[60], 60 cards up
        after = ordered_keys(wb)
        assert after.index(keys[0]) < after.index(moving) < after.index(keys[60])
        wb.rank_item(moving, "down", scope=lambda i: i.key in peers)
        after = ordered_keys(wb)
        assert after.index(keys[60]) < after.index(moving) < after.index(keys[120])
    finally:
        wb.close()


def test_the_words_index_read_in_slices_finds_what_the_whole_read_finds(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wb = Workbench(db=store, actor="tester")
    try:
        wb.init_product("Words", "WD")
        for n in range(30):
            key = wb.add_item(f"Checkout step {n}" if n % 3 else f"Refund flow {n}")
            if n % 4 == 0:
                wb.comment(key, f"slow paypal {n}")
        search._state = None
        whole = [search.find(wb.now, query) for query in ("checkout", "paypal", "refund 9", "wd-1")]
        monkeypatch.setattr(readmodel, "SLICE_ROWS", 4)
        slices: list[int] = []
        search._state = None
        search.prepare(wb.now, lambda: slices.append(1))
        assert slices
        assert [search.find(wb.now, query) for query in ("checkout", "paypal", "refund 9", "wd-1")] == whole
    finally:
        search._state = None
        wb.close()
