"""The sprint view: plan with items from the ranked backlog, start, close with a carry-over
choice, and replay a closed sprint."""

from __future__ import annotations

from datetime import date

from textual.widgets import SelectionList, Static

from pmtui.tui.screens.sprint import SprintScreen
from tests.tui.helpers import messages, type_text, writes_done


def header(app) -> str:
    return str(app.screen.query_one("#sprint-header", Static).render())


async def test_sprint_view_shows_the_active_sprint(make_app):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, SprintScreen)
        text = header(app)
        assert "Sprint 4" in text and "active" in text and "days left" in text
        assert "committed" in text and "done" in text and "Goal:" in text


async def plan(pilot, app, goal: str, picks: int) -> None:
    await pilot.press("P")
    await type_text(pilot, goal)
    app.screen.query_one("#plan-items", SelectionList).focus()
    for _ in range(picks):
        await pilot.press("space", "down")
    await pilot.press("ctrl+s")
    await writes_done(pilot)


async def test_plan_a_sprint_picking_items_from_the_ranked_backlog(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("P")
        modal = app.screen
        ranked = [item.key for item in modal.items]
        await writes_done(pilot)
        await type_text(pilot, "Loyalty goes live")
        modal.query_one("#plan-items", SelectionList).focus()
        await pilot.press("space", "down", "space")
        assert "Picked 2 items" in str(modal.query_one("#plan-total").render())
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        sprint = wb.sprint("Sprint 5")
        assert sprint.state == "planned" and sprint.goal == "Loyalty goes live"
        assert sorted(i.key for i in wb.now.items.values() if i.sprint == sprint.id) == sorted(ranked[:2])
        assert "Sprint 5" in header(app) and "planned" in header(app)


async def test_start_refused_while_another_sprint_runs(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await plan(pilot, app, "Next", 1)
        await pilot.press("S", "enter")
        await writes_done(pilot)
        assert wb.sprint("Sprint 5").state == "planned"
        assert any("Sprint 4" in m and "still active" in m for m in messages(app))


async def test_close_to_the_backlog_then_start_the_next(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        sprint4 = wb.sprint("Sprint 4")
        unfinished = [i.id for i in wb.now.items.values() if i.sprint == sprint4.id and i.status != "Done"]
        assert unfinished
        await pilot.press("C")
        await pilot.press("b")
        await writes_done(pilot)
        assert wb.sprint("Sprint 4").state == "closed"
        assert all(wb.now.items[i].sprint is None for i in unfinished)
        await plan(pilot, app, "Second try", 2)
        await pilot.press("S", "enter")
        await writes_done(pilot)
        sprint5 = wb.sprint("Sprint 5")
        assert sprint5.state == "active" and len(sprint5.committed) == 2
        assert "active" in header(app) and "committed" in header(app)


async def test_start_asks_for_the_real_window_like_jira(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("C", "b")
        await writes_done(pilot)
        await plan(pilot, app, "Dates", 1)
        await pilot.press("S")
        form = app.screen
        start, end = form.query_one("#field-start").value, form.query_one("#field-end").value
        assert start == "2026-11-20"  # today, by the app's clock
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days == 13  # the planned length kept
        form.query_one("#field-end").value = ""
        form.query_one("#field-end").focus()
        await writes_done(pilot)
        await type_text(pilot, "2026-11-27")  # a one-week sprint
        await pilot.press("enter")
        await writes_done(pilot)
        sprint5 = wb.sprint("Sprint 5")
        assert (sprint5.state, sprint5.start, sprint5.end) == ("active", "2026-11-20", "2026-11-27")


async def test_close_carrying_unfinished_items_to_the_next_sprint(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await plan(pilot, app, "Carry target", 1)
        await pilot.press("less_than_sign")  # back to Sprint 4 (active)
        assert "Sprint 4" in header(app)
        sprint4 = wb.sprint("Sprint 4")
        unfinished = {i.id for i in wb.now.items.values() if i.sprint == sprint4.id and i.status != "Done"}
        await pilot.press("C", "n")
        await writes_done(pilot)
        sprint5 = wb.sprint("Sprint 5")
        assert wb.sprint("Sprint 4").state == "closed"
        assert all(wb.now.items[i].sprint == sprint5.id for i in unfinished)
        assert any("carried to Sprint 5" in m for m in messages(app))


async def test_replay_a_closed_sprint_event_by_event(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("less_than_sign")
        assert "Sprint 3" in header(app) and "closed" in header(app)
        await pilot.press("r")
        await writes_done(pilot)
        assert app.read_only
        started = next(r for r in wb.records_of(wb.sprint("Sprint 3").id) if r.name.endswith("Started"))
        assert app.ws.position == started.seq
        assert "active" in header(app)  # as it was then
        banner = str(app.screen.query_one("#travel-banner").render())
        assert "REPLAY Sprint 3 day 1" in banner
        positions = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            positions.append(app.ws.position)
        assert positions == sorted(positions) and positions[0] > started.seq
        await pilot.press("left_square_bracket")
        assert app.ws.position == positions[1]
        await pilot.press("t")
        assert not app.read_only and "closed" in header(app)


async def test_add_items_to_the_active_sprint(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        sprint4 = wb.sprint("Sprint 4")
        before = {i.id for i in wb.now.items.values() if i.sprint == sprint4.id}
        await pilot.press("a")
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        after = {i.id for i in wb.now.items.values() if i.sprint == sprint4.id}
        assert len(after - before) == 1


async def test_replay_says_when_it_reaches_the_close(make_app, wb):
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        sprint3 = wb.sprint("Sprint 3")
        closed = next(r for r in wb.records_of(sprint3.id) if r.name.endswith("Closed"))
        await pilot.press("less_than_sign", "r")
        from pmtui.timespec import AsOf
        app.travel_to(AsOf(event=closed.seq - 1))
        assert app.ws.sprints[sprint3.id].state == "active"
        await pilot.press("right_square_bracket")
        await writes_done(pilot)
        assert app.ws.sprints[sprint3.id].state == "closed"
        assert any(m.startswith("Replay") and "Sprint 3 closed here" in m for m in messages(app))


async def test_plan_with_pickers_goal_completion_and_an_item_filter(make_app, wb):
    """The goal completes from the roadmap's Now items; the filter narrows the items by epic name;
    a pick hidden by a later filter stays picked."""
    from pmtui.tui.modals.sprint_plan import goal_suggestions, matches

    app = make_app("sprint")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("P")
        await writes_done(pilot)
        modal = app.screen
        goal = goal_suggestions(wb.now)[0]
        await type_text(pilot, goal[:4])
        await pilot.press("right")  # accepts the completion
        assert modal.query_one("#plan-goal").value == goal
        epic = next(wb.now.items[i.parent] for i in modal.items if i.parent)
        in_epic = [i.key for i in modal.items if matches(wb.now, i, epic.title)]
        await pilot.press("tab", "tab", "tab")  # the dates, then the items: the filter is not in the way
        assert modal.focused is modal.query_one("#plan-items")
        await pilot.press("slash")
        await type_text(pilot, epic.title)
        await writes_done(pilot)
        picks = modal.query_one("#plan-items", SelectionList)
        assert [picks.get_option_at_index(n).value for n in range(picks.option_count)] == in_epic
        picks.focus()
        await pilot.press("space")
        await writes_done(pilot)
        await pilot.press("slash", "ctrl+a", "ctrl+k")
        await type_text(pilot, "zzz-no-such-item")
        await writes_done(pilot)
        assert picks.option_count == 0 and "Picked 1 item," in str(modal.query_one("#plan-total").render())
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        sprint = wb.sprint("Sprint 5")
        assert sprint.goal == goal
        assert [i.key for i in wb.now.items.values() if i.sprint == sprint.id] == in_epic[:1]


async def test_days_left_count_from_the_moment_travelled_to(make_app, wb):
    """The time bar says the moment asked for; the days left count from it, not from the time
    of the last event before it (a sprint's header said 12 days left under "AS OF 11-10")."""
    from pmtui.timespec import parse_as_of
    from projections.sprint_view import sprints_of

    app = make_app("sprint")
    async with app.run_test(size=(100, 24)) as pilot:
        sprint = next(s for s in sprints_of(wb.now) if s.state == "closed" and s.start and s.end)
        day = date.fromordinal(date.fromisoformat(sprint.start).toordinal() + 2)
        app.travel_to(parse_as_of(f"{day.isoformat()} 00:30"))  # the last event is the day before
        await pilot.pause()
        left = date.fromisoformat(sprint.end).toordinal() - day.toordinal()
        text = header(app)
        assert sprint.name in text and f"{left} days left" in text, text
