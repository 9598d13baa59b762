"""The palette's words index is built before the first key: in a worker when the app starts, and
for the workspace on show (the past while time travelling) when the palette opens; what another
session or the user writes meanwhile is found on the next key."""

from __future__ import annotations

import threading

import pytest
from textual.command import CommandPalette

import pmtui.store.readmodel as readmodel

from pmtui.service import search
from pmtui.service.workbench import Workbench
from pmtui.tui.give_way import GiveWay, Stopped
from pmtui.tui.modals.item import ItemModal
from pmtui.timespec import parse_as_of
from tests.tui.helpers import type_text


async def test_the_index_is_built_after_the_first_frame_without_a_key(make_app) -> None:
    search._state = None
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert search._state is not None and search._state.place == (app.wb.read, app.ws.position)


async def test_opening_the_palette_in_the_past_builds_the_past_index(make_app) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        app.travel_to(parse_as_of("#40"))
        await pilot.pause()
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await app.workers.wait_for_complete()
        assert search._state is not None and search._state.place == (app.wb.read, 40)


async def test_an_item_another_session_adds_is_found_on_the_next_key(make_app, store) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        other = Workbench(db=str(store), actor="bo")  # another session, its own connection
        try:
            key = other.add_item("Quokka onboarding flow")
        finally:
            other.close()
        app.check_for_changes()
        await pilot.press("ctrl+p")
        await type_text(pilot, "quokka")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == key



@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of a few rows, so the demo's store makes many."""
    monkeypatch.setattr(readmodel, "SLICE_ROWS", 7)
    monkeypatch.setattr(search, "SLICE", 5)


QUERIES = ("checkout", "ac-1", "@", "slow pay")


def test_an_index_built_in_slices_gives_way_between_them_and_finds_the_same(wb: Workbench, small_slices) -> None:
    """The TUI builds the index in slices (its worker waits between two while keys come in):
    the slices change nothing in what is found."""
    search._state = None
    whole = [search.find(wb.now, query) for query in QUERIES]
    slices: list[int] = []
    search._state = None
    search.prepare(wb.now, lambda: slices.append(1))
    assert len(slices) > 10
    assert [search.find(wb.now, query) for query in QUERIES] == whole


def test_a_search_waiting_for_the_index_stops_the_build_giving_way(wb: Workbench, small_slices) -> None:
    """A build under way runs to its end, without waiting for keys, once a search waits for it."""
    search._state = None
    calls = 0
    finder: threading.Thread | None = None

    def between() -> None:
        nonlocal calls, finder
        calls += 1
        if finder is None:
            finder = threading.Thread(target=search.find, args=(wb.now, "checkout"))
            finder.start()
            for _ in range(5000):  # until the search waits for the lock the build holds
                if search._searching:
                    break
                finder.join(0.001)

    search.prepare(wb.now, between)
    assert finder is not None
    finder.join()
    assert calls == 1


def test_work_giving_way_ends_at_its_next_slice_when_the_app_stops() -> None:
    way = GiveWay(quiet=3600)
    way.key_came()
    slices: list[int] = []

    def work(between) -> None:  # noqa: ANN001
        slices.append(1)
        way.stop(timeout=0)  # the app closes while this work is under way
        between()  # raises Stopped: the work ends here, nothing waits for keys
        slices.append(2)

    way.run(work)
    assert slices == [1]
    with pytest.raises(Stopped):
        way.between()
    way.run(work)  # once stopped, no work starts
    assert slices == [1]
