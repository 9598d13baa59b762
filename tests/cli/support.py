"""Helpers the CLI tests share: run the CLI in process, count the stored events."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pmtui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``pmtui *argv`` in this process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def event_count(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
