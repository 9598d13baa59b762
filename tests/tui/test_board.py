"""The Kanban board: cursor, moving cards within WIP limits, reordering, creating, editing,
archiving, swimlanes and narrow terminals."""

from __future__ import annotations

from pmtui.tui.screens.board import BoardScreen
from pmtui.tui.widgets.board_grid import BoardGrid
from tests.tui.helpers import column_keys, messages, put_cursor_on, type_text, writes_done


async def test_board_shows_columns_with_wip_counts(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        names = [c.name for c in screen.grid_layout.columns]
        assert names == ["Backlog", "To do", "In progress", "Review", "Done"]
        grid = screen.query_one(BoardGrid)
        header = "".join(seg.text for seg in grid.render_line(0))
        assert "In progress 2/4" in header
        await pilot.pause()


async def test_cursor_keys_move_between_columns_and_cards(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        first = screen.selected
        await pilot.press("j")
        assert screen.selected != first and screen.column == 0 and screen.index == 1
        await pilot.press("k", "l", "l")
        assert screen.column == 2 and screen.selected.status == "In progress"
        await pilot.press("left")
        assert screen.column == 1


async def test_L_moves_the_card_right_and_the_cursor_follows(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        put_cursor_on(screen, "AC-36")
        await pilot.press("L")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "In progress"
        assert screen.selected.key == "AC-36" and screen.column_name == "In progress"
        await pilot.press("H")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "To do"


async def test_hard_wip_limit_refuses_with_the_domain_message(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert column_keys(screen, "Review") and len(column_keys(screen, "Review")) == 2  # limit 3, hard
        put_cursor_on(screen, "AC-30")
        await pilot.press("L")  # Review 3/3
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-30").status == "Review"
        put_cursor_on(screen, "AC-32")
        await pilot.press("L")  # would be 4/3: refused
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-32").status == "In progress"
        refusal = [m for m in messages(app) if m.startswith("Refused")]
        assert refusal and "Review" in refusal[-1] and "3" in refusal[-1]


async def test_soft_wip_limit_warns_but_moves(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        backlog = column_keys(screen, "Backlog")[:3]
        for key in backlog:  # In progress holds 2 of a soft limit of 4
            wb.move_item(key, "To do")
        screen.refresh_view()
        for key in backlog:
            put_cursor_on(screen, key)
            await pilot.press("L")
        await writes_done(pilot)
        assert all(wb.now.item_by_key(k).status == "In progress" for k in backlog)
        assert any(m.startswith("WIP limit") for m in messages(app))
        header = "".join(seg.text for seg in screen.query_one(BoardGrid).render_line(0))
        assert "5/4 ⚠ OVER" in header or "OVER" in header


async def test_J_and_K_reorder_within_the_column(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        before = column_keys(screen, "Backlog")
        put_cursor_on(screen, before[0])
        await pilot.press("J")
        await writes_done(pilot)
        after = column_keys(screen, "Backlog")
        assert after[:2] == [before[1], before[0]] and after[2:] == before[2:]
        assert screen.selected.key == before[0]
        await pilot.press("K")
        await writes_done(pilot)
        assert column_keys(screen, "Backlog") == before


async def test_new_card_in_the_cursor_column(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")  # To do
        await pilot.press("n")
        await type_text(pilot, "Write the release notes")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        created = [i for i in wb.now.items.values() if i.title == "Write the release notes"]
        assert len(created) == 1 and created[0].status == "To do" and created[0].kind == "story"
        assert app.screen.selected.key == created[0].key


async def test_new_card_with_a_bad_value_is_refused_and_the_form_stays(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        count = len(wb.now.items)
        await pilot.press("n")
        await type_text(pilot, "Bad points")
        app.screen.query_one("#field-points").value = "lots"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert len(wb.now.items) == count
        assert any("points is a number" in m for m in messages(app))
        assert type(app.screen).__name__ == "ItemModal"


async def test_edit_item_fields_from_the_detail(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("e")
        modal = app.screen
        modal.query_one("#field-points").value = "8"
        modal.query_one("#field-labels").value = "mobile, ux"
        modal.query_one("#field-rice").value = "500 2 0.8 4"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        item = wb.now.item_by_key("AC-36")
        assert item.points == 8 and item.labels == ["mobile", "ux"]
        assert item.rice == {"reach": 500, "impact": 2, "confidence": 0.8, "effort": 4}
        last = wb.records_of(item.id)[-1]
        assert last.actor == "tester" and set(last.data["changes"]) == {"points", "labels", "rice"}


async def test_item_detail_shows_the_items_history(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-32")
        await pilot.press("enter")
        history = str(app.screen.query_one("#item-history").render())
        assert "created" in history and "moved from To do to In progress" in history


async def test_external_editor_without_a_terminal_is_explained_not_a_crash(make_app, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")  # never a real editor in tests, whatever the driver allows
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("e")
        app.screen.query_one("#field-description").focus()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert any("editor" in m for m in messages(app))
        assert type(app.screen).__name__ == "ItemModal"


async def test_archive_asks_y_or_n(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        await pilot.press("d", "n")
        assert not wb.now.item_by_key("AC-36").archived
        await pilot.press("d", "y")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").archived
        assert "AC-36" not in column_keys(app.screen, "To do")


async def test_swimlanes_cycle_with_s(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert [lane.name for lane in screen.grid_layout.lanes] == [""]
        await pilot.press("s")
        lanes = [lane.name for lane in screen.grid_layout.lanes]
        assert "bob" in lanes and "(unassigned)" in lanes
        await pilot.press("s")
        assert any(name.startswith("AC-") for name in (lane.name for lane in screen.grid_layout.lanes))


async def test_narrow_terminal_scrolls_columns_sideways(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.screen.query_one(BoardGrid)
        assert grid.visible_columns() == 3
        await pilot.press("l", "l", "l", "l")
        assert app.screen.column_name == "Done" and grid.first_column == 2
        header = "".join(seg.text for seg in grid.render_line(0))
        assert header.startswith("◀") and "Done" in header


async def test_wide_terminal_shows_every_column(make_app):
    app = make_app()
    async with app.run_test(size=(200, 50)):
        grid = app.screen.query_one(BoardGrid)
        assert grid.visible_columns() == 5 and grid.first_column == 0


async def test_a_card_moved_by_someone_else_meanwhile_is_a_conflict_not_an_overwrite(make_app, wb, store):
    from pmtui.service.workbench import Workbench
    app = make_app()  # no polling: the screen is stale on purpose
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-36")
        other = Workbench(db=str(store), actor="bob")
        other.move_item("AC-36", "Done")
        other.close()
        await pilot.press("L")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").status == "Done"
        assert any("Conflict on AC-36" in m and "bob moved it to Done" in m for m in messages(app))
        assert app.screen.selected.key == "AC-36" and app.screen.column_name == "Done"


async def test_item_form_resolves_epic_sprint_and_clears_them(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        epic = next(i for i in wb.now.items.values() if i.kind == "epic")
        put_cursor_on(app.screen, "AC-37")
        await pilot.press("e")
        app.screen.query_one("#field-epic").value = epic.key
        app.screen.query_one("#field-sprint").value = "Sprint 4"
        app.screen.query_one("#field-assignee").value = "me"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        item = wb.now.item_by_key("AC-37")
        assert item.parent == epic.id and item.sprint == wb.sprint("Sprint 4").id and item.assignee == "tester"
        await pilot.press("e")
        assert app.screen.query_one("#field-epic").value == epic.key  # shown by key, not id
        app.screen.query_one("#field-sprint").value = ""
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-37").sprint is None


async def test_item_form_refuses_an_unknown_epic(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        put_cursor_on(app.screen, "AC-37")
        before = wb.now.item_by_key("AC-37")
        await pilot.press("e")
        app.screen.query_one("#field-epic").value = "AC-9999"
        app.screen.query_one("#field-points").value = "21"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-37") == before  # nothing written, not even the points
        assert any("AC-9999" in m for m in messages(app))


async def test_clicking_a_card_selects_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.screen.query_one(BoardGrid)
        # Second column ("To do"), its first card: below the two header lines.
        await pilot.click(BoardGrid, offset=(grid.column_width() + 3, 3))
        assert app.screen.column_name == "To do" and app.screen.selected.key == "AC-36"


async def open_form_while_bob_sets_points(app, pilot, store) -> None:
    """The form on AC-36 is open when another person (bob) sets its points to 13."""
    from pmtui.service.workbench import Workbench
    put_cursor_on(app.screen, "AC-36")
    await pilot.press("e")
    other = Workbench(db=str(store), actor="bob")
    other.edit_item("AC-36", points=13)
    other.close()


async def test_saving_the_form_keeps_what_someone_else_changed_meanwhile(make_app, wb, store):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form_while_bob_sets_points(app, pilot, store)
        app.screen.query_one("#field-labels").value = "mobile, perf"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        item = wb.now.item_by_key("AC-36")
        assert item.points == 13 and item.labels == ["mobile", "perf"]  # both changes kept


async def test_the_same_field_changed_by_two_people_is_a_conflict(make_app, wb, store):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form_while_bob_sets_points(app, pilot, store)
        app.screen.query_one("#field-points").value = "2"
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert wb.now.item_by_key("AC-36").points == 13
        assert any(m.startswith("Conflict") and "points = 13" in m for m in messages(app))
        assert type(app.screen).__name__ == "ItemModal"


async def test_slash_filters_the_cards_and_empty_clears(make_app, wb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "kind:bug")
        await pilot.press("enter")
        await pilot.pause()
        shown = [card for col in app.screen.grid_layout.columns for card in col.cards]
        bugs = [i for i in wb.now.items.values() if i.kind == "bug" and not i.archived]
        assert shown and all(card.kind == "bug" for card in shown) and len(shown) == len(bugs)
        rule = "".join(seg.text for seg in app.screen.query_one(BoardGrid).render_line(1))
        assert "/ kind:bug" in rule
        await pilot.press("slash")
        app.screen.query_one("#answer").value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert sum(len(col.cards) for col in app.screen.grid_layout.columns) > len(bugs)


async def test_a_bad_filter_is_explained(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "colour:red")
        await pilot.press("enter")
        await pilot.pause()
        assert any("unknown field 'colour'" in m for m in messages(app))
        assert app.screen.query_text == ""


async def test_a_slow_write_never_holds_up_keys(make_app, wb, monkeypatch):
    """H/L are written by the background writer: while the store is slow (here: a move held until
    released), the cursor still answers keys, and the move lands when the store is done."""
    import threading

    from pmtui.service.workbench import Workbench

    ran_on: list[threading.Thread] = []
    started, release = threading.Event(), threading.Event()
    step_item = Workbench.step_item

    def slow_step(self, key, step, reason=""):  # noqa: ANN001, ANN202
        ran_on.append(threading.current_thread())
        started.set()
        release.wait(30)
        return step_item(self, key, step, reason)

    monkeypatch.setattr(Workbench, "step_item", slow_step)
    app = make_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            put_cursor_on(screen, "AC-36")
            await pilot.press("L")
            for _ in range(400):
                if started.is_set():
                    break
                await pilot.pause(0.01)
            assert started.is_set()
            column = screen.column
            await pilot.press("l")
            assert screen.column == column + 1 and not release.is_set()  # answered while the write waits
            release.set()
            await writes_done(pilot)
            assert wb.now.item_by_key("AC-36").status == "In progress"
            assert ran_on and threading.main_thread() not in ran_on
    finally:
        release.set()
