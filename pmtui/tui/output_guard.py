"""The TUI's last line of defence against stored text that is really terminal commands.

Textual writes the text of every line it draws to the terminal as it is; it strips only BEL, BS,
VT, FF and CR. An item titled ``\\e]52;…\\e\\\\\\e[2J`` (typed by a colleague, or imported from
Trello, Jira or CSV) would reach the terminal of whoever views it, locally or over SSH, and write
their clipboard, clear their screen or retitle their window. Escaping it in each widget would need
every widget to remember; instead the one place where drawn text becomes terminal output drops
the characters that can start a command. They are all zero cells wide, so nothing on screen
shifts; the stored text is unchanged. Textual's own sequences (colours, cursor moves, links) are
made from styles and controls outside a line's text, so they pass untouched.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from textual.strip import Strip

from pmtui.terminal import UNSAFE

_render = Strip.render


def _render_without_controls(self: Strip, console: Console) -> str:
    segments = self._segments
    if UNSAFE.search("".join(text for text, _, control in segments if not control)):
        self._segments = [segment if segment.control else Segment(UNSAFE.sub("", segment.text), segment.style)
                          for segment in segments]
    return _render(self, console)


def install() -> None:
    """Guard every line Textual draws in this process (idempotent)."""
    Strip.render = _render_without_controls  # type: ignore[method-assign]
