"""A store made by the release before the read model (its log only, no tables): verify says the
tables are not built yet (nothing is wrong), the first command builds them once and answers, and
from then on verify compares them with the log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from tests.cli.support import run


def test_an_old_store_is_built_on_first_open_and_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "old.db"
    wb = Workbench(db=str(db), actor="ann")
    wb.init_product("Shop", "PM")
    keys = [wb.add_item(f"Item {n}", points=n) for n in range(1, 6)]
    wb.move_item(keys[0], "In progress")
    wb.close()
    with sqlite3.connect(db) as conn:  # as the release before the read model left it
        for table in ("rm_version", "rm_current", "rm_history", "rm_entry", "rm_log", "rm_meta"):
            conn.execute(f"DROP {'VIEW' if table == 'rm_version' else 'TABLE'} {table}")
    code, out, _ = run(capsys, "--db", str(db), "verify", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["intact"] and verdict["read_model_built"] is False
    assert "not built yet" in run(capsys, "--db", str(db), "verify")[1]
    code, out, _ = run(capsys, "--db", str(db), "item", "show", keys[0])
    assert code == 0 and "In progress" in out
    code, out, _ = run(capsys, "--db", str(db), "verify", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["read_model_built"] is True and verdict["read_model"] is None
