"""Snapshots of the board and sprint views, the item detail, help and time travel, on the fixed
demo log and clock, at 80x24 and 160x48. Update on purpose with ``--snapshot-update``."""

from __future__ import annotations

import pytest

from pmtui.timespec import AsOf
from tests.tui.helpers import put_cursor_on

SIZES = [(80, 24), (160, 48)]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()  # toasts are tested elsewhere; here they would hide the view
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_board_view(snap_compare, make_app, size):
    assert snap_compare(make_app("board"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sprint_view(snap_compare, make_app, size):
    assert snap_compare(make_app("sprint"), terminal_size=size, run_before=settle)


def test_board_with_swimlanes(snap_compare, make_app):
    async def lanes(pilot):
        await pilot.press("s")
        await settle(pilot)
    assert snap_compare(make_app("board"), terminal_size=(160, 48), run_before=lanes)


def test_item_detail(snap_compare, make_app):
    async def open_item(pilot):
        put_cursor_on(pilot.app.screen, "AC-32")
        await pilot.press("e")
        await settle(pilot)
    assert snap_compare(make_app("board"), terminal_size=(80, 24), run_before=open_item)


def test_help(snap_compare, make_app):
    async def show_help(pilot):
        await pilot.press("question_mark")
        await settle(pilot)
    assert snap_compare(make_app("board"), terminal_size=(80, 24), run_before=show_help)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sprint_replay(snap_compare, make_app, size):
    async def replay(pilot):
        await pilot.press("less_than_sign", "r")
        await pilot.press(*["right_curly_bracket"] * 3)
        pilot.app.clear_notifications()
        await settle(pilot)
    assert snap_compare(make_app("sprint"), terminal_size=size, run_before=replay)


def test_board_in_the_past(snap_compare, make_app):
    async def travel(pilot):
        pilot.app.travel_to(AsOf(event=400, text="#400"))
        await settle(pilot)
    assert snap_compare(make_app("board"), terminal_size=(80, 24), run_before=travel)
