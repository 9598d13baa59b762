"""The incremental board equals the board built from scratch, whatever order states come in."""

from __future__ import annotations

import random

from pmtui.timespec import AsOf
from pmtui.tui.board_cache import BoardCache
from projections.board_view import board_view


def columns(snapshot):
    return [(c.name, [card.key for card in c.cards]) for c in snapshot.columns]


def test_incremental_board_matches_a_fresh_build_at_every_point(wb):
    cache = BoardCache()
    last = wb.position
    rng = random.Random(3)
    points = list(range(1, last + 1, 7)) + [rng.randint(0, last) for _ in range(40)] + list(range(last, 0, -11))
    for seq in points:
        ws = wb.view(AsOf(event=seq))
        fresh = board_view(ws)
        cached = cache.snapshot(ws)
        if fresh is None:
            assert cached is None
            continue
        assert columns(cached) == columns(fresh), seq
        assert cached.epic_titles == fresh.epic_titles


def test_a_restricted_board_follows_its_scope(wb):
    cache = BoardCache()
    sprint = wb.sprint("Sprint 4")
    in_sprint = cache.snapshot(wb.now, lambda i: i.sprint == sprint.id, ("sprint", sprint.id))
    keys = {card.key for c in in_sprint.columns for card in c.cards}
    assert keys == {i.key for i in wb.now.items.values() if i.sprint == sprint.id and i.kind != "epic"}
    everything = cache.snapshot(wb.now)
    assert columns(everything) == columns(board_view(wb.now))
    wb.move_item(next(k for k in sorted(keys) if wb.now.item_by_key(k).status != "Done"), "Done")
    assert columns(cache.snapshot(wb.now)) == columns(board_view(wb.now))


def test_the_change_hint_gives_the_same_board(wb, make_app):
    app = make_app()
    hinted, full = BoardCache(), BoardCache()
    last = wb.position
    rng = random.Random(5)
    seq = last
    for _ in range(120):  # a walk: mostly single steps, some jumps (the hint gives up on those)
        seq = max(0, min(last, seq + rng.choice([-1, -1, 1, -3, 2, -700, 40])))
        ws = wb.view(AsOf(event=seq))
        a = hinted.snapshot(ws, changes=app.changes_between)
        b = full.snapshot(ws)
        if b is None:
            assert a is None
            continue
        assert columns(a) == columns(b), seq
