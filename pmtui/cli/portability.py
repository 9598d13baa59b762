"""``pmtui export`` and ``pmtui import``: the whole log as JSON Lines, out and back in.

Other formats (Trello, Jira, CSV) add their flags to these same two commands.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from pmtui.cli.common import command, emit
from pmtui.cli.importing import add_export_options, add_import_options, run_export, run_import
from pmtui.errors import UserError
from pmtui.progress import progress
from pmtui.service.workbench import Workbench


def export(args: argparse.Namespace, wb: Workbench) -> None:
    from pmtui.store.jsonl import export_jsonl

    if run_export(args, wb):  # --items --csv
        return
    if not args.out or args.out == "-":
        with progress("exporting", unit="events") as bar:  # on stderr: stdout carries the export
            export_jsonl(wb.log, sys.stdout.buffer, not args.unverified, bar)
        sys.stdout.flush()
        return
    target = Path(args.out).expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a directory; give a file name")
    # Write beside the target and rename, so a failed export never leaves half a file behind.
    try:
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as error:
        raise UserError(f"cannot write to {target.parent}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as out, progress("exporting", unit="events") as bar:
            count = export_jsonl(wb.log, out, not args.unverified, bar)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    emit(args, f"exported {count} events to {target}", {"events": count, "file": str(target)})


def import_(args: argparse.Namespace, wb: Workbench) -> None:
    from pmtui.store.jsonl import import_jsonl

    if run_import(args, wb):  # --trello, --jira, --csv
        return
    if not args.file:
        raise UserError("import what? give a JSON Lines file made by `pmtui export` (or - for standard input)")
    with progress("reading", unit="events") as bar:
        result = import_jsonl(wb, args.file, bar)
    emit(args, f"imported {result.count} events (up to #{result.head_seq}); chain head {result.head_hash}",
         {"events": result.count, "head_seq": result.head_seq, "head_hash": result.head_hash})


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "export", export, "write the whole history as JSON Lines (a backup, or to move the store)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--unverified", action="store_true",
                   help="export even if `pmtui verify` fails (to salvage a damaged store)")
    add_export_options(p)
    p = command(sub, "import", import_, "restore a `pmtui export` file (empty store), or import Trello, Jira, CSV",
                write=True)
    p.add_argument("file", nargs="?", metavar="FILE", help="the JSON Lines file (- for standard input)")
    add_import_options(p)
