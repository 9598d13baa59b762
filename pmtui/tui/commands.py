"""The command palette's search: items by key or words (title, description, comments), roadmap
items, objectives, KPIs, sprints and people. Enter opens the thing found (``PmApp.open_found``).
The actions of every view come from their bindings (``PmApp.get_system_commands``).

The words index is built off the UI thread: once after the first frame (``warm``) and again, for
the workspace on show, when the palette opens, so the first key typed does not wait for it; each
search runs in a thread too, so the palette keeps taking keys while it works."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.system_commands import SystemCommandsProvider

from pmtui.service.search import find, prepare

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp
    from projections.state import Workspace

KIND_LABELS = {"item": "Item", "roadmap": "Roadmap", "objective": "Objective", "kpi": "KPI", "sprint": "Sprint",
               "person": "Person"}
OPENS = {"item": "open it", "roadmap": "show it on the Roadmap", "objective": "show it in OKRs",
         "kpi": "show its chart on the Dashboard", "sprint": "show it in the Sprint view",
         "person": "show their work in the Backlog"}


def warm(app: PmApp) -> None:
    """Build the words index for the workspace on show, in a worker thread."""
    app.run_worker(partial(app.give_way.run, partial(_prepare_and_freeze, app.ws)), thread=True,
                   group="search-index", exclusive=True, exit_on_error=False)


def _prepare_and_freeze(ws: Workspace, between: Callable[[], None]) -> None:
    prepare(ws, between)
    # What the app holds for its lifetime is made by now (the views' data, the words index:
    # hundreds of thousands of objects at 50k items). Frozen, a full collection no longer walks
    # them: it took ~40 ms, in the frame of whatever key it happened under (the `t` prompt's p90).
    # Once a process: a frozen cycle that turns to garbage is never collected, so only what was
    # made before the first key is frozen, not what later searches replace.
    if not gc.get_freeze_count():
        gc.freeze()


class ActionsProvider(SystemCommandsProvider):
    """The actions of every view, as Textual's own provider finds them, but a command whose name
    only holds the query's letters scattered ("ledger" in "Users and roles: add a user, change a
    role") ranks below every thing found by its words: someone typing a word is looking for it."""

    SCATTERED = 0.3  # at most: below FindProvider's lowest group (0.5); Textual's scores reach 3 and more

    async def search(self, query: str) -> Hits:
        words = query.lower().split()
        async for hit in super().search(query):
            name = hit.text.lower() if hit.text else str(hit.match_display).lower()
            if not all(word in name for word in words):
                hit = Hit(min(hit.score, 1.0) * self.SCATTERED, hit.match_display, hit.command, hit.text, hit.help)
            yield hit


class FindProvider(Provider):
    """Finds the workspace's things as the user types."""

    async def startup(self) -> None:
        warm(self.app)  # type: ignore[arg-type]  # (the past, or a store that moved on since)

    async def search(self, query: str) -> Hits:
        app: PmApp = self.app  # type: ignore[assignment]
        for found in await asyncio.to_thread(find, app.ws, query, 20):
            label = KIND_LABELS[found.kind]
            shown = found.ref if found.ref == found.title else f"{found.ref} {found.title}"
            yield Hit(found.score, Text.assemble((f"{label}: ", "dim"), shown[:70]),
                      partial(app.open_found, found.kind, found.ref), text=f"{label}: {shown}",
                      help=f"Enter: {OPENS[found.kind]}")
