"""What every CLI command shares: the store and actor options, one-line errors, text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from pmtui.timespec import AsOf, local, parse_as_of

Handler = Callable[[argparse.Namespace, Any], Any]


class CliError(Exception):
    """A usage mistake found while parsing: printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def common_options(parser: argparse.ArgumentParser, *, query: bool = False, write: bool = False) -> None:
    """Options every leaf command takes; SUPPRESS lets them stand before or after the noun."""
    s = argparse.SUPPRESS
    parser.add_argument("--db", default=s, help="the store: a SQLite file or postgresql://user@host:port/db (env PMTUI_DB)")
    parser.add_argument("--actor", default=s, help="who is acting (default: your login name, env PMTUI_ACTOR)")
    parser.add_argument("--json", action="store_true", default=s, help="print JSON for scripts")
    parser.add_argument("--no-color", action="store_true", default=s,
                        help="plain text even on a terminal (also NO_COLOR=1; a pipe is always plain)")
    if query:
        parser.add_argument("--as-of", default=s, metavar="WHEN",
                            help="as of a date-time (2026-11-10 14:30), relative (-3d, -2w, -6h) or event (#123)")
    if write:
        parser.add_argument("--reason", default=s, help="why (kept in the history; expected for roadmap decisions)")


def command(sub: argparse._SubParsersAction, name: str, handler: Handler, help_text: str, *,
            query: bool = False, write: bool = False, aliases: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text, aliases=list(aliases))
    common_options(parser, query=query, write=write)
    parser.set_defaults(handler=handler, writes=write)
    return parser


def group(sub: argparse._SubParsersAction, name: str, help_text: str, default: Handler | None = None,
          query: bool = False) -> argparse._SubParsersAction:
    """A noun with verbs. With ``default``, the noun alone is a query (``pmtui roadmap``); its own
    options are added to ``nested.parser``."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    common_options(parser, query=query)
    nested = parser.add_subparsers(dest=f"{name}_verb", metavar="VERB", parser_class=Parser)
    parser.set_defaults(handler=default or (lambda args, wb: parser.print_help()), writes=False)
    nested.parser = parser  # type: ignore[attr-defined]
    return nested


def as_of(args: argparse.Namespace) -> AsOf:
    return parse_as_of(getattr(args, "as_of", None))


def reason(args: argparse.Namespace) -> str:
    return getattr(args, "reason", "") or ""


def wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


def to_jsonable(value: Any) -> Any:
    import msgspec  # here: the fast commands (a TAB's completion) import this module too

    return msgspec.to_builtins(value)


def emit(args: argparse.Namespace, text: str | Callable[[], str], data: Any = None) -> None:
    """Print ``data`` as JSON with ``--json``, else the human text."""
    if wants_json(args):
        print(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, default=str))
    else:
        out = text() if callable(text) else text
        if out:
            print(out)


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """An aligned text table: coloured and fitted to a terminal's width, plain in a pipe."""
    from pmtui.cli import output

    if output.color():
        return output.color_table(rows, headers)
    cells = [[output.clean(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(v.ljust(widths[i]) for i, v in enumerate(r)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def as_of_banner(args: argparse.Namespace, ws: Any) -> str:
    point = as_of(args)
    if point.is_now:
        return ""
    when = local(ws.at) if ws.count else "the beginning"
    return f"(as of {point.text}: event #{ws.position}, {when}; read-only)\n"


def fmt_points(points: float | None) -> str:
    return "" if points is None else f"{points:g}"


def out(text: str) -> None:
    sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0, 9), *range(11, 32), 127)}  # all but \t and \n
_CONTROL.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})  # C1 controls (8-bit CSI...)


def printable(text: str) -> str:
    """Stored text made safe for a terminal: control characters (an escape sequence in a customer's
    quote or a document) are shown as ``\\x1b`` instead of being obeyed; lines and tabs stay."""
    return str(text).translate(_CONTROL)
