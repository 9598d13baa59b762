"""The history's paged order (pmtui/store/log_pages.py: what the TUI's History view draws) equals
``ReadModel.log_order`` read whole, now and as of event numbers and moments, through every
filter, with pages smaller than the answer; a row's place found by counting equals its index."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pmtui.service.workbench import Workbench
from pmtui.store.log_pages import LogPages
from pmtui.timespec import AsOf


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    from pmtui.service.demo import generate

    wb = Workbench(db=str(tmp_path_factory.mktemp("log") / "demo.db"), actor="ann")
    generate(wb, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    yield wb
    wb.close()


def check(wb: Workbench, upto: int, moment: float | None, size: int, rng: random.Random, **wanted: Any) -> None:
    expected = wb.read.log_order(upto, moment, **wanted)
    paged = LogPages(wb.read, upto, moment, size=size, **wanted)
    assert len(paged) == len(expected), (upto, moment, wanted)
    # Read out of order, as a table does (a jump to the end, then back up): offsets and keysets.
    if expected:
        assert paged[-1] == expected[-1] and paged[len(expected) // 2] == expected[len(expected) // 2]
    assert list(paged) == expected, (upto, moment, wanted)
    for start in (rng.randrange(len(expected) + 1) for _ in range(3)):
        assert paged[start: start + 2 * size + 1] == expected[start: start + 2 * size + 1]
    fresh = LogPages(wb.read, upto, moment, size=size, **wanted)  # no page read: places by counting
    for at in {0, len(expected) - 1, *(rng.randrange(len(expected)) for _ in range(5))} if expected else ():
        assert fresh.index(expected[at]) == at and expected[at] in fresh
    absent = next((seq for seq in range(1, wb.position + 1) if seq not in set(expected)), None)
    if absent is not None:
        assert absent not in fresh
        with pytest.raises(ValueError):
            fresh.index(absent)


def test_the_paged_log_equals_the_whole_order_now_and_in_the_past(demo: Workbench) -> None:
    rng = random.Random(5)
    first = demo.read.query("SELECT MIN(t) FROM {l}")[0][0]
    last = demo.read.query("SELECT MAX(t) FROM {l}")[0][0]
    check(demo, demo.position, None, 7, rng)
    for _ in range(6):
        seq = rng.randint(0, demo.position)
        check(demo, seq, None, rng.choice([3, 16, 50]), rng)
        moment = rng.uniform(first - 3600, last + 3600)  # as the view asks: the point's position and moment
        upto = demo.view(AsOf(moment=moment)).position
        check(demo, upto, moment, rng.choice([4, 32]), rng)
    middle = (first + last) / 2
    for wanted in ({"actor": "BOB"}, {"kind": "moved"}, {"since": middle}, {"until": middle},
                   {"actor": "ann", "kind": "Edited", "since": first + 86400}, {"kind": "no such event"}):
        check(demo, demo.position, None, 9, rng, **wanted)
        check(demo, demo.position // 2, middle, 9, rng, **wanted)


def test_a_known_count_is_taken_and_pages_are_read_only_when_painted(demo: Workbench) -> None:
    paged = LogPages(demo.read, demo.position, count=demo.now.count, size=10)
    assert len(paged) == len(demo.read.log_order(demo.position)) and not paged.pages
    assert paged[3:8] == demo.read.log_order(demo.position)[3:8]
    assert list(paged.pages) == [0]
