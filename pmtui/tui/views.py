"""The views' screen classes, each view's module imported when the view is first wanted.

Importing every view at start cost ~180-290 ms of a loaded machine before the first frame (the
documents view pulls in Markdown and markdown_it, the dashboard its charts, the sprint its
planning dialog); the first frame needs only the view it shows. The palette, which lists every
view's actions, asks for all of them when it opens, and the app loads the rest in a worker after
its first frame so that first palette does not wait for them either."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmtui.tui.screens.base import PmScreen

# mode name -> (module, class). A mode whose module is not there yet is left out.
MODES: dict[str, tuple[str, str]] = {
    "board": ("pmtui.tui.screens.board", "BoardScreen"),
    "sprint": ("pmtui.tui.screens.sprint", "SprintScreen"),
    "backlog": ("pmtui.tui.screens.backlog", "BacklogScreen"),
    "roadmap": ("pmtui.tui.screens.roadmap", "RoadmapScreen"),
    "okrs": ("pmtui.tui.screens.okr", "OkrScreen"),
    "dashboard": ("pmtui.tui.screens.dashboard", "DashboardScreen"),
    "history": ("pmtui.tui.screens.history", "HistoryScreen"),
    "feedback": ("pmtui.tui.screens.feedback", "FeedbackScreen"),
    "documents": ("pmtui.tui.screens.documents", "DocumentsScreen"),
}


class ScreenClasses(Mapping[str, "type[PmScreen]"]):
    """mode -> screen class, in MODES order, for the views this build has. Which views exist is
    known without importing them (a module's spec is found, not run); a view's module is imported
    the first time its class is asked for."""

    def __init__(self) -> None:
        self._modes = [mode for mode, (module_name, _) in MODES.items()
                       if importlib.util.find_spec(module_name) is not None]
        self._loaded: dict[str, type[PmScreen]] = {}

    def __getitem__(self, mode: str) -> type[PmScreen]:
        found = self._loaded.get(mode)
        if found is None:
            if mode not in self._modes:
                raise KeyError(mode)
            module_name, class_name = MODES[mode]
            found = self._loaded[mode] = getattr(importlib.import_module(module_name), class_name)
        return found

    def __contains__(self, mode: object) -> bool:
        return mode in self._modes  # (Mapping's own would import the view to answer)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modes)

    def __len__(self) -> int:
        return len(self._modes)

    def loaded(self) -> list[str]:
        """The views whose modules have been imported so far."""
        return list(self._loaded)

    def load_all(self, between: Callable[[], None] | None = None) -> None:
        """Import every view's module; ``between``: called before each (a worker giving way)."""
        for mode in self._modes:
            if between is not None and mode not in self._loaded:
                between()
            self[mode]


def load_screens() -> dict[str, type[PmScreen]]:
    """Every view's class, importing them all now (the SSH zygote's preload, the benchmarks)."""
    return dict(ScreenClasses().items())
