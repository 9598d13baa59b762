"""The base of every view: access to the workbench and the workspace on show, the time-travel
banner and mode bar on top, the footer below, and ``write`` — the one way a screen changes data.

A subclass implements ``compose_body()`` (its own widgets, between the bars) and ``refresh_view()``
(redraw from ``self.ws``); the app calls ``refresh_view()`` after every change of data or of the
time-travel point.

Note: Textual runs the ``on_<event>`` handler of every class in the MRO (base classes too), so a
subclass's ``on_mount`` must not call ``super().on_mount()`` (it would run twice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from domain.exceptions import DomainError
from pmtui.errors import ConflictError
from projections.state import ItemView, Workspace
from pmtui.service.workbench import Workbench
from pmtui.tui.widgets.footer import KeyBar
from pmtui.tui.widgets.line_prompt import Answer, LinePrompt

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

T = TypeVar("T")


class PmScreen(Screen):
    """A view of the workspace. ``mode`` is its name in the app's mode map (board, sprint...).

    ``WRITE_ACTIONS`` names the actions that change data: viewers and the past are not offered
    them (hidden from the footer and the palette, and the keys do nothing)."""

    mode: str = ""
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    # Actions only an admin may take (users and roles): not offered to anyone else.
    ADMIN_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    _offered_for: tuple[bool, bool] | None = None  # (past, viewer) the footer's keys were last offered for
    _prompt: LinePrompt | None = None  # the view's one-line question, once composed
    _left_with_app_focus: bool | None = None  # whether the terminal had the focus when the view was left

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    @property
    def wb(self) -> Workbench:
        return self.pm.wb

    @property
    def ws(self) -> Workspace:
        """The workspace to show: now, or the past while time travelling."""
        return self.pm.ws

    @property
    def read_only(self) -> bool:
        return self.pm.read_only

    @property
    def can_write(self) -> bool:
        """Not in the past, and not a viewer: the service would refuse anything else."""
        return not self.pm.read_only and not self.pm.viewer

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.asking():
            return False  # a question is open in the view: its keys are the question's
        if action in self.WRITE_ACTIONS and not self.can_write:
            return False
        if action in self.ADMIN_ACTIONS and not self.pm.admin:
            return False
        return True

    def on_key(self, event: events.Key) -> None:
        """A write key pressed where writes are not offered (a viewer, the past) says why, once,
        instead of doing nothing silently: the footer does not show such keys."""
        if self.can_write:
            return
        for binding in self._bindings.key_to_bindings.get(event.key, []):
            if binding.action.split("(", 1)[0] in self.WRITE_ACTIONS:
                event.stop()
                if self.pm.read_only:
                    self.pm.write(lambda: None)  # says the past is read-only and how to leave it
                else:
                    self.notify(f"{self.wb.actor} is a viewer: changes need the editor role",
                                severity="warning", title="Read-only")
                return

    def empty_state(self, fact: str, action: str = "") -> str:
        """An empty view's line: what is true, and the key that creates the first thing only
        where the user may create it (not for viewers, not in the past)."""
        if action and self.can_write:
            return f"{fact}: {action}."
        if self.read_only:
            return f"{fact} at this point in time (t returns to now)."
        return f"{fact}."

    def item_at_cursor(self) -> ItemView | None:
        """The item under the cursor, for views that show items (override)."""
        return None

    def action_comment(self) -> None:
        from pmtui.tui.modals.comment import CommentModal

        item = self.item_at_cursor()
        if item is None:
            self.notify("No item here to comment on", severity="warning")
            return
        self.app.push_screen(CommentModal(item.key))

    def compose(self) -> ComposeResult:
        from pmtui.tui.widgets.banner import ModeBar, TravelBanner

        with Vertical(id="top-bars"):
            yield ModeBar(self.mode)
            yield TravelBanner()
        yield from self.compose_body()
        self._prompt = LinePrompt()  # hidden until asked (time travel's "As of when?")
        yield self._prompt
        yield KeyBar(compact=True)

    def ask(self, question: str, then: Answer, placeholder: str = "", hint: str = "") -> None:
        """A one-line question in the view (see ``widgets/line_prompt.py``): ``then(answer)``."""
        if self._prompt is not None:
            self._prompt.ask(question, then, placeholder, hint)

    def asking(self) -> bool:
        """A question is open in the view (asked often: by every binding's check)."""
        return self._prompt is not None and self._prompt.is_open

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets (override)."""
        return iter(())

    def refresh_view(self) -> None:
        """Redraw from ``self.ws`` (override). Called on every data change and time-travel step."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        # Coming back to a mode (or from a modal): the data may have changed meanwhile. The kept
        # screen is painted as it was at once (the bars first: whether time travels is said in
        # that frame), its data looked at again after that frame: a switch back to a view shows
        # in one frame, not after a read of the store (a history re-counted, a backlog stepped).
        self.refresh_bars()
        self.call_after_refresh(self._refresh_if_shown)

    def on_screen_suspend(self) -> None:
        self._left_with_app_focus = self.app.app_focus  # (see ``pmtui/tui/kept_views.py``)

    def _refresh_if_shown(self) -> None:
        if self.is_current:  # (not if another view was switched to in between)
            self.refresh_view()

    def refresh_bars(self) -> None:
        from pmtui.tui.widgets.banner import TravelBanner

        for banner in self.query(TravelBanner):
            banner.show(self.pm)
        # Which keys are offered depends on the past and the role only (check_action): rebuild the
        # footer when one of them changed, not on every live update (a footer rebuild mounts its
        # widgets afresh: two thirds of a session's redraw when another session moves a card).
        offered = (self.pm.read_only, self.pm.viewer)
        if offered != self._offered_for:
            self._offered_for = offered
            self.refresh_bindings()

    def write(self, fn: Callable[[], T], done_message: str = "") -> T | bool | None:
        """Run one workbench command for the user.

        Refused (with a notification) while time travelling. A refused command (``DomainError``:
        a hard WIP limit, a bad value, a conflict with someone else's change) becomes an error
        notification, never a crash. Returns the command's result (``True`` if it returned
        nothing) on success, ``None`` when it was refused."""
        return self.pm.write(fn, done_message)

    def notify_error(self, message: str) -> None:
        self.notify(message, severity="error", title="Refused")


def run_write(app: PmApp, fn: Callable[[], T], done_message: str = "") -> T | bool | None:
    """The body of ``PmScreen.write`` (shared with modals and app-level actions)."""
    if refuse_in_the_past(app):
        return None
    try:
        result = fn()
    except DomainError as error:
        return report_write(app, None, error, done_message)
    return report_write(app, result, None, done_message)


def refuse_in_the_past(app: PmApp) -> bool:
    if not app.read_only:
        return False
    app.notify(
        f"You are looking at the past ({app.travel_label()}): nothing can be changed there. "
        "Press t to return to now.",
        severity="warning", title="Read-only",
    )
    return True


def report_write(app: PmApp, result: T, error: BaseException | None, done_message: str = "",
                 redraw: bool = True, refused_note: str = "") -> T | bool | None:
    """What the user sees of a command's outcome (run here or in the background writer): a
    refusal is a notification, never a traceback; the views show the store's state afterwards
    (after a success only if ``redraw``: not while more of the user's writes are on their way).
    Returns the result (``True`` for none) on success, ``None`` when refused."""
    note = f" {refused_note}" if refused_note else ""
    if isinstance(error, ConflictError):
        app.wb.refresh()
        app.notify(f"{error}. Showing the fresh state.{note}", severity="error", title="Conflict")
        app.refresh_views()
        return None
    if isinstance(error, DomainError):
        app.wb.refresh()  # the background writer's store may be ahead of this view's
        app.notify(f"{error}{'.' if note and not str(error).endswith('.') else ''}{note}",
                   severity="error", title="Refused")
        app.refresh_views()  # someone else's change may be why: show what is true now
        return None
    if error is not None:
        raise error  # a bug, not a refusal: as loud as on the UI thread
    app.wb.refresh()
    if done_message:
        app.notify(done_message)
    if redraw:
        app.refresh_views()
    return True if result is None else result
