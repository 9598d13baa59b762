"""Time travel: asking "as of when?", the banner, read-only refusals, stepping, and returning."""

from __future__ import annotations

from datetime import timedelta

from pmtui.tui.screens.board import BoardScreen
from tests.tui.conftest import FIXED_NOW
from tests.tui.helpers import messages, put_cursor_on, type_text


async def travel(pilot, spec: str) -> None:
    await pilot.press("t")
    await type_text(pilot, spec)
    await pilot.press("enter")
    await pilot.pause()


def banner(app) -> str:
    return str(app.screen.query_one("#travel-banner").render())


async def test_travel_back_three_days_shows_the_past_read_only(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.query_one("#travel-banner").display
        await travel(pilot, "#400")
        assert app.read_only and app.ws.position == 400
        assert app.screen.query_one("#travel-banner").display
        assert "AS OF" in banner(app) and "#400/" in banner(app) and "read-only" in banner(app)
        assert app.ws is not wb.now


async def test_relative_and_sprint_day_points(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await travel(pilot, "Sprint 3 day 2")
        sprint = app.ws.sprints[wb.sprint("Sprint 3").id]
        assert sprint.state == "active"
        assert app.today().date().isoformat() == "2026-10-30"  # Sprint 3 started 2026-10-29
        assert "(Sprint 3 day 2)" in banner(app)
        await pilot.press("t")  # back to now
        assert not app.read_only


async def test_writes_are_refused_while_travelling(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        position = wb.position
        await travel(pilot, f"#{position - 20}")
        assert app.read_only
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        await pilot.press("L", "J", "d", "n", "u")
        await pilot.pause()
        assert wb.log.max_seq() == position  # nothing written
        # The past offers no write key: the footer does not show them, and pressing one says why.
        refusals = [m for m in messages(app) if m.startswith("Read-only")]
        assert refusals and "press t to return to now" in refusals[-1].lower()
        assert isinstance(app.screen, BoardScreen)  # no form opened for a new card
        shown = {b.action for _, b, enabled, _ in app.active_bindings.values() if b.show and enabled}
        assert not shown & {"move_card(-1)", "new_card", "archive_card", "undo"}


async def test_step_one_event_back_and_forward(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await travel(pilot, "#500")
        await pilot.press("left_square_bracket")
        assert app.ws.position == 499
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.ws.position == 497
        await pilot.press("right_square_bracket")
        assert app.ws.position == 498
        assert "#498/" in banner(app)


async def test_step_a_day(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await travel(pilot, "2026-11-10 12:00")
        at, moment = app.ws.at, app.as_of.moment
        await pilot.press("left_curly_bracket")
        # The point moves by a day; the workspace holds what happened by then, nothing later.
        assert app.as_of.moment == moment - 86400
        assert app.ws.at <= moment - 86400 < at
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        assert app.as_of.moment == moment + 86400
        assert at < app.ws.at <= moment + 86400


async def test_board_changes_as_steps_replay_a_move(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        moved = next(r for r in reversed(list(wb.records(500))) if r.name == "WorkItem.Moved")
        key = wb.now.items[moved.aggregate_id].key
        old, new = moved.data["changes"]["status"]
        await travel(pilot, f"#{moved.seq}")
        assert app.ws.items[moved.aggregate_id].status == new
        await pilot.press("left_square_bracket")
        assert app.ws.items[moved.aggregate_id].status == old
        put_cursor_on(app.screen, key)
        assert app.screen.column_name == old


async def test_a_bad_point_is_explained_and_nothing_changes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await travel(pilot, "yesterday-ish")
        assert not app.read_only
        assert any("cannot read the time" in m for m in messages(app))
        await travel(pilot, "#999999")
        assert not app.read_only and any("there is no event #999999" in m for m in messages(app))


async def test_travelling_carries_across_views(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await travel(pilot, (FIXED_NOW - timedelta(days=14)).strftime("%Y-%m-%d %H:%M"))
        await pilot.press("2")
        await pilot.pause()
        assert app.read_only and app.screen.query_one("#travel-banner").display
        assert "Sprint 3" in str(app.screen.query_one("#sprint-header").render())


def test_stepper_states_equal_the_workbench_views(wb):
    from pmtui.timespec import AsOf
    from pmtui.tui.travel import Stepper
    from tests.tui.test_board_cache import columns
    from projections.board_view import board_view

    stepper = Stepper(wb)
    last = wb.position
    points = [AsOf(event=n) for n in (last - 1, 5, 300, 299, 298, 129, 128, 127, 0, last)]
    points += [AsOf(moment=wb.now.at - days * 86400) for days in (0.5, 3, 14, 40)]
    for point in points:
        mine, theirs = stepper.view(point), wb.view(point)
        assert mine.position == theirs.position and mine.at == theirs.at
        assert mine.items == theirs.items and mine.sprints == theirs.sprints
        if theirs.boards:
            assert columns(board_view(mine)) == columns(board_view(theirs))
