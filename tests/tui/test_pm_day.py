"""A product manager's day with the keyboard only: find an item by words of its title, comment on
it, record a KPI value, add a key result and check in on it; a viewer is offered no write key;
forms keep every key typed fast and ask before throwing typed text away."""

from __future__ import annotations

import asyncio

from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from pmtui.service.search import find
from pmtui.service.workbench import Workbench
from pmtui.tui.app import PmApp
from pmtui.tui.travel import parse_point
from pmtui.tui.modals.comment import CommentModal
from pmtui.tui.modals.fields_form import FieldsForm
from pmtui.tui.modals.item import ItemModal
from pmtui.tui.modals.prompt import ConfirmModal
from tests.tui.conftest import FIXED_NOW
from tests.tui.helpers import messages, put_cursor_on, type_text, writes_done


def footer_keys(app: PmApp) -> set[str]:
    """The actions the footer offers now."""
    return {binding.action for _, binding, enabled, _ in app.active_bindings.values() if binding.show and enabled}


async def test_the_palette_finds_an_item_by_words_of_its_title_and_enter_opens_it(make_app) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "slow phone profile")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == "AC-37"


async def test_a_word_typed_in_the_palette_finds_the_item_before_actions_with_its_letters_scattered(make_app) -> None:
    # "ledger": its letters are scattered in "History: Users and roles: add a user, change a role",
    # which Textual's fuzzy matcher ranked above the item titled "Points ledger table and migration".
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "ledger")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == "AC-41"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await type_text(pilot, "dashboard")  # an action's own words still find it first
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "dashboard"


async def test_the_palette_offers_actions_of_every_view_from_their_bindings(make_app) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        # From the bindings of views other than the one on show, with their tooltips.
        assert "Dashboard: Record a KPI's value as of now" in titles
        assert "OKRs: Add a key result to the objective at the cursor" in titles
        assert "Sprint: Plan a new sprint: name, goal, dates, items from the backlog" in titles


def test_search_finds_words_in_comments_and_ranks_an_exact_key_first(wb: Workbench) -> None:
    wb.comment("AC-12", "The PayPal sandbox times out on Fridays")
    assert [f.ref for f in find(wb.now, "paypal sandbox")] == ["AC-12"]
    assert find(wb.now, "ac-37")[0].ref == "AC-37"
    kinds = {f.kind for f in find(wb.now, "sprint")}
    assert "sprint" in kinds


async def test_go_to_opens_an_item_by_key_from_any_view(make_app) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "ac-37")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.key == "AC-37"


async def test_comment_on_a_card_shows_in_its_thread_apart_from_its_history(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommentModal)
        await type_text(pilot, "Seen on **Android** too")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        last = wb.now.comments[-1]
        assert (wb.now.items[last.item_id].key, last.actor, last.text) == ("AC-36", "tester", "Seen on **Android** too")
        await pilot.press("e")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ItemModal)
        thread = modal.query_one("#item-comments")
        assert "tester" in str(thread.children[-2].render())
        # The text is on screen, not clipped away by a thread box one line high.
        body = thread.children[-1]
        modal.query_one("#item-form").scroll_to_widget(body, animate=False)
        await pilot.pause()
        assert body.region.height >= 1 and thread.region.contains_region(body.region)
        history = str(modal.query_one("#item-history").render())
        assert "Seen on" not in history and "Commented" not in history


async def test_record_a_kpi_value_from_the_dashboard_with_completion(make_app, wb: Workbench) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        await type_text(pilot, "conv")
        await pilot.pause()
        await pilot.press("right")  # accepts the completion: Conversion rate
        await pilot.press("tab")
        await type_text(pilot, "3.3")
        await pilot.press("enter")
        await writes_done(pilot)
        kpi = wb.kpi("Conversion rate")
        assert wb.records_of(kpi.id)[-1].data["value"] == 3.3


async def test_add_a_key_result_and_check_in_on_it(make_app, wb: Workbench) -> None:
    app = make_app("okrs")
    async with app.run_test(size=(80, 24)) as pilot:
        before = len(wb.objective("O-1").key_results)
        await pilot.press("A")
        await pilot.pause()
        await type_text(pilot, "Reviews per week")
        await pilot.press("tab", "tab")
        await type_text(pilot, "40")
        await pilot.press("enter")
        await writes_done(pilot)
        results = wb.objective("O-1").key_results
        assert len(results) == before + 1 and results[-1]["metric"] == "Reviews per week"
        table = app.screen.table
        while table.current_row.ref != f"O-1.{before + 1}":
            await pilot.press("j")
        await pilot.press("c")
        await pilot.pause()
        await type_text(pilot, "12")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.objective("O-1").key_results[-1]["current"] == 12


async def test_a_viewer_is_offered_no_write_key(wb: Workbench, store) -> None:
    viewer = Workbench(db=str(store), actor="vic", role="viewer")
    try:
        app = PmApp(viewer, mode="board", clock=lambda: FIXED_NOW, poll=False)
        async with app.run_test(size=(80, 24)) as pilot:
            assert not footer_keys(app) & {"new_card", "move_card(-1)", "comment"}
            assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert not any("Record a KPI" in t or "Plan a new sprint" in t for t in titles)
            await pilot.press("n")  # the key opens nothing, and says why
            await pilot.pause()
            assert not isinstance(app.screen, ItemModal)
            assert any("vic is a viewer" in m for m in messages(app))
            await pilot.press("e")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, ItemModal) and form.form_read_only
            assert form.query_one("#field-title", Input).disabled
            for mode in ("sprint", "backlog", "okrs", "dashboard", "roadmap"):
                await pilot.press("escape")
                app.action_switch_view(mode)
                await pilot.pause()
                screen = app.screen
                assert not footer_keys(app) & set(type(screen).WRITE_ACTIONS), mode
    finally:
        viewer.close()


async def test_the_past_offers_no_write_key_in_the_footer(make_app) -> None:
    app = make_app("sprint")
    async with app.run_test(size=(80, 24)) as pilot:
        assert {"plan", "start"} <= footer_keys(app)
        app.travel_to(parse_point("-3d", app.wb, app.clock()))
        await pilot.pause()
        assert not footer_keys(app) & {"plan", "start", "close_sprint", "new_card", "move_card(-1)"}


async def until_the_form_holds(app, pilot, title: str) -> None:
    """Let every queued key be handled (bounded: a loaded machine is slow, a lost key never comes)."""
    for _ in range(60):
        await pilot.pause(0.05)
        if isinstance(app.screen, ItemModal) and app.screen.query_one("#field-title", Input).value == title:
            return


async def test_keys_typed_fast_into_a_new_form_are_never_lost_or_misrouted(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(80, 24)) as pilot:
        title = "Fast typed title with every key kept"
        # The user presses n and types straight on without waiting for the form to appear. The keys
        # arrive together, as a terminal delivers a paste or a fast typist on a slow link: whether
        # n's form is open before the next key is handled must not depend on the machine's speed.
        for char in "n" + title:
            app.post_message(events.Key("space" if char == " " else char, char))
        await until_the_form_holds(app, pilot, title)
        form = app.screen
        assert isinstance(form, ItemModal)
        assert form.query_one("#field-title", Input).value == title
        await pilot.press("ctrl+s")
        for _ in range(60):
            await pilot.pause(0.05)
            wb.refresh()
            if any(i.title == title for i in wb.now.items.values()):
                break
        assert any(i.title == title for i in wb.now.items.values())


async def test_keys_typed_after_a_view_switch_go_to_the_new_view(make_app) -> None:
    # 3 then n at once: the n is the backlog's (a new backlog item), not the board's it was leaving.
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        for char in "3nAB":
            app.post_message(events.Key(char, char))
        await until_the_form_holds(app, pilot, "AB")
        assert isinstance(app.screen, ItemModal)
        assert app.screen_stack[-2].mode == "backlog"
        assert app.screen.query_one("#field-title", Input).value == "AB"


async def test_leaving_a_changed_form_asks_first(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("e")
        await pilot.pause()
        await type_text(pilot, "X")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal)  # still there, text kept
        assert app.screen.query_one("#field-title", Input).value.endswith("X")
        await pilot.press("escape")
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, ItemModal)
        assert not wb.now.item_by_key("AC-36").title.endswith("X")


async def test_epic_by_title_with_completion_and_a_new_assignee_is_confirmed(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        epic = form.query_one("#field-epic", Input)
        epic.focus()
        epic.value = ""
        await type_text(pilot, "loyal")
        await pilot.pause()
        await pilot.press("right")  # accepts the completion: Loyalty programme
        assert epic.value.lower() == "loyalty programme"
        assignee = form.query_one("#field-assignee", Input)
        assignee.focus()
        assignee.value = ""
        await type_text(pilot, "zed")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert isinstance(app.screen, ConfirmModal)  # zed is nobody pmtui knows
        await pilot.press("y")
        await writes_done(pilot)
        item = wb.now.item_by_key("AC-36")
        assert wb.now.items[item.parent].title == "Loyalty programme" and item.assignee == "zed"


def test_an_epic_is_named_by_key_title_or_both(wb: Workbench) -> None:
    from projections.backlog_view import backlog, find_epic

    loyalty = find_epic(wb.now, "loyalty PROGRAMME")
    assert loyalty is not None and loyalty.kind == "epic"
    assert find_epic(wb.now, loyalty.key) == loyalty == find_epic(wb.now, f"{loyalty.key} {loyalty.title}")
    assert backlog(wb.now, 'epic:"Loyalty programme"')  # the query language takes the title too


async def test_text_typed_right_after_tab_goes_to_the_next_field(make_app, wb: Workbench) -> None:
    # "Conversion rate", Tab and "3.3" arrive together (a fast typist, a paste, a slow link): the
    # value belongs in the Value field, not at the end of the KPI's name.
    app = make_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        for char in "Conversion rate\t3.3":
            key = {" ": "space", "\t": "tab"}.get(char, char)
            app.post_message(events.Key(key, char))
        for _ in range(60):
            await pilot.pause(0.05)
            if app.screen.query_one("#field-value", Input).value == "3.3":
                break
        assert app.screen.query_one("#field-kpi", Input).value == "Conversion rate"
        assert app.screen.query_one("#field-value", Input).value == "3.3"
        app.post_message(events.Key("shift+tab", None))
        app.post_message(events.Key("x", "x"))
        for _ in range(60):
            await pilot.pause(0.05)
            if app.screen.query_one("#field-kpi", Input).value.endswith("x"):
                break
        assert app.screen.query_one("#field-kpi", Input).value == "Conversion ratex"


async def test_a_fields_own_keys_typed_before_a_tab_stay_in_that_field(make_app, wb: Workbench) -> None:
    # Check-in form: value, Tab, Ctrl+U and a new confidence, Tab, a comment: all in one burst.
    # Ctrl+U (and Backspace) find their binding after the Tab has moved on: they must still act on
    # the confidence field, not wipe the comment.
    app = make_app("okrs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "c")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        form = app.screen
        for key, char in [("1", "1"), ("4", "4"), ("tab", None), ("ctrl+u", None), ("0", "0"),
                          ("full_stop", "."), ("6", "6"), ("7", "7"), ("backspace", None), ("tab", None),
                          ("N", "N"), ("o", "o"), ("w", "w")]:
            app.post_message(events.Key(key, char))
        for _ in range(60):
            await pilot.pause(0.05)
            if form.query_one("#field-comment", Input).value == "Now":
                break
        assert {name: form.query_one(f"#field-{name}", Input).value for name in ("value", "confidence", "comment")} \
            == {"value": "14", "confidence": "0.6", "comment": "Now"}


async def test_a_burst_of_text_and_editing_keys_is_applied_in_order(make_app) -> None:
    # Plain Textual turns "ab", Ctrl+U, "cd" typed at once into an empty field: the Ctrl+U finds
    # its binding only after "cd" is in. Here every key acts in the order it was typed.
    app = make_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        field = app.screen.query_one("#field-kpi", Input)
        for key, char in [("a", "a"), ("b", "b"), ("ctrl+u", None), ("c", "c"), ("d", "d"), ("left", None),
                          ("x", "x"), ("end", None), ("backspace", None), ("y", "y")]:
            app.post_message(events.Key(key, char))
        for _ in range(40):
            await pilot.pause(0.05)
            if field.value == "cxy":
                break
        assert field.value == "cxy"
