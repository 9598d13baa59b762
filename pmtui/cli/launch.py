"""``pmtui`` with no command: open the TUI on the store, with a demo workspace if it is empty."""

from __future__ import annotations

import argparse
import os
import sys

from pmtui.cli.session import open_workbench


def launch(args: argparse.Namespace) -> int:
    from pmtui.tui.app import check_theme, require_terminal, run_tui

    require_terminal()  # before anything is written: a pipe gets one line, not a demo
    check_theme(getattr(args, "theme", None))
    wb = open_workbench(args)  # opened once: the TUI runs on it (and closes it)
    try:
        if wb.now.product is None and os.environ.get("PMTUI_SSH_SESSION"):
            # A team's store: a demo there would be a surprise; the product is made on the server.
            print(f"pmtui: the store {wb.location.describe()} is empty: an admin creates the product on the "
                  "server first (`pmtui product init NAME --key KEY`)", file=sys.stderr)
            wb.close()
            return 2
        if wb.now.product is None:
            from pmtui.service.demo import generate
            print(f"pmtui: the store {wb.location.describe()} is empty; creating a demo workspace…", file=sys.stderr)
            generate(wb)
    except BaseException:
        wb.close()
        raise
    return run_tui(args, wb)
