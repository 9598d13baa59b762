"""The pmtui application: the views as Textual modes (digits switch), time travel, live updates
from other processes, undo/redo and the command palette.

Contract for screens (see ``screens/base.py``): ``app.wb`` is the workbench, ``app.ws`` the
workspace to show (now or the past), ``app.read_only`` is True while time travelling, and
``app.refresh_views()`` redraws the active screen after any change of data or time point.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from domain.exceptions import DomainError
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.service.search import find
from pmtui.timespec import NOW, AsOf
from pmtui.tui import css_memo, output_guard, travel
from pmtui.tui.give_way import GiveWay
from pmtui.tui.kept_views import KeptViews
from pmtui.tui.live import StoreWatch, server_signals
from pmtui.tui.commands import ActionsProvider, FindProvider, warm
from pmtui.tui.modals.help import HelpModal
from pmtui.tui.modals.prompt import AskModal
from pmtui.tui.screens.base import PmScreen, refuse_in_the_past, report_write, run_write
from pmtui.tui.search_evidence import EvidenceSearch
from pmtui.tui.server_safety import ServerSafety, on_server
from pmtui.tui.views import MODES, ScreenClasses, load_screens  # noqa: F401  (MODES, load_screens: for the zygote and benches)
from pmtui.tui.widgets.banner import MODE_LABELS
from pmtui.tui.writer import BackgroundWriter, WriteDone
from projections.state import Workspace

T = TypeVar("T")

# Bindings that only move a cursor or a fold: not worth a palette entry.
_NOT_COMMANDS = {"cursor", "page", "jump", "edge", "fold", "toggle_select", "activate", "lane", "switch_view",
                 "quit", "command_palette"}
STYLES = Path(__file__).parent / "styles"


def _is_text_area(widget: object) -> bool:
    """A TextArea exists only once its module is loaded (by a form that has one): not importing
    it for this check spares the first frame ~20 ms (its themes and document model). The module
    may be half imported (the views' loader imports it in a worker while a key arrives): until its
    class exists, no TextArea does either."""
    text_area = getattr(sys.modules.get("textual.widgets._text_area"), "TextArea", None)
    return text_area is not None and isinstance(widget, text_area)


class PmApp(ServerSafety, KeptViews, App[int]):  # ServerSafety: nothing that writes files in SSH sessions
    TITLE = "pmtui"
    # app.tcss first, then each view's own file (board.tcss, sprint.tcss...).
    CSS_PATH = [STYLES / "app.tcss", *sorted(p for p in STYLES.glob("*.tcss") if p.name != "app.tcss")]
    ENABLE_COMMAND_PALETTE = True
    week_start = 0  # weekly charts start on Monday unless the config says otherwise
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # The app's own commands (views, actions of every view, time travel) and the workspace's things.
    # Textual's provider of the system commands gives way to ours (the same commands, ranked below
    # things found by their words); EvidenceSearch: notes and document text.
    COMMANDS = {ActionsProvider, FindProvider, EvidenceSearch}

    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit pmtui", id="app.quit"),
        Binding("question_mark", "help", "Help", tooltip="Show the keys that work now", id="app.help"),
        Binding("t", "time_travel", "Time", tooltip="Time travel: show the past (t again returns to now)", id="app.time_travel"),
        Binding("left_square_bracket", "step_event(-1)", "Event back", show=False,
                tooltip="Time travel: one event back", id="app.step_event.back"),
        Binding("right_square_bracket", "step_event(1)", "Event forward", show=False,
                tooltip="Time travel: one event forward", id="app.step_event.forward"),
        Binding("left_curly_bracket", "step_day(-1)", "Day back", show=False, tooltip="Time travel: one day back", id="app.step_day.back"),
        Binding("right_curly_bracket", "step_day(1)", "Day forward", show=False,
                tooltip="Time travel: one day forward", id="app.step_day.forward"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo your last change", id="app.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, tooltip="Redo what you undid", id="app.redo"),
        Binding("colon", "go_to", "Go to", show=False, tooltip="Go to an item by its key (or find anything by words)",
                id="app.go_to"),
        *[Binding(digit, f"switch_view('{mode}')", label, show=False, tooltip=f"Show the {label} view",
                  id=f"app.view.{mode}")
          for digit, mode, label in MODE_LABELS],
    ]

    def __init__(self, wb: Workbench, mode: str = "board", clock: Callable[[], datetime] | None = None,
                 poll: bool = True, start_at: AsOf | None = None) -> None:
        output_guard.install()  # stored text never reaches the terminal as commands
        css_memo.install()  # parsed once per process (the SSH zygote parses for every session)
        self.wb = wb
        self.as_of: AsOf = NOW
        self._past: Workspace | None = None
        self.replaying: str | None = None  # id of the sprint being replayed, if any
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.stepper = travel.Stepper(wb)
        self.screen_classes = ScreenClasses()  # each view's module loads when the view is first shown
        self.first_mode = mode if mode in self.screen_classes else next(iter(self.screen_classes), "")
        # The app starts in the first view's mode: Textual's own default mode would build a blank
        # screen, load and apply the whole stylesheet for it, and then do it all again for the
        # view (a fifth of a first screen's CPU, paid by every SSH session as it logs in).
        if self.first_mode:
            self.DEFAULT_MODE = self.first_mode  # read by App.__init__ for its first stack
        super().__init__()
        for name in self.screen_classes:
            self.add_mode(name, partial(self._new_view, name))
        self.poll = poll
        self.start_at = start_at
        self.writer = BackgroundWriter(self)
        self.give_way = GiveWay()  # background slices wait while keys come in

    def _new_view(self, mode: str) -> Screen:
        return self.screen_classes[mode]()

    # The contract ------------------------------------------------------------------------------
    @property
    def ws(self) -> Workspace:
        """The workspace every view shows: now, or the past while time travelling."""
        return self._past if self._past is not None else self.wb.now

    @property
    def read_only(self) -> bool:
        return self._past is not None

    @property
    def viewer(self) -> bool:
        """A viewer may look at everything and change nothing (the service enforces it)."""
        return str(self.wb.role) == "viewer"

    @property
    def admin(self) -> bool:
        """An admin may manage users and roles, now (never in the past)."""
        return str(self.wb.role) == "admin" and not self.read_only

    @property
    def available_modes(self) -> list[str]:
        return list(self.screen_classes)

    def today(self) -> datetime:
        """The clock the views use for "days left": the shown moment while time travelling (the
        time asked for, as the time bar says, else the time of the event asked for), else the
        clock (fixed in tests)."""
        if self._past is not None:
            moment = self.as_of.moment if self.as_of.moment is not None else self._past.at
            if moment:
                return datetime.fromtimestamp(moment).astimezone()
        return self.clock()

    def refresh_views(self) -> None:
        """Redraw the topmost view (and its bars) from the current data and time point."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PmScreen):
                screen.refresh_bars()
                screen.refresh_view()
                return

    def write(self, fn: Callable[[], T], done_message: str = "") -> T | bool | None:
        return run_write(self, fn, done_message)

    def write_in_background(self, command: Callable[[Workbench], Any], done_message: str = "",
                            then: Callable[[Any], None] | None = None, refused_note: str = "") -> None:
        """Run one service command off the UI thread, after those queued before it (in the order
        the keys came). ``command`` gets the writer's workbench; ``then(result)`` runs on the UI
        thread afterwards with what ``write`` would have returned (None when refused);
        ``refused_note`` is said after the service's reason for a refusal."""
        if refuse_in_the_past(self):
            if then is not None:
                then(None)
            return
        self.writer.submit(command, done_message, then, refused_note)

    def on_write_done(self, message: WriteDone) -> None:
        self.writer.pending -= 1
        # With more of the user's writes queued, the view keeps what it drew for them (their
        # cards drawn where they are going): it is drawn from the store once the last is done.
        outcome = report_write(self, message.result, message.error, message.job.done_message,
                               redraw=self.writer.pending == 0, refused_note=message.job.refused_note)
        if message.job.then is not None:
            message.job.then(outcome)

    def changes_between(self, before: tuple[int, int], after: Workspace, limit: int = 512) -> set[str] | None:
        """Ids of the aggregates the events between two workspaces touched, when both are plain
        prefixes of the log (no late events folded in) and few events apart; else None."""
        (position, _), other = before, after.position
        if getattr(getattr(after, "point", None), "moment", None) is not None:
            return None  # a moment is no prefix of the log: its late events may be anywhere
        low, high = sorted((position, other))
        return self.wb.read.touched_between(low, high, limit)

    # While a dialog is open, the app's keys stay out of its way: a digit or t in a yes/no question
    # must not switch views or open another prompt, and q must not quit from under a form.
    _NOT_IN_DIALOGS = {"switch_view", "time_travel", "step_event", "step_day", "undo", "redo", "help", "quit",
                       "go_to"}
    _WRITES = {"undo", "redo"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._NOT_IN_DIALOGS and (isinstance(self.screen, ModalScreen)
                                               or (isinstance(self.screen, PmScreen) and self.screen.asking())):
            return False
        if action in self._WRITES and (self.read_only or self.viewer):
            return False
        return True

    async def on_event(self, event: events.Event) -> None:
        """Keys are handled in the order they arrive, whatever the machine's speed. Textual hands
        each key to whatever has focus *when it is read*, and a binding runs only after the key has
        travelled up from the focused widget, so in a burst (a paste, a fast typist on a slow link,
        tmux's send-keys) keys overtake each other: text typed after n lands in the view being
        left, text typed after Tab in the field being left, and "ab", Ctrl+U, "cd" leaves an empty
        field (the Ctrl+U comes back to the app after "cd" is in). So a key bound to an action runs
        the moment it arrives, and in a one-line field the field's own keys and text are applied
        at arrival too. A multi-line field (TextArea) takes its keys as Textual delivers them."""
        if isinstance(event, events.Key):
            self.give_way.key_came()
        if isinstance(event, events.Key) and not event.is_forwarded \
                and not _is_text_area(focused := self.focused):
            if await self._check_bindings(event.key, priority=True):
                return
            if isinstance(focused, Input) and event.is_printable and event.character is not None:
                selection = focused.selection
                if selection.is_empty:
                    focused.insert_text_at_cursor(event.character)
                else:
                    focused.replace(event.character, *selection)
                return
            if await self._check_bindings(event.key, priority=False):
                return
        await super().on_event(event)

    def current_view(self) -> PmScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, PmScreen)), None)

    # Startup and live updates ------------------------------------------------------------------
    class StoreChanged(Message):
        """Someone else (another session, the CLI, another host) wrote to the store."""

    def on_mount(self) -> None:
        if self.start_at is not None and not self.start_at.is_now:
            self.travel_to(self.start_at)
        if self.first_mode:
            self.switch_mode(self.first_mode)
        if self.poll:
            # Its own connection: data versions are per connection, so one long-lived thread asks.
            self._watch = StoreWatch(self.wb.log.data_version, lambda: self.post_message(self.StoreChanged()),
                                     signals=server_signals())
            self.watch_store()

    def on_ready(self) -> None:
        """The first frame is painted (Textual's Ready): start what that frame did not need, so
        it never waits for them (a worker thread still takes turns on the GIL with the UI): the
        palette's words index and the other views' modules. Ready is Textual's word that the
        frame is out, where an order of refreshes would only happen to give it.
        In an SSH session the index waits for the palette (which builds it as it opens): built
        for every session at login it was ~20 MB of each session's memory on a 10k-item store
        and CPU on cores that 50 sessions share, for a palette most sessions never open."""
        if not on_server():
            warm(self)
        self.load_views()

    @work(thread=True, group="load-views", exit_on_error=False)
    def load_views(self) -> None:
        """Import the views not shown yet, so the first palette (which lists every view's actions)
        and the first switch to another view do not wait for their modules."""
        self.give_way.run(lambda between: self.screen_classes.load_all(between=between))

    def on_unmount(self) -> None:
        self.give_way.stop()
        if self.poll:
            self._watch.stop()  # the watcher stops before the workbench is closed under it
        self.writer.stop()

    @work(thread=True, exclusive=True, group="live-updates", exit_on_error=False)
    def watch_store(self) -> None:
        """The live poll, off the UI thread, so a slow store (a far PostgreSQL, a busy disk) never
        holds up a key (see ``pmtui.tui.live``). A change posts ``StoreChanged``."""
        self._watch.run()

    def on_pm_app_store_changed(self, message: StoreChanged) -> None:
        self._watch.taken()
        self.check_for_changes()
        # Once the frame is painted (the grid repaints on its next turn; then the screen), the
        # watcher learns how long the redraw took, and leaves the session alone as long.
        self.call_later(self.call_after_refresh, self._watch.drawn)

    def check_for_changes(self) -> bool:
        """Fold what others wrote (on the UI thread, where the views read the workspace: the
        watcher only says that something came), and redraw if anything did."""
        if self.wb.refresh() and not self.read_only:
            self.refresh_views()
            return True
        return False

    # Views -------------------------------------------------------------------------------------
    def action_switch_view(self, mode: str) -> None:
        if mode not in self.screen_classes:
            self.notify(f"The {mode} view is not available in this build", severity="warning")
            return
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        view = self.current_view()
        title = next((label for _, mode, label in MODE_LABELS if view and mode == view.mode), "pmtui")
        self.push_screen(HelpModal(self.screen, title))

    # Textual's own commands that write files on the server (a screenshot into the account's home)
    # are not offered to viewers or over SSH, where the "home" is the server's.
    _FILE_WRITING_COMMANDS = {"Screenshot"}

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        locked = self.viewer or bool(os.environ.get("PMTUI_SSH_SESSION"))
        for command in super().get_system_commands(screen):
            if not (locked and command.title in self._FILE_WRITING_COMMANDS):
                yield command
        for digit, mode, label in MODE_LABELS:
            if mode in self.screen_classes:
                yield SystemCommand(f"View: {label}", f"Switch to the {label} view (key {digit})",
                                    partial(self.action_switch_view, mode))
        if self.read_only:
            yield SystemCommand("Time travel: back to now", "Leave the past and show the live workspace",
                                self.return_to_now)
        yield from self.binding_commands()

    def binding_commands(self) -> Iterable[SystemCommand]:
        """Every action of every view (and the app's), from their bindings: what a binding does is
        said once, where the key is declared. Actions that write are left out for viewers and the past."""
        labels = {mode: label for _, mode, label in MODE_LABELS}
        can_write = not self.read_only and not self.viewer
        sources: list[tuple[str | None, str, list[Binding]]] = [(None, "", [b for b in self.BINDINGS
                                                                            if isinstance(b, Binding)])]
        for mode, cls in self.screen_classes.items():
            merged = [b for bindings in cls._merge_bindings().key_to_bindings.values() for b in bindings]
            sources.append((mode, labels.get(mode, mode), merged))
        for mode, label, bindings in sources:
            writes = self.screen_classes[mode].WRITE_ACTIONS if mode else self._WRITES
            refused = self.screen_classes[mode].ADMIN_ACTIONS if mode and not self.admin else frozenset()
            seen: set[str] = set()
            for binding in bindings:
                name = binding.action.split("(", 1)[0]
                if binding.action in seen or name in _NOT_COMMANDS or (name in writes and not can_write) \
                        or name in refused:
                    continue
                if self.read_only and name in ("time_travel",):
                    continue
                seen.add(binding.action)
                title = f"{label}: {binding.tooltip or binding.description}" if label else \
                    (binding.tooltip or binding.description)
                key = binding.key_display or self.get_key_display(binding)
                yield SystemCommand(title, f"key {key}", partial(self.run_view_action, mode, binding.action))

    async def run_view_action(self, mode: str | None, action: str) -> None:
        """Run a view's action from the palette, switching to that view first."""
        if mode is not None and self.current_mode != mode:
            await self.switch_mode(mode)
        await self.run_action(action, self.screen if mode is not None else self)

    # Go to and open ----------------------------------------------------------------------------
    def action_go_to(self) -> None:
        def chosen(answer: str | None) -> None:
            if not answer:
                return
            item = self.ws.item_by_key(answer.strip().upper())
            if item is not None:
                self.call_later(self.open_found, "item", item.key)
                return
            found = find(self.ws, answer, limit=1)
            if found:
                self.call_later(self.open_found, found[0].kind, found[0].ref)
            else:
                self.notify(f"Nothing called {answer!r} here: try words of a title in Ctrl+P",
                            severity="warning", title="Go to")

        self.push_screen(AskModal("Go to", placeholder="AC-37, RM-2, O-1, a sprint or words of a title",
                                  hint="Enter opens it · empty Enter or Esc cancels"), chosen)

    async def open_found(self, kind: str, ref: str) -> None:
        """Open what the palette or go-to found: an item's card, or the view that shows the thing."""
        ws = self.ws
        if kind == "item":
            from pmtui.tui.modals.item import ItemModal

            self.push_screen(ItemModal(ref))
            return
        mode = {"roadmap": "roadmap", "objective": "okrs", "kpi": "dashboard", "sprint": "sprint",
                "person": "backlog"}[kind]
        if mode not in self.screen_classes:
            return
        if self.current_mode != mode:
            await self.switch_mode(mode)
        screen: Any = self.screen
        if kind == "roadmap":
            found = next((r for r in ws.roadmap.values() if f"RM-{r.number}" == ref), None)
            if found is not None:
                screen.select(found.id)
        elif kind == "objective":
            found = next((o for o in ws.objectives.values() if f"O-{o.number}" == ref), None)
            if found is not None:
                screen.select(found.id)
        elif kind == "sprint":
            found = next((sp for sp in ws.sprints.values() if sp.name == ref), None)
            if found is not None:
                screen.sprint_id = found.id
                screen.refresh_view()
        elif kind == "person":
            screen.apply_filter(f"assignee:{ref}" if " " not in ref else f'assignee:"{ref}"')

    # Time travel -------------------------------------------------------------------------------
    def travel_label(self) -> str:
        if self._past is None:
            return "now"
        label = travel.describe(self.as_of, self._past, self.wb.read.position())
        sprint = self._past.sprints.get(self.replaying or "")
        if sprint is not None:
            day = ""
            if sprint.start and self._past.at:
                number = (self.today().date() - date.fromisoformat(sprint.start)).days + 1
                day = f" day {number}"
            label = f"REPLAY {sprint.name}{day} · {label.removeprefix('AS OF ')}"
        return label

    def action_time_travel(self) -> None:
        if self.read_only:
            self.return_to_now()
            return
        def chosen(answer: str | None) -> None:
            if not answer:
                return
            try:
                point = travel.parse_point(answer, self.wb, self.clock())
            except DomainError as error:
                self.notify(str(error), severity="error", title="Time travel")
                return
            self.travel_to(point)

        question = ("As of when?", "2026-11-10 14:30 · -3d · #812 · Sprint 3 day 2",
                    "A date-time, -3d / -2w / -6h, #event, or a sprint's day · empty Enter cancels")
        if isinstance(self.screen, PmScreen):
            # In the view, not a dialog: a dialog's new screen (and the dimmed copy of the view
            # under it) cost 100-400 ms of a loaded machine at 50k items; this repaints a few lines.
            self.screen.ask(question[0], chosen, placeholder=question[1], hint=question[2])
        else:
            self.push_screen(AskModal(question[0], placeholder=question[1], hint=question[2]), chosen)

    def travel_to(self, point: AsOf, replaying: str | None = None) -> bool:
        """Show the workspace as of ``point`` everywhere, read-only."""
        if point.is_now:
            self.return_to_now()
            return True
        try:
            past = self.stepper.view(point)
        except DomainError as error:
            self.notify(str(error), severity="error", title="Time travel")
            return False
        before = self._past
        self.as_of, self._past = point, past
        if replaying is not None:
            self.replaying = replaying
        self._note_replay_end(before, past)
        self.refresh_views()
        return True

    def _note_replay_end(self, before: Workspace | None, after: Workspace) -> None:
        """Say so when a replay's step reaches the sprint's close (the replay's natural end)."""
        sprint_id = self.replaying
        if not sprint_id or before is None or sprint_id not in after.sprints:
            return
        was = before.sprints.get(sprint_id)
        now = after.sprints[sprint_id]
        if now.state == "closed" and (was is None or was.state != "closed"):
            self.notify(f"{now.name} closed here: the end of its replay. t returns to now.",
                        title="Replay", timeout=5)

    def return_to_now(self) -> None:
        self.as_of, self._past, self.replaying = NOW, None, None
        self.wb.refresh()
        self.refresh_views()
        self.notify("Back to now: the live workspace", timeout=2)

    def action_step_event(self, step: int) -> None:
        if self._past is None:
            self.notify("Not time travelling: press t first", severity="warning")
            return
        try:
            point = travel.step_event(self.wb, self._past, step)
        except DomainError as error:
            self.notify(str(error), severity="warning")
            return
        self.travel_to(point)

    def action_step_day(self, step: int) -> None:
        if self._past is None:
            self.notify("Not time travelling: press t first", severity="warning")
            return
        self.travel_to(travel.step_day(self.as_of, self._past, step))

    # Undo / redo (the workbench gains them with the audit work) --------------------------------
    def action_undo(self) -> None:
        # Through the background writer, after any move still on its way: u right after L
        # undoes that move, not the change before it.
        self._undo_redo(lambda wb: wb.undo())

    def action_redo(self) -> None:
        self._undo_redo(lambda wb: wb.redo())

    def _undo_redo(self, command: Callable[[Workbench], str]) -> None:
        def said(result: object) -> None:
            if isinstance(result, str):
                self.notify(result, timeout=3)

        self.write_in_background(command, then=said)


def run_tui(args: argparse.Namespace, wb: Workbench | None = None) -> int:
    """``pmtui`` with no command: open the TUI on the store named by ``--db`` (or the default), or
    on ``wb`` when the caller opened it already; closed when the TUI ends."""
    from pmtui.cli.session import building_progress

    if wb is None:
        wb = Workbench(db=getattr(args, "db", None), actor=getattr(args, "actor", None), progress=building_progress())
    if wb.integrity_warning:
        from pmtui.terminal import safe_text
        print(safe_text(f"pmtui: {wb.integrity_warning}"), file=sys.stderr)
    try:
        return run_app(wb, args)
    finally:
        wb.close()


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def require_terminal() -> None:
    """The TUI needs a terminal at both ends: from a pipe, a script or CI it would wait forever."""
    if not is_terminal():
        raise UserError("the TUI needs a terminal, and stdin or stdout is not one here; "
                        "scripts use the commands instead (see `pmtui --help`)")


def check_theme(theme: str | None) -> None:
    """A theme the TUI cannot show is one line, before anything is written or drawn."""
    from textual.theme import BUILTIN_THEMES

    if theme and theme not in BUILTIN_THEMES:
        raise UserError(f"theme {theme!r} is not a Textual theme (known: {', '.join(sorted(BUILTIN_THEMES))})")


def apply_user_settings(app: App[Any], theme: str | None, keymap: dict[str, str] | None,
                        week_start: int = 0) -> None:
    """The config's theme (or --theme, PMTUI_THEME), its [keys] (binding id -> keys) and first day
    of the week, before the first frame. Textual's theme picker (Ctrl+P, "Change theme") still
    switches later."""
    if theme:
        if theme not in app.available_themes:
            known = ", ".join(sorted(app.available_themes))
            raise UserError(f"theme {theme!r} is not a Textual theme (known: {known})")
        app.theme = theme
    if keymap:
        app.set_keymap(dict(keymap))
    app.week_start = week_start  # type: ignore[attr-defined]


def run_app(wb: Workbench, args: argparse.Namespace) -> int:
    """Run the TUI on an open workbench. ``args``: optional view, as_of (start in the past), no_mouse,
    theme and settings (``pmtui.config.Settings``: its [keys] become the keymap)."""
    as_of = getattr(args, "as_of", None)
    point = travel.parse_point(as_of, wb) if as_of else None  # a bad point: one line, before the screen
    require_terminal()
    app = PmApp(wb, mode=getattr(args, "view", None) or "board", start_at=point)
    settings = getattr(args, "settings", None)
    apply_user_settings(app, getattr(args, "theme", None), settings.keys if settings is not None else None,
                        settings.week_start if settings is not None else 0)
    result = app.run(mouse=not getattr(args, "no_mouse", False))
    return result if isinstance(result, int) else 0
