"""``pmtui <noun> <verb>``: everything the TUI does, as commands. ``pmtui`` alone opens the TUI.

Each noun lives in its own module with a ``register(sub)`` function; add new ones to NOUNS, and
its top-level command words to COMMANDS. A user's mistake prints one line on stderr and exits 2,
writing nothing.

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
# Each top-level command word: the module that registers it, and its help line. A command's parser
# is built from its own module alone, so ``pmtui item edit`` never imports the charts, the importers
# or the SSH server, and ``pmtui --help`` lists the commands from here without importing any
# (tests/cli/test_command_imports.py checks this table against what the modules register).
COMMANDS: dict[str, tuple[str, str]] = {
    "product": ("product", "the product: init, show, edit"),
    "item": ("item", "work items: add, show, edit, move, rank, archive, comment, link"),
    "board": ("board", "show the board (columns, WIP, cards); columns and WIP limits: `pmtui columns`"),
    "columns": ("board", "configure board columns, WIP limits and swimlanes"),
    "backlog": ("backlog", "the ranked backlog (open, unplanned items; --all: every item); filter with kind:bug label:x "
                "points>3 assignee:me …"),
    "sprint": ("sprint", "sprints: plan, add, start, show, close, list; alone: the active sprint"),
    "release": ("release", "releases and milestones; alone: the list"),
    "roadmap": ("roadmap", "the roadmap: Now / Next / Later (or --timeline by quarter); add, move, decide, "
                "link, decisions"),
    "okr": ("okr", "objectives and key results: progress; add, kr, checkin, edit"),
    "kpi": ("kpi", "KPIs: latest values, targets, breaches; add, measure, edit"),
    "log": ("log", "the history: who changed what, when and why (newest first)"),
    "demo": ("demo", "fill an empty store with a realistic demo workspace (backdated history)"),
    "feedback": ("feedback", "customer feedback notes: add, list (the inbox), show, link, unlink, tag, archive, "
                 "import, evidence; alone: the list"),
    "doc": ("doc", "documents (PRD, spec, strategy, release notes, meeting notes) with their history: add, edit, "
            "show, list, log, diff, blame; alone: the list"),
    "chart": ("chart", "draw a metric or KPI chart (burndown, velocity, cumulative flow, ...)"),
    "verify": ("audit", "check the hash chain: finds events edited, removed, reordered or renumbered in the "
               "database"),
    "rebuild": ("audit", "fold the read model's tables again from the log (after an upgrade, or when verify finds them "
                "changed)"),
    "undo": ("audit", "reverse your last change with a new event (history keeps both)"),
    "redo": ("audit", "reverse your last undo with a new event"),
    "export": ("portability", "write the whole history as JSON Lines (a backup, or to move the store)"),
    "import": ("portability", "restore a `pmtui export` file (empty store), or import Trello, Jira, CSV"),
    "user": ("team", "who may log in over SSH (`pmtui serve`), with which keys and role"),
    "serve": ("team", "run the SSH server: each login gets its own pmtui session"),
    "tui": ("tui", "open the terminal UI (the same as `pmtui` alone)"),
}


@functools.lru_cache(maxsize=None)
def build_parser(command: str | None = None, verb: str | None = None) -> argparse.ArgumentParser:
    """The command tree, built once per process (parsing with it keeps no state). With a known
    ``command`` word, only that command's module is imported and registered; else every noun's
    (for ``--help``, completion, and an unknown word's error, which lists them all). With a
    ``verb`` too, only that verb of the noun is built (``common.ONLY_VERB``)."""
    from pmtui.cli import common, fast

    modules = [COMMANDS[command][0]] if command in COMMANDS else NOUNS + OPTIONAL_NOUNS
    parser, sub = _root()
    common.ONLY_VERB[0] = verb if command in COMMANDS else None
    try:
        for name in modules:
            try:
                module = importlib.import_module(f"pmtui.cli.{name}")
            except ModuleNotFoundError as error:
                if name in OPTIONAL_NOUNS and error.name == f"pmtui.cli.{name}":
                    continue
                raise
            module.register(sub)
    finally:
        common.ONLY_VERB[0] = None
    if command not in COMMANDS:
        fast.register(sub)
    return parser


def _root() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """The top of the tree: the options every command takes, and where the commands go."""
    from pmtui import __version__

    parser = Parser(prog="pmtui", description=(__doc__ or "").splitlines()[0])
    common_options(parser, query=True, write=True)
    parser.add_argument("--version", action="version", version=f"pmtui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse (kinder over SSH)")
    parser.add_argument("--theme", default=argparse.SUPPRESS,
                        help="TUI: a Textual theme, e.g. textual-light (env PMTUI_THEME, config theme)")
    sub = parser.add_subparsers(dest="noun", metavar="COMMAND", parser_class=Parser)
    return parser, sub


def help_parser() -> argparse.ArgumentParser:
    """The top of the tree with each command's help line from COMMANDS and nothing below: it
    prints ``pmtui --help`` as the whole tree does, without importing a command's module."""
    from pmtui.cli import fast

    parser, sub = _root()
    for word, (_, text) in COMMANDS.items():
        sub.add_parser(word, help=text)
    fast.register(sub)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse with the parser of the command word alone when there is one (``--help`` before it
    asks for every command); a mistake is parsed again by the whole tree, so its message (and
    an abbreviated option taking a command's name as its value) is as the whole tree says."""
    from pmtui.cli import fast

    found = fast.command_word(argv)
    if {"-h", "--help"} & set(argv if found is None else argv[: found[0]]):
        return help_parser().parse_args(argv)  # prints the help and exits
    if found is None or found[1] not in COMMANDS:
        return build_parser().parse_args(argv)
    verb = None if {"-h", "--help"} & set(argv) else fast.command_word(argv[found[0] + 1:])
    try:
        return build_parser(found[1], verb[1] if verb else None).parse_args(argv)
    except CliError:
        return build_parser().parse_args(argv)


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
        args = parse(args_list)
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
