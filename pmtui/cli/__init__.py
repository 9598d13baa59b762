"""``pmtui <noun> <verb>``: everything the TUI does, as commands. ``pmtui`` alone opens the TUI.

Each noun lives in its own module with a ``register(sub)`` function; add new ones to NOUNS.
A user's mistake prints one line on stderr and exits 2, writing nothing.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from domain.exceptions import DomainError
from pmtui.cli.common import CliError, Parser, common_options

# Modules under pmtui.cli, each registering one noun (or a few top-level verbs).
NOUNS = ["product", "item", "board", "backlog", "sprint", "release", "roadmap", "okr", "kpi", "log", "demo",
         "feedback", "doc"]
OPTIONAL_NOUNS = ["chart", "audit", "portability", "team", "tui"]  # added by later work; skipped if absent


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="pmtui", description=__doc__.splitlines()[0])
    common_options(parser, query=True, write=True)
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse (kinder over SSH)")
    sub = parser.add_subparsers(dest="noun", metavar="COMMAND", parser_class=Parser)
    for name in NOUNS + OPTIONAL_NOUNS:
        try:
            module = importlib.import_module(f"pmtui.cli.{name}")
        except ModuleNotFoundError as error:
            if name in OPTIONAL_NOUNS and error.name == f"pmtui.cli.{name}":
                continue
            raise
        module.register(sub)
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


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _glue_time_values(list(sys.argv[1:] if argv is None else argv))
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        handler = getattr(args, "handler", None)
        if handler is None:
            from pmtui.cli.launch import launch
            return launch(args)
        from pmtui.cli.session import run
        return run(args, handler)
    except CliError as error:
        print(str(error), file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"pmtui: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pmtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug, not the user's mistake: one line, the details on request
        if os.environ.get("PMTUI_DEBUG"):
            raise
        print(f"pmtui: unexpected error ({type(error).__name__}: {error}); "
              "set PMTUI_DEBUG=1 to see the traceback, and please report it", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
