"""How the CLI writes for a person: colour and the terminal's width on a terminal; plain text in
a pipe, with ``NO_COLOR`` (https://no-color.org), ``--no-color`` or ``TERM=dumb``. ``--json``
output never changes.

Colour is drawn with rich (installed with Textual), imported only when colour is on, so a piped
command pays nothing for it. Stored text reaches the terminal only through ``clean`` or rich
``Text`` objects: never as markup, never with its control characters.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

PLAIN_WIDTH = 120  # a pipe has no width: the one scripts and tests have always seen
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class _State:
    color = False
    width = PLAIN_WIDTH
    no_color_flag = False  # --no-color was given (known before parsing, for parse errors too)


STATE = _State()


def color_wanted(stream: IO[str] | None = None, *, no_color: bool = False,
                 environ: Mapping[str, str] | None = None) -> bool:
    """Colour only for a person: a terminal, without NO_COLOR, --no-color or TERM=dumb."""
    env = os.environ if environ is None else environ
    if no_color or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def configure(*, no_color: bool = False, json_output: bool = False, stream: IO[str] | None = None) -> None:
    """Decide once per command how stdout is written."""
    stream = sys.stdout if stream is None else stream
    STATE.no_color_flag = STATE.no_color_flag or no_color
    STATE.color = not json_output and color_wanted(stream, no_color=STATE.no_color_flag)
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if tty:  # shutil (and through it bz2 and lzma) only for a terminal: a piped command never asks
        import shutil

        STATE.width = shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns
    else:
        STATE.width = PLAIN_WIDTH


def color() -> bool:
    return STATE.color


def width() -> int:
    return STATE.width


def dirty(text: str) -> bool:
    """Does the text hold a character ``clean`` would replace?"""
    return _CONTROL.search(text) is not None


def clean(value: Any) -> str:
    """Text safe to print: control characters (escape sequences, bidi overrides) shown as '?'."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("?", text) if _CONTROL.search(text) else text


def console(out_width: int | None = None) -> Any:
    """A rich console that renders to a string (the caller prints it)."""
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), force_terminal=True, width=out_width or width(), no_color=False,
                   color_system="standard", highlight=False, emoji=False, markup=False)


def render(*renderables: Any, out_width: int | None = None) -> str:
    target = console(out_width)
    for renderable in renderables:
        target.print(renderable)
    return target.file.getvalue().rstrip("\n")


# Styles by column name: keys and numbers stand out, reasons recede.
COLUMN_STYLES = {
    "key": "bold cyan", "event": "cyan", "name": "bold", "sprint": "bold", "user": "bold", "ref": "bold cyan",
    "who": "magenta", "actor": "magenta", "role": "magenta", "why": "italic", "goal": "italic",
    "description": "italic", "occurred": "dim", "when": "dim", "comment": "italic",
}
NARROW_FIRST = {"why", "title", "goal", "description", "change", "comment", "what"}


def color_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False, expand=False)
    for header in headers:
        wide = header in NARROW_FIRST  # wrapped first when the terminal is narrow
        table.add_column(header, style=COLUMN_STYLES.get(header, ""), overflow="fold",
                         no_wrap=not wide, ratio=2 if wide else None, min_width=4 if wide else None)
    for row in rows:
        table.add_row(*(Text(clean(v)) for v in row))
    return render(table)


def paint(text: str, style: str) -> str:
    """``text`` (already clean) in a rich style, when colour is on."""
    if not STATE.color or not text:
        return text
    from rich.text import Text

    return render(Text(text, style=style, no_wrap=True, overflow="ignore"), out_width=max(len(text) + 1, 10))


def error_line(message: str) -> str:
    """A one-line error for stderr: red when stderr is a terminal, plain elsewhere."""
    if color_wanted(sys.stderr, no_color=STATE.no_color_flag):
        return f"\x1b[31m{message}\x1b[0m"
    return message
