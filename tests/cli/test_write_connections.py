"""A write command opens the store once and writes in one transaction (issue 10): counted in a
fresh interpreter, as a user runs it, by wrapping sqlite3.connect and tracing the statements."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sqlite3, sys
connections, statements = [], []
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    connections.append(args[0] if args else kwargs.get("database"))
    conn.set_trace_callback(statements.append)
    return conn
sqlite3.connect = connect
from pmtui.cli import main
code = main(sys.argv[1:])
print("\\nTRACE " + json.dumps({"code": code, "connections": connections, "statements": statements}))
"""


def traced(db: Path, *argv: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "PMTUI_ACTOR": "carol", "HOME": str(db.parent)}
    proc = subprocess.run([sys.executable, "-c", PROBE, "--db", str(db), *argv], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("TRACE ")), None)
    assert line is not None, proc.stderr
    found = json.loads(line[len("TRACE "):])
    assert found["code"] == 0, proc.stderr
    return found


@pytest.mark.parametrize("argv", [
    ["item", "edit", "AC-7", "--points", "5"],
    ["item", "move", "AC-7", "Backlog"],
    ["item", "comment", "AC-7", "looks good"],
    ["item", "add", "A new story"],
    ["kpi", "measure", "Conversion rate", "4.1"],
])
def test_a_write_opens_the_store_once_and_writes_in_one_transaction(demo_db: Path, argv: list[str]) -> None:
    found = traced(demo_db, *argv)
    assert found["connections"] == [str(demo_db)]
    statements = [s.strip() for s in found["statements"]]
    begins = [i for i, s in enumerate(statements) if s.upper().startswith("BEGIN")]
    commits = [i for i, s in enumerate(statements) if s.upper().startswith("COMMIT")]
    assert len(begins) == len(commits) == 1, statements  # the event, its link and its rows together
    inside = statements[begins[0]:commits[0]]
    assert sum(s.startswith("INSERT INTO stored_events") for s in inside) == 1
    assert sum(s.startswith("INSERT INTO pmtui_chain") for s in inside) == 1
    assert not [s for s in statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE")) and
                statements.index(s) not in range(begins[0], commits[0])]  # nothing written outside it
