"""The managers a PM reaches from a view's key: a board's columns and WIP limits (w on the board),
releases (R on the roadmap) and users (U in History, admins only). Keys pressed as a user would;
the store is checked to have changed, or not to have when the service refuses."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from pmtui.tui.modals.columns import ColumnsModal
from pmtui.tui.modals.fields_form import FieldsForm
from tests.tui.helpers import messages, type_text, writes_done


async def clear_field(pilot) -> None:
    await pilot.press("ctrl+a", "ctrl+k")  # Input: start of line, delete to its end


async def test_columns_add_wip_move_rename_remove(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ColumnsModal)
        names = [c["name"] for c in wb.board().columns]
        assert [r["name"] for r in app.screen.table.rows] == names
        # a: a new column, placed after the cursor's (the first): second from the left.
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        await type_text(pilot, "QA")
        await pilot.press("enter")
        await writes_done(pilot)
        assert [c["name"] for c in wb.board().columns] == [names[0], "QA", *names[1:]]
        assert app.screen.table.current_row["name"] == "QA"
        # w: a hard WIP limit of 2.
        await pilot.press("w")
        await pilot.pause()
        await type_text(pilot, "2")
        await pilot.press("tab")
        await clear_field(pilot)
        await type_text(pilot, "y")
        await pilot.press("enter")
        await writes_done(pilot)
        qa = wb.board().column("QA")
        assert qa is not None and (qa["wip"], qa["hard"]) == (2, True)
        # J twice: QA moves two places to the right.
        await pilot.press("J", "J")
        await writes_done(pilot)
        assert [c["name"] for c in wb.board().columns] == [names[0], *names[1:3], "QA", *names[3:]]
        # r: renamed.
        await pilot.press("r")
        await pilot.pause()
        await clear_field(pilot)
        await type_text(pilot, "Testing")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.board().column("Testing") is not None and wb.board().column("QA") is None
        # d, y: removed (it holds no cards).
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await writes_done(pilot)
        assert [c["name"] for c in wb.board().columns] == names


async def test_a_refused_column_change_is_a_notification_and_writes_nothing(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        busy = next(c["name"] for c in wb.board().columns
                    if wb.board_index.count(wb.board().id, c["name"]))
        position = wb.now.position
        await pilot.press("w")
        await pilot.pause()
        app.screen.reload(follow=busy)
        await pilot.press("d", "y")
        await writes_done(pilot)
        await pilot.press("w")  # a WIP limit that is no number
        await pilot.pause()
        await clear_field(pilot)
        await type_text(pilot, "lots")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.position == position
        assert isinstance(app.screen, ColumnsModal)
        shown = messages(app)
        assert any("still holds" in m for m in shown) and any("whole number" in m for m in shown)


async def test_a_viewer_is_not_offered_the_columns(make_app, wb: Workbench) -> None:
    wb.role = "viewer"
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, ColumnsModal)
        assert app.screen.check_action("columns", ()) is False  # hidden from the footer and the palette
        assert not any(c.title.startswith("Board: Columns") for c in app.get_system_commands(app.screen))


async def test_releases_create_edit_assign_ship(make_app, wb: Workbench) -> None:
    from pmtui.tui.modals.releases import AssignItemsModal, ReleasesModal

    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesModal)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "2.0")
        await pilot.press("tab")
        await type_text(pilot, "2027-01-15")
        await pilot.press("enter")
        await writes_done(pilot)
        release = next(r for r in wb.now.releases.values() if r.name == "2.0")
        assert release.target == "2027-01-15"
        assert app.screen.table.current_row.id == release.id
        # e: a new target date (only what changed is sent).
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("tab")
        await clear_field(pilot)
        await type_text(pilot, "2027-02-01")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.releases[release.id].target == "2027-02-01"
        # i: filter to two items by words, pick them, Ctrl+S.
        wanted = [i for i in wb.now.items.values() if i.kind != "epic" and not i.archived][:2]
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, AssignItemsModal)
        for item in wanted:
            await pilot.press("slash")
            await pilot.press("ctrl+a", "ctrl+k")
            await type_text(pilot, item.key)
            await pilot.press("enter")
            await pilot.pause()
            picks = app.screen.pick_list
            index = next(n for n in range(picks.option_count) if picks.get_option_at_index(n).value == item.key)
            picks.highlighted = index
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert isinstance(app.screen, ReleasesModal)
        assert {i.key for i in wb.now.items.values() if i.release == release.id} == {i.key for i in wanted}
        # s, y: shipped.
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await writes_done(pilot)
        assert wb.now.releases[release.id].shipped
        assert app.screen.cells(app.screen.table.current_row)[2][0] == "shipped"


async def test_a_bad_release_date_is_refused_with_a_notification(make_app, wb: Workbench) -> None:
    app = make_app("roadmap")
    async with app.run_test(size=(100, 30)) as pilot:
        position = wb.now.position
        await pilot.press("R", "n")
        await pilot.pause()
        await type_text(pilot, "Someday")
        await pilot.press("tab")
        await type_text(pilot, "next spring")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.position == position
        assert any("target date" in m for m in messages(app))


async def test_an_admin_adds_a_user_and_changes_the_role(make_app, wb: Workbench) -> None:
    import asyncssh

    from pmtui.service import team
    from pmtui.tui.modals.users import UsersModal

    key = asyncssh.generate_private_key("ssh-ed25519", comment="dana@laptop").export_public_key().decode().strip()
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, UsersModal)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "dana")
        await pilot.press("tab", "tab")
        app.screen.focused.insert_text_at_cursor(key)  # a paste
        await pilot.press("enter")
        await writes_done(pilot)
        dana = team.find_member(wb.now, "dana")
        assert dana is not None and dana.role == "editor" and dana.keys == (key,)
        assert app.screen.table.current_row.name == "dana"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("v")
        await writes_done(pilot)
        assert team.find_member(wb.now, "dana").role == "viewer"
        # A private key pasted by mistake is refused, and nothing is written.
        position = wb.now.position
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "eve")
        await pilot.press("tab", "tab")
        await type_text(pilot, "-----BEGIN OPENSSH PRIVATE KEY-----")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.position == position and any("private key" in m for m in messages(app))


async def test_only_admins_are_offered_the_team(make_app, wb: Workbench) -> None:
    from pmtui.tui.modals.users import UsersModal

    wb.role = "editor"
    app = make_app("history")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("U")
        await pilot.pause()
        assert not isinstance(app.screen, UsersModal)
        assert app.screen.check_action("users", ()) is False
        assert not any("Users and roles" in c.title for c in app.get_system_commands(app.screen))
