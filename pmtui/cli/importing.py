"""The format flags of ``pmtui import`` and ``pmtui export``: Trello, Jira and CSV.

``pmtui/cli/portability.py`` owns the two commands (the JSON Lines log); it calls
``add_import_options``/``add_export_options`` when registering them and hands a run to
``run_import``/``run_export`` first, which return False when no format flag was given.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from pmtui.cli.common import emit, reason
from pmtui.errors import UserError
from pmtui.importers.csv_items import CSV_HELP, export_items_csv, import_items_csv
from pmtui.service.workbench import Workbench

IMPORT_EPILOG = f"""\
Trello: --trello board.json (Menu > Print and export > JSON) makes a board of the export's
lists, cards become items, and the export's actions replay at their original times by their
original members (reason "imported from Trello"). Into a fresh store the board becomes the product.
Jira: --jira issues.json (REST search with expand=changelog: {{"issues": [...]}}, a list, or a list
of {{"data": issue}}) replays status, sprint and story-point changes at their original times.
Unknown actions are skipped and counted; a malformed file writes nothing.
Items are known by their source ids: importing the same export again writes nothing, a newer
one brings what changed since, into the board holding those items. --board NAME imports into
that board (created if absent): the next page of a Jira search, another project's issues.

{CSV_HELP}"""


def add_import_options(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--trello", metavar="FILE", help="import a Trello board export (JSON)")
    formats.add_argument("--jira", metavar="FILE", help="import Jira issues with their changelog (JSON)")
    formats.add_argument("--csv", metavar="FILE", help="import or update work items from CSV (headers below)")
    parser.add_argument("--board", metavar="NAME",
                        help="with --trello/--jira: import into this board (added to it if it exists)")
    parser.epilog = IMPORT_EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def add_export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", action="store_true", help="export the work items (not the log) as CSV")
    parser.add_argument("--csv", action="store_true", help="CSV format (work items; implies --items)")
    parser.add_argument("--archived", action="store_true", help="with --items: include archived items")
    parser.epilog = CSV_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run_import(args: argparse.Namespace, wb: Workbench) -> bool:
    """Import a Trello, Jira or CSV file if one of those flags was given; False otherwise."""
    trello, jira, csv_file = getattr(args, "trello", None), getattr(args, "jira", None), getattr(args, "csv", None)
    if not (trello or jira or csv_file):
        return False
    if getattr(args, "file", None):
        raise UserError("give either a JSON Lines FILE or one of --trello/--jira/--csv, not both")
    board = getattr(args, "board", None)
    if csv_file:
        if board:
            raise UserError("--board goes with --trello or --jira (a CSV names each item's board by its key)")
        result = import_items_csv(wb, csv_file, note=reason(args))
        emit(args, result.summary(), result.as_data())
        return True
    if board is not None and not board.strip():
        raise UserError("--board needs a board name")
    from pmtui.importers.apply import apply_plan
    if trello:
        from pmtui.importers.trello import plan_file
        plan = plan_file(trello)
    else:
        from pmtui.importers.jira import plan_file as plan_jira
        plan = plan_jira(jira)
    plan.note = reason(args)
    with ProgressBar(len(plan.steps), sys.stderr) as bar:
        report = apply_plan(wb, plan, board=board, progress=bar.advance)
    emit(args, report.summary(), report.as_data())
    return True


class ProgressBar:
    """A one-line bar on stderr for an import that takes over a second; silent when stderr is not
    a terminal (a pipe, a log file, a test)."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO, delay: float = 1.0) -> None:
        self.total, self.stream, self.done = max(total, 1), stream, 0
        self.shown = False
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.delay, self.last = delay, 0.0

    def __enter__(self) -> ProgressBar:
        return self

    def advance(self, steps: int) -> None:
        self.done = min(self.total, self.done + steps)
        now = time.monotonic()
        if not self.live or now - self.started < self.delay or now - self.last < 0.1:
            return
        self.last, self.shown = now, True
        filled = self.WIDTH * self.done // self.total
        self.stream.write(f"\rimporting [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{self.done}/{self.total} steps")
        self.stream.flush()

    def __exit__(self, *_: object) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")  # clear the bar's line: the summary follows on stdout
            self.stream.flush()


def run_export(args: argparse.Namespace, wb: Workbench) -> bool:
    """Export the work items as CSV if --items or --csv was given; False otherwise."""
    if not (getattr(args, "items", False) or getattr(args, "csv", False)):
        return False
    include_archived = bool(getattr(args, "archived", False))
    out = getattr(args, "out", None)
    if not out or out == "-":
        count = export_items_csv(wb, sys.stdout, include_archived)
        sys.stdout.flush()
        return True
    target = Path(out).expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a directory; give a file name")
    try:
        with target.open("w", encoding="utf-8", newline="") as handle:
            count = export_items_csv(wb, handle, include_archived)
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    emit(args, f"exported {count} items to {target}", {"items": count, "file": str(target)})
    return True
