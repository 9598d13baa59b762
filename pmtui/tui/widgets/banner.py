"""The two bars on top of every screen: the mode bar (which view, which digit) and the
time-travel banner (shown only while looking at the past)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

# digit, mode name, label
MODE_LABELS: list[tuple[str, str, str]] = [
    ("1", "board", "Board"), ("2", "sprint", "Sprint"), ("3", "backlog", "Backlog"), ("4", "roadmap", "Roadmap"),
    ("5", "okrs", "OKRs"), ("6", "dashboard", "Dashboard"), ("7", "history", "History"),
    ("8", "feedback", "Feedback"), ("9", "documents", "Docs"),
]


# The labels a narrow terminal shows for the views not on screen.
SHORT_LABELS = {"board": "Brd", "sprint": "Spr", "backlog": "Blog", "roadmap": "Map", "okrs": "OKR",
                "dashboard": "Dash", "history": "Hist", "feedback": "Fdbk", "documents": "Docs"}


class ModeBar(Static):
    """``pmtui ACME │ 1 Board  2 Sprint ...`` with the current view highlighted."""

    def __init__(self, mode: str) -> None:
        super().__init__(id="mode-bar")
        self.mode = mode

    def render(self) -> Text:
        # Drawn on demand (not set on mount): the very first frame already shows the views.
        app: PmApp = self.app  # type: ignore[assignment]
        text = self._bar(app, short=False)
        width = self.size.width or app.size.width
        if width and text.cell_len > width:
            # A narrow terminal (80 columns) still shows every view's digit: the others shortened,
            # the current one whole.
            text = self._bar(app, short=True)
        return text

    def _bar(self, app: PmApp, short: bool) -> Text:
        product = app.wb.now.product
        text = Text()
        text.append(f" {product.key_prefix if product else 'pmtui'} ", style="bold reverse")
        for digit, mode, label in MODE_LABELS:
            if mode not in app.available_modes:
                continue
            text.append(" ")
            if mode == self.mode:
                text.append(f"{digit} {label}", style="bold reverse")
            else:
                text.append(digit, style="bold")
                text.append(f" {SHORT_LABELS.get(mode, label) if short else label}")
        text.append("  ? help", style="dim")
        return text


class TravelBanner(Static):
    """``⏪ AS OF 2026-11-10 14:30 · event #812 of 2450 · read-only`` while time travelling."""

    def __init__(self) -> None:
        super().__init__(id="travel-banner")

    def on_mount(self) -> None:
        self.show(self.app)  # type: ignore[arg-type]

    def show(self, app: PmApp) -> None:
        self.display = app.read_only
        if app.read_only:
            self.update(Text(f"{app.travel_label()} · read-only · [ ] {{ }} · t now", style="bold"))
