"""``pmtui tui``: open the TUI on a chosen view, optionally in the past (``pmtui`` alone opens the board)."""

from __future__ import annotations

import argparse

from pmtui.cli.common import command

VIEWS = ["board", "sprint", "backlog", "roadmap", "okrs", "dashboard", "history"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = command(sub, "tui", open_tui, "open the terminal UI (the same as `pmtui` alone)", query=True)
    parser.add_argument("--view", choices=VIEWS, default="board", help="the view to start on")
    parser.add_argument("--no-mouse", action="store_true", default=argparse.SUPPRESS,
                        help="do not capture the mouse (kinder over SSH)")
    parser.add_argument("--theme", default=argparse.SUPPRESS, help="a Textual theme, e.g. textual-light")


def open_tui(args: argparse.Namespace, wb) -> int:  # type: ignore[no-untyped-def]
    from pmtui.tui.app import run_app
    return run_app(wb, args)
