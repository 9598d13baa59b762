"""The palette's words index is kept between searches and moved with the workspace (a write,
another session's change, a time-travel step either way) by reading again only the items the
events in between touched: after any such move its answers equal a search over a fresh fold."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pmtui.service import search
from pmtui.service.search import Found, find
from pmtui.service.workbench import Workbench
from pmtui.store.readmodel import Point
from projections.state import Workspace, fold

WORDS = ["checkout", "coupon", "paypal", "refund", "search", "cart", "slow", "mobile", "invoice", "login"]
PEOPLE = ["ann", "bob", "cy", "dana"]


def naive(records: list, upto: int, query: str) -> list[Found]:
    """The answer over an in-memory fold, leaving the index the search keeps as it was."""
    kept = search._state
    try:
        return find(fold([r for r in records if r.seq <= upto]), query)
    finally:
        search._state = kept


def queries(rng: random.Random, keys: list[str]) -> list[str]:
    picked = rng.sample(WORDS, 3) + [rng.choice(keys).lower(), rng.choice(keys)[:4], "ac-1", "@" + rng.choice(PEOPLE)]
    word = rng.choice(WORDS)
    picked += [word[:n] for n in range(1, len(word) + 1)]  # typed key by key: each narrows the last
    picked += [f"{rng.choice(WORDS)} {rng.choice(WORDS)}", "item", "nothing-like-this"]
    return picked


def random_change(wb: Workbench, rng: random.Random, keys: list[str]) -> None:
    choice = rng.random()
    if choice < 0.35 or not keys:
        keys.append(wb.add_item(" ".join(rng.sample(WORDS, 2)), description=rng.choice(WORDS),
                                assignee=rng.choice(PEOPLE)))
    elif choice < 0.6:
        wb.edit_item(rng.choice(keys), title=f"{rng.choice(WORDS)} item {rng.randrange(10**6)}")
    elif choice < 0.8:
        wb.comment(rng.choice(keys), f"customers say {rng.choice(WORDS)}")
    elif choice < 0.9:
        key = rng.choice(keys)
        wb.edit_item(key, assignee=rng.choice([p for p in PEOPLE if p != wb.item(key).assignee]))
    else:
        wb.archive_item(keys.pop(rng.randrange(len(keys))))  # (archived: no more edits, still found)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_moved_index_answers_as_a_fresh_fold(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    try:
        wb.init_product("Shop", "AC")
        keys: list[str] = []
        for _ in range(30):
            random_change(wb, rng, keys)
        search._state = None
        find(wb.now, "warm")  # built once, now: every later answer comes from moving it
        built = search._state
        assert built is not None
        for round_ in range(8):
            for _ in range(rng.randrange(1, 6)):
                random_change(wb, rng, keys)
            wb.refresh()
            records = list(wb.records())
            # Now, then back in time and forth again: each point moved to from the one before.
            points = [None, rng.randrange(1, len(records)), rng.randrange(1, len(records)), None]
            for pos in points:
                ws = wb.now if pos is None else wb.read.workspace(Point(pos=pos))
                upto = len(records) if pos is None else pos
                for query in queries(rng, keys):
                    assert find(ws, query) == naive(records, upto, query), (seed, round_, pos, query)
                assert search._state.items is built.items  # moved, never built again
    finally:
        wb.close()


def test_an_in_memory_workspace_is_searched_as_it_is(tmp_path: Path) -> None:
    """A fold held in memory (no store under it) is indexed afresh: nothing to move it by."""
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    try:
        wb.init_product("Shop", "AC")
        key = wb.add_item("Coupon field")
        records = list(wb.records())
        ws: Workspace = fold(records)
        assert [f.ref for f in find(ws, "coupon")] == [key]
        wb.edit_item(key, title="Voucher field")
        assert [f.ref for f in find(fold(list(wb.records())), "voucher")] == [key]
        assert find(fold(list(wb.records())), "coupon") == []
    finally:
        wb.close()
