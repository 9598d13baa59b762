"""The audit and portability commands as a user runs them: `pmtui verify`, `undo`, `redo`,
`export` and `import`, through the installed entry point."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PMTUI = str(Path(sys.executable).with_name("pmtui"))  # the entry point of the venv running the tests


def pmtui(db: str | Path, *args: str, actor: str = "ann", stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMTUI_DB": str(db), "PMTUI_ACTOR": actor}
    env.pop("PMTUI_ROLE", None)
    done = subprocess.run([PMTUI, *args], env=env, input=stdin, capture_output=True, timeout=120)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def ok(db: str | Path, *args: str, actor: str = "ann") -> str:
    done = pmtui(db, *args, actor=actor)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "team.db"
    ok(db, "product", "init", "Audit", "--key", "AU")
    ok(db, "item", "add", "Write the spec")  # events 1 product, 2 board, 3 item
    ok(db, "item", "comment", "AU-1", "a first draft is in the wiki")  # 4
    ok(db, "item", "edit", "AU-1", "--title", "Write the full spec")  # 5, then the move: 6
    ok(db, "item", "move", "AU-1", "To do")
    return db


def test_verify_counts_the_events_of_an_intact_store(store: Path) -> None:
    out = ok(store, "verify")
    assert "verified 6 events: the hash chain is intact" in out
    report = json.loads(ok(store, "verify", "--json"))
    assert report["intact"] and report["checked"] == 6 and report["broken_at"] is None


def test_verify_names_the_first_broken_link_and_exits_1(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'full', 'short') AS BLOB) "
                     "WHERE rowid = 5")
    done = pmtui(store, "verify")
    assert done.returncode == 1
    assert "BROKEN: event #5 (WorkItem.Edited" in done.stdout
    assert "4 events before it are intact" in done.stdout


def test_verify_still_works_when_the_log_cannot_even_be_read(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE stored_events SET state = X'7b7d' WHERE rowid = 4")  # {} : no longer an event
        conn.execute("DELETE FROM rm_meta")  # and the read model must be folded anew: it cannot be
    done = pmtui(store, "verify")
    assert done.returncode == 1 and "BROKEN: event #4" in done.stdout


def test_verify_expect_catches_a_cut_off_end(store: Path) -> None:
    head = json.loads(ok(store, "verify", "--json"))
    remembered = f"{head['head_seq']}:{head['head_hash']}"
    with sqlite3.connect(store) as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = 6")
        conn.execute("DELETE FROM pmtui_chain WHERE seq = 6")
    # The chain alone cannot tell, but the saved read model was folded further than the log goes.
    done = pmtui(store, "verify")
    assert done.returncode == 1 and "folded to #6, but the log ends at #5" in done.stdout
    ok(store, "rebuild")  # a thorough forger folds the read model anew, from the shortened log
    assert pmtui(store, "verify").returncode == 0
    done = pmtui(store, "verify", "--expect", remembered)
    assert done.returncode == 1 and "no link #6" in done.stdout
    bad = pmtui(store, "verify", "--expect", "6:nothex")
    assert bad.returncode == 2 and bad.stderr.startswith("pmtui: --expect wants SEQ:HASH")


def test_undo_and_redo_from_the_command_line_show_in_the_log(store: Path) -> None:
    assert "undo of #6" in ok(store, "undo", "--reason", "wrong column")
    assert "Backlog" in ok(store, "item", "show", "AU-1")
    log = ok(store, "log", "--limit", "1")
    assert "undo of #6: wrong column" in log and "moved from To do to Backlog" in log
    assert "redo of #7" in ok(store, "redo")
    assert "To do" in ok(store, "item", "show", "AU-1")
    assert json.loads(ok(store, "undo", "--json"))["undone"] == 8


def test_undo_of_someone_elses_later_change_is_refused_on_one_line(store: Path) -> None:
    ok(store, "item", "move", "AU-1", "In progress", actor="bob")
    ok(store, "item", "edit", "AU-1", "--points", "3", actor="bob")
    done = pmtui(store, "undo")
    assert done.returncode == 2
    assert done.stderr.startswith("pmtui: cannot undo #6") and "bob changed AU-1 since" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert json.loads(ok(store, "verify", "--json"))["checked"] == 8  # nothing written


def test_nothing_to_undo_or_redo(tmp_path: Path, store: Path) -> None:
    done = pmtui(store, "undo", actor="carol")
    assert done.returncode == 2 and "nothing to undo" in done.stderr
    done = pmtui(store, "redo")
    assert done.returncode == 2 and "nothing to redo" in done.stderr


def test_export_then_import_moves_the_store(tmp_path: Path, store: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    assert "exported 6 events" in ok(store, "export", "--out", str(backup))
    lines = backup.read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["seq"] == 1
    assert ok(store, "export") == backup.read_text()  # standard output by default
    fresh = tmp_path / "fresh.db"
    assert "imported 6 events" in ok(fresh, "import", str(backup))
    assert ok(fresh, "item", "show", "AU-1") == ok(store, "item", "show", "AU-1")
    assert ok(fresh, "log") == ok(store, "log")
    verified = ok(fresh, "verify")
    assert "verified 6 events" in verified and f"restored from {backup}" in verified
    assert json.loads(ok(fresh, "verify", "--json"))["head_hash"] == json.loads(ok(store, "verify", "--json"))["head_hash"]


def test_import_from_standard_input(tmp_path: Path, store: Path) -> None:
    data = ok(store, "export").encode()
    done = pmtui(tmp_path / "piped.db", "import", "-", stdin=data)
    assert done.returncode == 0 and "imported 6 events" in done.stdout


def test_import_refusals_are_one_line_and_write_nothing(tmp_path: Path, store: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    ok(store, "export", "--out", str(backup))
    done = pmtui(store, "import", str(backup))
    assert done.returncode == 2 and "already holds events" in done.stderr
    assert json.loads(ok(store, "verify", "--json"))["checked"] == 6

    broken = tmp_path / "broken.jsonl"
    broken.write_text(backup.read_text().replace("Write the full spec", "Write no spec"))
    fresh = tmp_path / "fresh.db"
    done = pmtui(fresh, "import", str(broken))
    assert done.returncode == 2 and "line 5: event #5 does not match its hash" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = pmtui(fresh, "import", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2 and done.stderr.startswith("pmtui: cannot read")
    done = pmtui(fresh, "import")
    assert done.returncode == 2 and "import what?" in done.stderr
    assert json.loads(ok(fresh, "export", "--out", str(tmp_path / "empty.jsonl"), "--json"))["events"] == 0


def test_export_to_a_directory_is_refused(tmp_path: Path, store: Path) -> None:
    done = pmtui(store, "export", "--out", str(tmp_path))
    assert done.returncode == 2 and "is a directory" in done.stderr


def test_verify_finds_a_forged_read_model_row_and_rebuild_mends_it(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        [(body,)] = conn.execute("SELECT body FROM rm_current WHERE key = 'AU-1'").fetchall()
        forged = body.replace(b"Write the full spec", b"Forged!!!!!!!!!!!!!")  # same length: still decodes
        assert forged != body
        conn.execute("UPDATE rm_current SET body = ? WHERE key = 'AU-1'", [forged])
    assert "Forged" in ok(store, "item", "show", "AU-1")  # what the forgery achieves
    done = pmtui(store, "verify")
    assert done.returncode == 1 and "BROKEN: the read model's view row items" in done.stdout
    assert "rebuilt the read model from" in ok(store, "rebuild")
    assert "Write the full spec" in ok(store, "item", "show", "AU-1")
    assert pmtui(store, "verify").returncode == 0


def test_a_damaged_read_model_row_is_one_line_not_a_crash(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE rm_current SET body = X'c1' WHERE key = 'AU-1'")
    done = pmtui(store, "item", "show", "AU-1")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "pmtui rebuild" in done.stderr
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
    assert pmtui(store, "verify").returncode == 1
    ok(store, "rebuild")
    assert "Write the full spec" in ok(store, "item", "show", "AU-1")


@pytest.mark.slow
def test_a_write_while_another_process_holds_the_write_lock_is_one_line(store: Path) -> None:
    """A long rebuild or import holds the store's write lock: a command waits (10 s), then says so."""
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = pmtui(store, "item", "edit", "AU-1", "--points", "2")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "the store is busy" in done.stderr
    assert "unexpected" not in done.stderr
