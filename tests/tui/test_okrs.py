"""OKR view: objectives with key results, progress and confidence; checking in a key result;
snapshots at 80x24 and 160x48."""

from __future__ import annotations

from pmtui.service.workbench import Workbench
from pmtui.tui.modals.fields_form import FieldsForm
from pmtui.tui.screens.okr import OkrScreen, bar
from projections.okr_progress import okrs
from tests.tui.helpers import writes_done
from tests.tui.views_support import frozen_app, frozen_demo_template, type_text  # noqa: F401


def test_progress_bar_reads_without_colour() -> None:
    assert bar(0.0) == "░" * 10
    assert bar(0.5) == "█" * 5 + "░" * 5
    assert bar(1.7) == "█" * 10


async def test_objectives_and_their_key_results_are_listed(make_app, wb: Workbench) -> None:
    app = make_app("okrs")
    async with app.run_test(size=(100, 30)):
        screen = app.screen
        assert isinstance(screen, OkrScreen)
        expected = []
        for objective in okrs(wb.now):
            expected.append(f"O-{objective.objective.number}")
            expected.extend(f"O-{objective.objective.number}.{n}" for n, *_ in objective.key_results)
        assert [row.ref for row in screen.table.rows] == expected


async def test_check_in_a_key_result(make_app, wb: Workbench) -> None:
    app = make_app("okrs")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("j")  # O-1.1
        row = screen.table.current_row
        assert row.ref == "O-1.1"
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        await type_text(pilot, "3.15")
        await pilot.press("tab")
        await type_text(pilot, "0.8")
        await pilot.press("tab")
        await type_text(pilot, "on track after the release")
        await pilot.press("enter")
        await writes_done(pilot)
        objective = wb.objective("O-1")
        kr = objective.key_results[0]
        assert (kr["current"], kr["confidence"]) == (3.15, 0.8)
        last = [c for c in wb.now.checkins if c.objective_id == objective.id and c.kr == 1][-1]
        assert last.comment == "on track after the release" and last.actor == "tester"
        assert screen.table.current_row.ref == "O-1.1"
        assert "on track after the release" in str(screen.query_one("#okr-detail").render())


async def test_a_check_in_that_is_not_a_number_writes_nothing(make_app, wb: Workbench) -> None:
    app = make_app("okrs")
    async with app.run_test(size=(100, 30)) as pilot:
        position = wb.now.position
        await pilot.press("j", "c")
        await pilot.pause()
        await type_text(pilot, "lots")
        await pilot.press("enter")
        await writes_done(pilot)
        assert wb.now.position == position
        assert isinstance(app.screen, OkrScreen)


async def test_check_in_needs_a_key_result_row(make_app, wb: Workbench) -> None:
    app = make_app("okrs")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")  # on the objective's own row
        await pilot.pause()
        assert isinstance(app.screen, OkrScreen)


def test_snapshot_okrs_80x24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("okrs"), terminal_size=(80, 24), press=["j"])


def test_snapshot_okrs_160x48(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("okrs"), terminal_size=(160, 48))
