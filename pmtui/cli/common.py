"""What every CLI command shares: the store and actor options, one-line errors, text or JSON."""

from __future__ import annotations

import argparse
import functools
import sys
from operator import itemgetter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from datetime import date, datetime

from pmtui.terminal import safe_json, safe_json_bytes, safe_text
from pmtui.timespec import AsOf, iso, local, parse_as_of

Handler = Callable[[argparse.Namespace, Any], Any]


class CliError(Exception):
    """A usage mistake found while parsing: printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message} (see `{self.prog} --help`)")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every option it adds (to check its metavar), and a
        # formatter without a width imports shutil (and through it bz2 and lzma) for the
        # terminal's: given here, as shutil.get_terminal_size would find it.
        return self.formatter_class(prog=self.prog, width=terminal_width() - 2)


def terminal_width() -> int:
    """``shutil.get_terminal_size().columns`` without importing shutil: $COLUMNS, else stdout's
    terminal, else 80."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


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


class _Unbuilt:
    """Stands for the parser of a verb not asked for (see ``only_verb``): whatever a module adds
    to it goes nowhere."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


# The verb the command line names (``pmtui item edit ...``: "edit"), set while its noun's parser
# is built (pmtui.cli.build_parser): the noun's other verbs are left unbuilt (a noun's ten verbs
# with their options cost a write a few milliseconds of argparse). None: build every verb.
ONLY_VERB: list[str | None] = [None]


def command(sub: argparse._SubParsersAction, name: str, handler: Handler, help_text: str, *,
            query: bool = False, write: bool = False, aliases: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    only = ONLY_VERB[0]
    if only is not None and getattr(sub, "pmtui_noun", None) and only != name and only not in aliases:
        return _Unbuilt()  # type: ignore[return-value]
    parser = sub.add_parser(name, help=help_text, description=help_text, aliases=list(aliases))
    common_options(parser, query=query, write=write)
    parser.set_defaults(handler=handler, writes=write)
    return parser


def group(sub: argparse._SubParsersAction, name: str, help_text: str, default: Handler | None = None,
          query: bool = False, **default_args: Any) -> argparse._SubParsersAction:
    """A noun with verbs. With ``default``, the noun alone is a query (``pmtui roadmap``, ``pmtui
    sprint`` for the active sprint); its own options are added to ``nested.parser``, and
    ``default_args`` give the values its verb's options would have had (``pmtui doc`` is ``pmtui doc
    list`` with no filter)."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    common_options(parser, query=query)
    nested = parser.add_subparsers(dest=f"{name}_verb", metavar="VERB", parser_class=Parser)
    parser.set_defaults(handler=default or (lambda args, wb: parser.print_help()), writes=False, **default_args)
    nested.parser = parser  # type: ignore[attr-defined]
    nested.pmtui_noun = name  # type: ignore[attr-defined] - its verbs may be left unbuilt (ONLY_VERB)
    return nested


def as_of(args: argparse.Namespace) -> AsOf:
    return parse_as_of(getattr(args, "as_of", None))


def reason(args: argparse.Namespace) -> str:
    return getattr(args, "reason", "") or ""


def wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


# Fields that hold a moment as epoch seconds in the read model: ``--json`` writes them as ISO 8601
# with the zone, the one date format of every command. ``done`` is a moment only in a flow (in a
# sprint's day it is points).
TIME_FIELDS = frozenset({"recorded", "occurred", "created", "updated", "started", "started_at", "closed_at",
                         "at", "closed", "moment"})
TIME_FIELDS_OF = {"ItemFlow": frozenset({"done"})}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _jsonable_field(name: str, value: Any, times: frozenset[str]) -> Any:
    if name in times and isinstance(value, (int, float)) and not isinstance(value, bool):
        return iso(value)
    return value if type(value) in _SCALARS else to_jsonable(value)


def to_jsonable(value: Any) -> Any:
    """Plain JSON values, moments as ISO 8601 strings (see TIME_FIELDS)."""
    kind = type(value)
    if kind in _SCALARS:  # most of a large answer (a board's 50k cards): nothing to convert
        return value
    if kind is dict and TIME_FIELDS.isdisjoint(value):  # plain records (cards, backlog rows)
        return {k if type(k) is str else str(k): v if type(v) in _SCALARS else to_jsonable(v)
                for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _SCALARS else to_jsonable(v) for v in value]
    import msgspec  # here: the fast commands (a TAB's completion) import this module too

    if isinstance(value, msgspec.Struct):
        times = TIME_FIELDS | TIME_FIELDS_OF.get(type(value).__name__, frozenset())
        fields = {f: _jsonable_field(f, getattr(value, f), times) for f in value.__struct_fields__}
        return list(fields.values()) if value.__struct_config__.array_like else fields
    if isinstance(value, dict):
        return {str(k): _jsonable_field(str(k), v, TIME_FIELDS) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return msgspec.to_builtins(value)


def json_default(value: Any) -> Any:
    """Dates and times in ``--json``: ISO 8601, with the zone for moments."""
    if isinstance(value, datetime):
        return iso(value.timestamp())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def json_text(data: Any, plain: bool = False) -> str:
    """``data`` as indented JSON, exactly as ``json.dumps(..., indent=2)`` writes it. The standard
    library indents in pure Python (seconds for a 50k-card board); its C encoder writes the compact
    form and msgspec re-indents that token by token, numbers untouched. JSON msgspec cannot read
    (NaN, a lone surrogate) takes the slow path. ``plain``: ``data`` holds JSON values only (no
    moments, structs or dates), so ``to_jsonable``'s copy of it is skipped (a third of a 50k-card
    board's ``--json``)."""
    import json  # here: only ``--json`` writes JSON (a write's text answer never imports it)

    import msgspec

    values = data if plain else to_jsonable(data)
    try:
        compact = json.dumps(values, ensure_ascii=False, default=json_default).encode()
        return msgspec.json.format(compact, indent=2).decode()
    except (UnicodeEncodeError, msgspec.DecodeError):
        return json.dumps(values, indent=2, ensure_ascii=False, default=json_default)


def emit(args: argparse.Namespace, text: str | Callable[[], str], data: Any = None, colors: bool = False,
         plain: bool = False) -> None:
    """Print ``data`` as JSON with ``--json``, else the human text; either way with control
    characters escaped (stored text may hold any). ``colors``: the text holds pmtui's own colours.
    Either may be given as a function, called only for the form printed (a large answer).
    ``plain``: ``data`` is made of JSON values only (see ``json_text``)."""
    if wants_json(args):
        print(safe_json(json_text(data() if callable(data) else data, plain)))
    else:
        out = text() if callable(text) else text
        if out:
            print(safe_text(out, keep_colors=colors or _painted()))


def json_bytes(data: Any, indent: int = 0) -> bytes:
    """``data`` (JSON values and msgspec Structs, e.g. views decoded with only the fields
    printed) as ``--json`` writes it (``json_text``'s indented form, control characters escaped),
    encoded by msgspec in one call: a 50k-card board as dicts and ``json.dumps`` took three times
    as long. Numbers are written as msgspec writes them (``1e16`` where ``json.dumps`` writes
    ``1e+16``: the same number). ``indent``: each line indented so many spaces more (a part of a
    larger document)."""
    import msgspec

    try:
        return indented(msgspec.json.encode(data), indent)
    except (UnicodeEncodeError, TypeError, ValueError):  # a lone surrogate, a value JSON lacks
        text = safe_json(json_text(msgspec.to_builtins(data), plain=True)).encode("utf-8", "surrogateescape")
        return b" " * indent + text.replace(b"\n", b"\n" + b" " * indent) if indent else text


def indented(compact: bytes, indent: int = 0) -> bytes:
    """Compact JSON as ``json_bytes`` writes it: formatted, escaped, each line indented ``indent``."""
    import msgspec

    text = safe_json_bytes(msgspec.json.format(compact, indent=2))
    # JSON text holds no raw line break but between its tokens: each starts an indented line.
    return b" " * indent + text.replace(b"\n", b"\n" + b" " * indent) if indent else text


def json_list(values: Sequence[bytes], indent: int = 0, order: Sequence[int] | None = None,
              block: int = 2000) -> Iterator[bytes]:
    """A JSON list of values given as their compact JSON (in ``order``, indexes into them, if
    given) as ``json_bytes`` writes it at ``indent`` (from its opening bracket on: the caller
    writes what leads to it), a block of values at a time: a large list is written as it is
    formatted, never held whole as text."""
    rows = range(len(values)) if order is None else order
    if not rows:
        yield b"[]"
        return
    yield b"[\n"
    head, tail = len(b" " * indent + b"[\n"), len(b"\n" + b" " * indent + b"]")
    for start in range(0, len(rows), block):
        picked = values[start:start + block] if order is None else [values[n] for n in rows[start:start + block]]
        yield (b",\n" if start else b"") + indented(b"[" + b",".join(picked) + b"]", indent)[head:-tail]
    yield b"\n" + b" " * indent + b"]"


def write_text(parts: Iterable[str]) -> None:
    """Plain text to stdout a part at a time, control characters escaped, then a line break."""
    for part in parts:
        sys.stdout.write(safe_text(part))
    sys.stdout.write("\n")


def write_out(parts: Iterable[bytes]) -> None:
    """Bytes to stdout as they come (a large answer is never held whole), then a line break."""
    stream = getattr(sys.stdout, "buffer", None)
    sys.stdout.flush()
    for part in parts:
        if stream is None:  # a text stream alone (a test's, an embedding program's)
            sys.stdout.write(part.decode("utf-8", "surrogateescape"))
        else:
            stream.write(part)
    sys.stdout.write("\n")
    sys.stdout.flush()


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """An aligned text table: coloured and fitted to a terminal's width, plain in a pipe."""
    from pmtui.cli import output

    if output.color():
        return output.color_table(rows, headers)
    columns = [[v if type(v) is str else "" if v is None else str(v) for v in column] for column in zip(*rows)]
    return plain_columns(columns if rows else [[] for _ in headers], headers)


def column_table(columns: list[list[Any]], headers: list[str]) -> str:
    """``table`` of the same cells given column by column, each cell a string (a 50k-row listing
    builds its columns with one comprehension each, not a list per row)."""
    from pmtui.cli import output

    if output.color():
        return output.color_table(list(zip(*columns)), headers)
    return plain_columns(columns, headers)


def plain_columns(columns: list[list[Any]], headers: list[str]) -> str:
    """The plain table: each cell left-aligned in its column's width, two spaces between columns,
    each line's trailing blanks cut; every cell a string."""
    return "\n".join(plain_blocks(columns, headers))


def plain_blocks(columns: list[list[Any]], headers: list[str], order: Sequence[int] | None = None,
                 size: int = 4096) -> Iterator[str]:
    """``plain_columns``' lines, a block at a time (joined by line breaks, they are its text), with
    the rows in ``order`` (indexes into the columns) if given: a 100k-row list is written as it
    is made, never held whole as text. Built with C-level maps, a call a row (a Python loop over
    a 50k-row backlog's rows took a third of the command's time)."""
    from pmtui.cli import output

    columns = columns[:len(headers)]
    # A look at each column's text for control characters; only then cell by cell.
    if any(output.dirty("".join(column)) for column in columns):
        columns = [[output.clean(v) for v in column] for column in columns]
    widths = [max(len(h), max(map(len, column), default=0)) for h, column in zip(headers, columns)]
    pattern = "  ".join(f"{{:<{w}}}" for w in widths)
    yield "\n".join([pattern.format(*headers).rstrip(), pattern.format(*("-" * w for w in widths)).rstrip()])
    if not columns or not columns[0]:
        return
    # Each row by one %-format; the last column unpadded: its padding would be cut with the
    # trailing blanks anyway.
    row = "  ".join([*(f"%-{w}s" for w in widths[:-1]), "%s"])
    rows = range(len(columns[0])) if order is None else order
    for start in range(0, len(rows), size):
        block = rows[start:start + size]
        if order is None:
            cells = [column[start:start + size] for column in columns]
        else:  # each column's cells of the block picked in C (one itemgetter of the block's rows)
            pick = itemgetter(*block) if len(block) > 1 else lambda column: (column[block[0]],)
            cells = list(map(pick, columns))
        yield "\n".join(map(str.rstrip, map(row.__mod__, zip(*cells))))


def as_of_banner(args: argparse.Namespace, ws: Any) -> str:
    point = as_of(args)
    if point.is_now:
        return ""
    when = local(ws.at) if ws.count else "the beginning"
    return f"(as of {point.text}: event #{ws.position}, {when}; read-only)\n"


@functools.lru_cache(maxsize=256)  # a handful of estimates, printed for every row of a 50k backlog
def fmt_points(points: float | None) -> str:
    return "" if points is None else f"{points:g}"


def out(text: str) -> None:
    sys.stdout.write(safe_text(text, keep_colors=_painted()) + ("\n" if not text.endswith("\n") else ""))


def _painted() -> bool:
    """Whether output is coloured: then pmtui's own colour codes (SGR only) stay, every other
    control sequence is still escaped (stored text is cleaned before it is painted)."""
    from pmtui.cli import output

    return output.color()


def warn(text: str) -> None:
    """One line on stderr, control characters escaped."""
    print(safe_text(text), file=sys.stderr)
