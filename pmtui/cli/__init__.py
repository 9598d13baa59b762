"""``pmtui <noun> <verb>``: everything the TUI does, as commands. ``pmtui`` alone opens the TUI.

Each noun lives in its own module with a ``register(sub)`` function; add new ones to NOUNS.
A user's mistake prints one line on stderr and exits 2, writing nothing.

A few commands must answer fast (``--version``, ``version``, ``completion``, ``config`` and the
hidden ``__complete`` a shell runs on each TAB): ``main`` sends them to ``pmtui.cli.fast`` before
anything heavy (the store, eventsourcing, every command's module) is imported.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from pmtui.cli.common import CliError, Parser, common_options, warn
from pmtui.terminal import safe_text

# Modules under pmtui.cli, each registering one noun (or a few top-level verbs).
NOUNS = ["product", "item", "board", "backlog", "sprint", "release", "roadmap", "okr", "kpi", "log", "demo",
         "feedback", "doc"]
OPTIONAL_NOUNS = ["chart", "audit", "portability", "team", "tui"]  # added by later work; skipped if absent


@functools.lru_cache(maxsize=1)
def build_parser() -> argparse.ArgumentParser:
    """The whole command tree, built once per process (parsing with it keeps no state; building
    it imports every noun's module, most of a short command's time)."""
    from pmtui import __version__
    from pmtui.cli import fast

    parser = Parser(prog="pmtui", description=(__doc__ or "").splitlines()[0])
    common_options(parser, query=True, write=True)
    parser.add_argument("--version", action="version", version=f"pmtui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse (kinder over SSH)")
    parser.add_argument("--theme", default=argparse.SUPPRESS,
                        help="TUI: a Textual theme, e.g. textual-light (env PMTUI_THEME, config theme)")
    sub = parser.add_subparsers(dest="noun", metavar="COMMAND", parser_class=Parser)
    for name in NOUNS + OPTIONAL_NOUNS:
        try:
            module = importlib.import_module(f"pmtui.cli.{name}")
        except ModuleNotFoundError as error:
            if name in OPTIONAL_NOUNS and error.name == f"pmtui.cli.{name}":
                continue
            raise
        module.register(sub)
    fast.register(sub)
    return parser


TIME_OPTIONS = ("--as-of", "--since", "--until", "--at")


def _glue_time_values(argv: list[str]) -> list[str]:
    """``--as-of -3d`` would read -3d as an option: glue such values on (``--as-of=-3d``)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in TIME_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def apply_settings(args: argparse.Namespace) -> Any:
    """Fill the store, actor and theme from flags > environment > the config file, and set the
    process's time zone and the output's colour. Returns the settings (``pmtui.config.Settings``)."""
    from pmtui import config
    from pmtui.cli import output

    flags = {name: getattr(args, name, None) for name in ("db", "actor", "theme")}
    settings = config.load(flags)
    for name in ("db", "actor", "theme"):
        setattr(args, name, settings.get(name) if settings.values[name].source != "default" else None)
    args.settings = settings
    config.apply_timezone(settings)
    output.configure(no_color=bool(getattr(args, "no_color", False)), json_output=bool(getattr(args, "json", False)))
    return settings


def _undecodable(argv: list[str]) -> str | None:
    """The first argument that is not valid UTF-8 text (Python hands such bytes over as lone
    surrogates), shown escaped; None if all are."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return repr(arg.encode("utf-8", "surrogateescape"))[1:]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from pmtui.cli import output
    from pmtui.errors import DomainError

    args_list = _glue_time_values(list(sys.argv[1:] if argv is None else argv))
    output.STATE.no_color_flag = "--no-color" in args_list
    bad = _undecodable(args_list)
    if bad is not None:
        print(f"pmtui: the argument {bad} is not valid UTF-8 text", file=sys.stderr)
        return 2
    try:
        from pmtui.cli import fast

        quick = fast.dispatch(args_list)
        if quick is not None:
            return quick
        parser = build_parser()
        args = parser.parse_args(args_list)
        apply_settings(args)
        handler = getattr(args, "handler", None)
        if handler is None:
            from pmtui.cli.launch import launch
            return launch(args)
        from pmtui.cli.session import run
        return run(args, handler)
    except CliError as error:
        print(output.error_line(safe_text(str(error))), file=sys.stderr)
        return 2
    except DomainError as error:
        text = str(error)
        print(output.error_line(safe_text(text if text.startswith("pmtui") else f"pmtui: {text}")), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pmtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug, not the user's mistake: one line, the details on request
        if os.environ.get("PMTUI_DEBUG"):
            raise
        if "database is locked" in str(error):  # another process held the write lock past the timeout
            warn("pmtui: the store is busy: another process (a rebuild, an import) has held its write lock "
                 "for over 10 s; nothing was written, try again when it is done")
            return 2
        warn(f"pmtui: unexpected error ({type(error).__name__}: {error}); "
             "set PMTUI_DEBUG=1 to see the traceback, and please report it")
        return 1


if __name__ == "__main__":
    sys.exit(main())
