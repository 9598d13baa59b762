"""Opening the store for one command and closing it again, whatever happens."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from pmtui import readmodel
from pmtui.cli.common import warn
from pmtui.storage import EventLog, locate, open_application
from projections.versions import DamagedRowError
from pmtui.service import Workbench


def _rebuild(args: argparse.Namespace) -> None:
    location = locate(getattr(args, "db", None))
    app = open_application(location)
    log = EventLog(app, location)
    try:
        readmodel.rebuild(log)
    finally:
        log.close()
        app.close()


def open_workbench(args: argparse.Namespace) -> Workbench:
    return Workbench(db=getattr(args, "db", None), actor=getattr(args, "actor", None))


def run(args: argparse.Namespace, handler: Callable[[argparse.Namespace, Any], Any]) -> int:
    if getattr(args, "raw_store", False):
        # Commands that must work on a store the read model cannot fold (``verify`` on a tampered
        # log) open the store themselves: they get the parsed arguments only.
        result = handler(args, None)
        return result if isinstance(result, int) else 0
    try:
        wb = open_workbench(args)
    except DamagedRowError as error:
        _rebuild(args)
        warn(f"pmtui: the read model was damaged ({error}); it has been rebuilt from the log, "
             "which is intact: run the command again")
        return 1
    if wb.integrity_warning:
        warn(f"pmtui: {wb.integrity_warning}")
    try:
        result = handler(args, wb)
    except DamagedRowError as error:
        # The read model is derived from the log: fold it again (no event is written, so a
        # command that had saved before the failure is not repeated) and say so on one line.
        wb.close()
        _rebuild(args)
        warn(f"pmtui: the read model was damaged ({error}); it has been rebuilt from the log, "
             "which is intact: run the command again")
        return 1
    except BaseException:
        wb.close()
        raise
    wb.close()
    return result if isinstance(result, int) else 0
