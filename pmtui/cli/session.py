"""Opening the store for one command and closing it again, whatever happens."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from pmtui.cli.common import warn
from pmtui.service.workbench import Workbench


def open_workbench(args: argparse.Namespace) -> Workbench:
    return Workbench(db=getattr(args, "db", None), actor=getattr(args, "actor", None), progress=building_progress())


def building_progress() -> Callable[[int, int], None]:
    """On a terminal, a line that counts the events folded while an old store's read model is
    built on its first open (once; quiet when stderr is piped), and says when it is done."""
    import sys
    import time

    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        if not sys.stderr.isatty() or total < 5000:
            return
        sys.stderr.write(f"\rbuilding the read model of this store (once): {done:,}/{total:,} events")
        if done >= total:
            sys.stderr.write(f" in {time.perf_counter() - started:.1f} s\n")
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace, handler: Callable[[argparse.Namespace, Any], Any]) -> int:
    if getattr(args, "raw_store", False):
        # Commands that must work on a store the read model cannot fold (``verify`` on a tampered
        # log) open the store themselves: they get the parsed arguments only.
        result = handler(args, None)
        return result if isinstance(result, int) else 0
    wb = open_workbench(args)
    if wb.integrity_warning:
        warn(f"pmtui: {wb.integrity_warning}")
    try:
        result = handler(args, wb)
    finally:
        wb.close()
    return result if isinstance(result, int) else 0
