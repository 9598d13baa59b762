"""The views' modules load lazily: the first frame imports only the view it shows, the rest load
in a worker after it, and the palette lists every view's actions whether or not they have loaded."""

from __future__ import annotations

import subprocess
import sys

from textual.command import CommandPalette

from pmtui.service.workbench import Workbench
from pmtui.tui.app import PmApp
from pmtui.tui.views import MODES, ScreenClasses
from pmtui.tui.widgets.banner import MODE_LABELS
from tests.tui.conftest import FIXED_NOW
from tests.tui.helpers import palette_shows_first, type_text


def test_making_the_app_imports_no_view(store) -> None:  # noqa: ANN001
    """In a fresh interpreter (this one has every view loaded by other tests)."""
    code = ("import sys; from pmtui.service.workbench import Workbench; from pmtui.tui.app import PmApp; "
            f"app = PmApp(Workbench(db={str(store)!r}, actor='t'), mode='board', poll=False); "
            "print(sorted(m for m in sys.modules if m.startswith('pmtui.tui.screens.') and m != 'pmtui.tui.screens.base'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_the_first_frame_loads_only_its_view_and_the_rest_follow(wb: Workbench) -> None:
    seen: list[list[str]] = []

    class Watched(PmApp):
        def on_ready(self) -> None:  # the first frame is painted
            seen.append(self.screen_classes.loaded())
            super().on_ready()

    app = Watched(wb, mode="backlog", clock=lambda: FIXED_NOW, poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert seen == [["backlog"]]
        assert sorted(app.screen_classes.loaded()) == sorted(MODES)  # the worker loaded the others


def test_the_palette_lists_every_views_actions_before_they_load(wb: Workbench) -> None:
    app = PmApp(wb, mode="board", clock=lambda: FIXED_NOW, poll=False)
    assert app.screen_classes.loaded() == []
    titles = [c.title for c in app.binding_commands()]
    for _, mode, label in MODE_LABELS:  # every view has actions of its own in the palette
        assert any(t.startswith(f"{label}: ") for t in titles), mode


def test_screen_classes_know_the_views_without_importing_them() -> None:
    classes = ScreenClasses()
    assert list(classes) == list(MODES) and "board" in classes and "nowhere" not in classes
    assert classes.loaded() == []
    assert classes["sprint"].__name__ == "SprintScreen" and classes.loaded() == ["sprint"]


async def test_a_views_action_runs_from_the_palette_before_the_view_loaded(make_app) -> None:  # noqa: ANN001
    app = make_app("board")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "View: Docs")
        await palette_shows_first(pilot, app, "View: Docs")
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "documents"


async def test_start_up_workers_start_after_the_first_frame(make_app, monkeypatch) -> None:  # noqa: ANN001
    """The palette's words index is built in a worker started once the first frame is painted
    (started from on_mount itself, it would be asked for before any frame: this fails)."""
    import pmtui.tui.app as app_module

    frames: list[int] = []
    warmed_at: list[int] = []
    real_warm = app_module.warm
    monkeypatch.setattr(app_module, "warm", lambda app: (warmed_at.append(len(frames)), real_warm(app)))
    app = make_app("board")
    display = app._display

    def counted(screen, renderable) -> None:  # noqa: ANN001
        if renderable is not None:
            frames.append(1)
        display(screen, renderable)

    app._display = counted
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert warmed_at and warmed_at[0] >= 1


async def test_a_key_while_the_loader_is_half_way_through_textareas_module(wb: Workbench, monkeypatch) -> None:  # noqa: ANN001
    """The views' loader imports TextArea's module in a worker; a key arriving while that module
    is half imported (in sys.modules, its class not defined yet) is handled, not a crash."""
    import types

    half = types.ModuleType("textual.widgets._text_area")  # as Python shows it mid-import
    monkeypatch.setitem(sys.modules, "textual.widgets._text_area", half)
    app = PmApp(wb, mode="board", clock=lambda: FIXED_NOW, poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "2")
        await pilot.pause()
        assert app.current_mode == "sprint"
