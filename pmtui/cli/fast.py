"""The commands that must answer at once: ``--version``, ``version``, ``config``, ``completion``
and ``__complete`` (what a shell runs on each TAB).

``main`` hands them over before the parser of every command is built: they import only the
standard library and the small modules they need (no eventsourcing, Textual, plotext, asyncssh
or psycopg on SQLite), so a TAB costs about as much as starting Python.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

FAST = ("version", "config", "completion", "__complete")
# Options every command takes, and whether each takes a value (to find the command word).
GLOBAL_VALUES = {"--db", "--actor", "--as-of", "--reason", "--theme"}
GLOBAL_FLAGS = {"--json", "--no-color", "--no-mouse"}


def command_word(argv: Sequence[str]) -> tuple[int, str] | None:
    """The position and text of the first word that is not a global option (or its value)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in GLOBAL_VALUES:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return i, word
    return None


def dispatch(argv: list[str]) -> int | None:
    """Run a fast command and return its exit code, or None for the ordinary path."""
    found = command_word(argv)
    before = argv if found is None else argv[: found[0]]
    if "--version" in before or "-V" in before:
        from pmtui import __version__

        print(f"pmtui {__version__}")
        return 0
    if found is None or found[1] not in FAST:
        return None
    if found[1] == "__complete":  # never an error, never a slow path: a TAB must not hang
        from pmtui.cli import completion

        return completion.complete_command(argv[found[0] + 1:])
    parser = _parser()
    args = parser.parse_args(argv)
    return int(args.fast_handler(args) or 0)


def _parser() -> argparse.ArgumentParser:
    from pmtui.cli.common import Parser, common_options

    parser = Parser(prog="pmtui")
    common_options(parser)
    sub = parser.add_subparsers(dest="noun", parser_class=Parser)
    register(sub)
    return parser


def register(sub: argparse._SubParsersAction) -> None:
    """The fast commands, in the full parser too (for ``--help`` and completion)."""
    from pmtui.cli.common import common_options

    p = sub.add_parser("version", help="pmtui's version, the store's schema version and event count",
                       description="pmtui's version, the store's schema version and event count")
    common_options(p)
    p.set_defaults(fast_handler=version, handler=_via_fast(version), writes=False, raw_store=True)
    p = sub.add_parser("config", help="the config file's path and each setting in force, with where it came from",
                       description="the config file's path and each setting in force, with where it came from")
    common_options(p)
    p.set_defaults(fast_handler=show_config, handler=_via_fast(show_config), writes=False, raw_store=True)
    p = sub.add_parser("completion", help="print the shell completion script: bash, zsh or fish",
                       description="print the shell completion script (see the README: every day)")
    p.add_argument("shell", choices=["bash", "zsh", "fish"])
    p.set_defaults(fast_handler=completion_script, handler=_via_fast(completion_script), writes=False,
                   raw_store=True)


def _via_fast(handler: Any) -> Any:
    """In the full parser these commands open no store (raw_store): they read what they need."""
    def run(args: argparse.Namespace, _wb: Any) -> int:
        return int(handler(args) or 0)
    return run


def _settings(args: argparse.Namespace) -> Any:
    from pmtui import config
    from pmtui.cli import output

    settings = config.load({"db": getattr(args, "db", None), "actor": getattr(args, "actor", None)})
    output.configure(no_color=bool(getattr(args, "no_color", False)), json_output=bool(getattr(args, "json", False)))
    return settings


def version(args: argparse.Namespace) -> int:
    import platform

    from pmtui import __version__
    from pmtui.service.storeinfo import store_info

    settings = _settings(args)
    info = store_info(settings.get("db"))
    if getattr(args, "json", False):
        import json

        print(json.dumps({"version": __version__, "python": platform.python_version(), **info}, indent=2))
        return 0
    schema = info["schema_version"]
    events = "" if info["events"] is None else f", {info['events']} events"
    state = "" if info["exists"] else " (not created yet)"
    print(f"pmtui {__version__} (Python {platform.python_version()})")
    print(f"store: {info['store']}{state}: schema {schema if schema is not None else '-'}{events}")
    return 0


def show_config(args: argparse.Namespace) -> int:
    from pmtui.cli.output import clean, paint

    settings = _settings(args)
    rows = {name: value for name, value in settings.values.items()}
    if getattr(args, "json", False):
        import json

        print(json.dumps({"file": str(settings.path), "exists": settings.file_exists,
                          "settings": {n: {"value": v.value, "source": v.source} for n, v in rows.items()},
                          "keys": settings.keys}, indent=2))
        return 0
    missing = "" if settings.file_exists else " (none; every value has its default)"
    print(f"config file: {clean(settings.path)}{missing}")
    for name, value in rows.items():
        shown = clean(value.value) if value.value is not None else _default_text(name)
        print(f"  {paint(name.ljust(11), 'bold')} {shown}  {paint('(' + value.source + ')', 'dim')}")
    if settings.keys:
        print("  keys:")
        for binding, key in settings.keys.items():
            print(f"    {clean(binding)} = {clean(key)}")
    return 0


def _default_text(name: str) -> str:
    if name == "db":
        from pmtui.service.storeinfo import default_db_path

        return str(default_db_path())
    if name == "actor":
        import getpass

        return getpass.getuser()
    if name == "timezone":
        import time

        return time.tzname[0]
    return "-"


def completion_script(args: argparse.Namespace) -> int:
    from pmtui.cli.completion import script

    sys.stdout.write(script(args.shell))
    return 0
