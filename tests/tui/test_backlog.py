"""Backlog view: filter with the query language, sort, reorder, fold epics, multi-select and bulk
edit, read-only in the past; snapshots at 80x24 and 160x48."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from pmtui.tui.modals.fields_form import FieldsForm
from pmtui.tui.modals.item import ItemModal
from pmtui.tui.screens.backlog import BacklogScreen
from projections.backlog_view import backlog
from projections.state import ItemView
from tests.tui.helpers import writes_done
from tests.tui.views_support import frozen_app, frozen_demo_template, type_text  # noqa: F401


def shown(screen: BacklogScreen) -> list[ItemView]:
    return list(screen.table.rows)


async def test_filter_with_the_query_language(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        everything = len(shown(screen))
        await pilot.press("slash")
        await type_text(pilot, "kind:bug points>2")
        await pilot.press("enter")
        rows = shown(screen)
        assert rows and len(rows) < everything
        assert all(i.kind == "bug" and (i.points or 0) > 2 for i in rows)
        assert [i.key for i in rows] == [i.key for i in backlog(wb.now, "kind:bug points>2 is:backlog")]
        assert screen.table.has_focus  # Enter applied and went back to the list
        await pilot.press("escape")  # clears the filter
        assert screen.query_text == "" and len(shown(screen)) == everything


async def test_the_backlog_is_open_unplanned_work_and_a_shows_everything(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        done = {c["name"] for b in wb.now.boards.values() for c in b.columns if c["category"] == "done"}
        rows = shown(screen)
        assert rows and all(i.sprint is None and i.status not in done and not i.archived for i in rows)
        await pilot.press("a")
        everything = shown(screen)
        assert len(everything) > len(rows)
        assert any(i.status in done for i in everything) and any(i.sprint for i in everything)
        await pilot.press("a")
        assert shown(screen) == rows


async def test_ranking_moves_among_open_items_only(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        rows = shown(screen)
        top_level = [i for i in rows if not i.parent or i.parent not in {r.id for r in rows}]
        second = top_level[1]
        while screen.current_item() != second:
            await pilot.press("j")
        await pilot.press("K")
        await writes_done(pilot)
        assert [i.key for i in shown(screen) if i.id in {t.id for t in top_level}][:2] == [second.key, top_level[0].key]


async def test_a_bad_query_says_why_in_one_line_and_keeps_the_rows(make_app) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        before = [i.key for i in shown(screen)]
        await pilot.press("slash")
        await type_text(pilot, "points>lots")
        await pilot.press("enter")
        error = screen.query_one("#backlog-error")
        assert "points needs a number" in str(error.render())
        assert error.has_class("shown")
        assert [i.key for i in shown(screen)] == before
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "label:search")
        await pilot.press("enter")
        assert not error.has_class("shown")
        assert all("search" in i.labels for i in shown(screen))


async def test_reorder_with_shift_k_and_shift_j(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.apply_filter("kind:bug")
        await pilot.pause()
        first, second = [i.key for i in shown(screen)[:2]]
        await pilot.press("j", "K")
        await writes_done(pilot)
        assert [i.key for i in shown(screen)[:2]] == [second, first]
        assert wb.item(second).rank < wb.item(first).rank
        assert screen.table.current_row.key == second  # the cursor follows the moved item
        await pilot.press("J")
        await writes_done(pilot)
        assert [i.key for i in shown(screen)[:2]] == [first, second]


async def test_reorder_is_refused_when_not_in_rank_order(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("o")  # sort by points
        assert screen.sort == "points"
        position = wb.now.position
        await pilot.press("K")
        await writes_done(pilot)
        assert wb.now.position == position


async def test_multi_select_and_bulk_edit(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.apply_filter("kind:task")
        await pilot.pause()
        keys = [i.key for i in shown(screen)[:2]]
        await pilot.press("space", "space")  # selects and moves down each time
        assert screen.table.selected == {wb.item(k).id for k in keys}
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        await pilot.press("tab", "tab")  # status, sprint -> assignee
        await type_text(pilot, "zoe")
        await pilot.press("tab")
        await type_text(pilot, "+urgent")
        await pilot.press("tab")
        await type_text(pilot, "5")
        await pilot.press("enter")
        await writes_done(pilot)
        assert app.screen is screen
        for key in keys:
            item = wb.item(key)
            assert item.assignee == "zoe" and item.points == 5 and "urgent" in item.labels
        assert not screen.table.selected


async def test_bulk_edit_with_a_bad_value_writes_nothing(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("space", "space", "b")
        await pilot.pause()
        for _ in range(4):
            await pilot.press("tab")
        await type_text(pilot, "many")
        position = wb.now.position
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.position == position
        assert app.screen is screen


async def test_epics_fold_and_unfold_their_children(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("a")  # every item: the first epic's children are done or planned
        epic = screen.table.current_row
        assert epic.kind == "epic"
        children = [i.key for i in wb.now.items.values() if i.parent == epic.id and not i.archived]
        keys = [i.key for i in shown(screen)]
        assert set(children) <= set(keys)
        await pilot.press("z")
        keys = [i.key for i in shown(screen)]
        assert not set(children) & set(keys) and epic.key in keys
        await pilot.press("right")
        assert set(children) <= {i.key for i in shown(screen)}
        await pilot.press("j", "left")  # on a child: folds its epic, cursor back on the epic
        assert screen.table.current_row.key == epic.key


async def test_enter_opens_the_item_and_n_creates_one(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal)
        await pilot.press("ctrl+g")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal)
        await type_text(pilot, "Brand new idea")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        new = next(i for i in wb.now.items.values() if i.title == "Brand new idea")
        assert app.screen.table.current_row.key == new.key


async def test_archive_with_d(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        key = app.screen.table.current_row.key
        await pilot.press("d")
        await writes_done(pilot)
        assert wb.item(key).archived
        assert key not in {i.key for i in shown(app.screen)}


async def test_the_past_is_shown_and_read_only(make_app, wb: Workbench) -> None:
    app = make_app("backlog")
    async with app.run_test(size=(100, 30)) as pilot:
        early = wb.read.seqs()[len(wb.read.seqs()) // 3]
        app.travel_to(AsOf(event=early, text=f"#{early}"))
        await pilot.pause()
        assert len(shown(app.screen)) == len(backlog(wb.view(f"#{early}")))
        position = wb.now.position
        await pilot.press("space", "d", "K")
        await writes_done(pilot)
        assert wb.now.position == position


def test_snapshot_backlog_80x24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("backlog"), terminal_size=(80, 24))


def test_snapshot_backlog_160x48(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("backlog"), terminal_size=(160, 48), press=["j", "space", "j", "space"])


def test_patched_order_equals_a_full_sort_through_time(wb: Workbench) -> None:
    """Stepping through the log patches the sorted backlog; it must match sorting from scratch."""
    from pmtui.tui.screens.backlog import SortedBacklog

    for query, sort in (("", "rank"), ("kind:story", "points"), ("points>2", "wsjf")):
        cache = SortedBacklog()
        seqs = list(wb.read.seqs())
        for seq in seqs[-120:] + seqs[-120::-7][:40]:  # forward over the last events, then jumps back
            ws = wb.view(f"#{seq}")
            patched = [i.id for i in cache.get(ws, query, sort, False, "tester")]
            assert patched == [i.id for i in backlog(ws, query, sort, me="tester")]
