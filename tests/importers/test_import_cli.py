"""``pmtui import --trello/--jira/--csv`` and ``pmtui export --items --csv`` as a user runs them:
real processes on a SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.importers.conftest import fixture_path
from tests.importers.test_trello_fixtures import expected_as_of

pytestmark = pytest.mark.slow


def pmtui(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMTUI_DB": str(db), "PMTUI_ACTOR": "migrator"}
    env.pop("PMTUI_ROLE", None)
    return subprocess.run([sys.executable, "-m", "pmtui.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def events(db: Path) -> list[dict]:
    result = pmtui(db, "log", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_trello_import_then_board_log_as_of_and_verify_match_the_export(tmp_path: Path) -> None:
    path = fixture_path("trello", "board-export.json")
    export = json.loads(path.read_text())
    db = tmp_path / "store.db"
    result = pmtui(db, "import", "--trello", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["items"] == 20 and report["created_product"] and report["skipped"]["addChecklistToCard"] == 7
    lists = {lst["id"]: lst["name"] for lst in export["lists"]}
    key_to_card = {key: cid for cid, key in report["keys"].items()}

    def board(*extra: str) -> dict[str, tuple[str, bool]]:
        shown = pmtui(db, "board", "--json", *extra)
        assert shown.returncode == 0, shown.stderr
        return {key_to_card[c["key"]]: (col["name"], False) for col in json.loads(shown.stdout)["columns"]
                for c in col["cards"]}

    assert board() == {c["id"]: (lists[c["idList"]], False) for c in export["cards"] if not c["closed"]}
    for when in ("2019-04-02T12:25:00+00:00", "2019-04-02T12:36:00+00:00", "2019-04-02T21:00:00+00:00",
                 "2019-04-03T10:30:00+00:00"):
        expected = {cid: state for cid, state in expected_as_of(export, datetime.fromisoformat(when)).items()
                    if not state[1]}
        assert board("--as-of", when) == expected, when

    log = events(db)
    assert {e["actor"] for e in log} == {"ryanhimmelwright", "trello"}
    assert all(e["reason"] == "imported from Trello" for e in log)
    verified = pmtui(db, "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_malformed_export_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "board.json"
    bad.write_text('{"lists": [{"id": "x", "name": "A"}], "cards": [{"id": "c", "idList": "nope"}]}')
    db = tmp_path / "store.db"
    result = pmtui(db, "import", "--trello", str(bad))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("pmtui: ")
    assert "which the export lacks" in result.stderr and "Traceback" not in result.stderr
    assert events(db) == []


def test_jira_import_from_the_command_line(tmp_path: Path) -> None:
    path = fixture_path("jira", "puppet-issues.json")
    db = tmp_path / "store.db"
    result = pmtui(db, "import", "--jira", str(path), "--reason", "moving off Jira")
    assert result.returncode == 0, result.stderr
    assert {e["reason"] for e in events(db)} == {"imported from Jira: moving off Jira"}
    assert "imported 5 item(s) from Jira into board 'Puppet'" in result.stdout
    assert "Rank change 11" in result.stdout
    issues = [e["data"] for e in json.loads(path.read_text())]
    shown = json.loads(pmtui(db, "board", "--json").stdout)
    statuses = sorted(c_col["name"] for c_col in shown["columns"] for _ in c_col["cards"])
    assert statuses == sorted(i["fields"]["status"]["name"] for i in issues)


def test_csv_export_edit_import_updates_items_and_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    db, other = tmp_path / "store.db", tmp_path / "other.db"
    assert pmtui(db, "import", "--trello", str(fixture_path("trello", "test-board-export.json"))).returncode == 0
    csv_file = tmp_path / "items.csv"
    exported = pmtui(db, "export", "--items", "--csv", "--out", str(csv_file))
    assert exported.returncode == 0 and "exported 4 items" in exported.stdout
    lines = csv_file.read_text().splitlines()
    assert lines[0] == "key,kind,title,status,points,labels,assignee,epic,sprint,release,moscow,description"
    assert pmtui(db, "export", "--csv").stdout.splitlines()[0] == lines[0]  # --csv alone means the items too

    # Edit one row as a spreadsheet would, import it back: that item changes, the others do not.
    edited = tmp_path / "edited.csv"
    edited.write_text("key,status,points\nTB-1,List B,3\n")
    result = pmtui(db, "import", "--csv", str(edited))
    assert result.returncode == 0, result.stderr
    assert "0 created, 1 updated" in result.stdout
    card = json.loads(pmtui(db, "item", "show", "TB-1", "--json").stdout)
    assert (card["status"], card["points"]) == ("List B", 3)

    # Into a store whose board has other columns: refused with one line, nothing written.
    assert pmtui(other, "product", "init", "Other", "--key", "OT").returncode == 0
    before = len(events(other))
    refused = pmtui(other, "import", "--csv", str(csv_file))
    assert refused.returncode == 2 and "no column 'List A'" in refused.stderr
    assert len(events(other)) == before


def test_the_csv_headers_are_documented_in_the_help_of_both_commands(tmp_path: Path) -> None:
    for command in ("import", "export"):
        helped = pmtui(tmp_path / "store.db", command, "--help").stdout
        for header in ("key", "kind", "title", "status", "points", "labels", "assignee", "epic", "sprint",
                       "release", "moscow", "description"):
            assert f"\n  {header} " in helped, (command, header)


def test_jira_pages_join_one_board_with_board_and_importing_again_says_nothing_new(tmp_path: Path) -> None:
    from tests.importers.test_jira_edge_cases import issue
    db = tmp_path / "store.db"
    page1, page2 = tmp_path / "page1.json", tmp_path / "page2.json"
    page1.write_text(json.dumps({"issues": [dict(issue("WEB-1"), id="1"), {"key": "X-1"}]}))
    page2.write_text(json.dumps({"issues": [dict(issue("WEB-2", "Done", "done"), id="2")]}))
    first = pmtui(db, "import", "--jira", str(page1))
    assert first.returncode == 0 and "skipped 1: issue without fields 1" in first.stdout, first.stdout + first.stderr
    refused = pmtui(db, "import", "--jira", str(page2))
    assert refused.returncode == 2 and "--board 'Web Shop'" in refused.stderr and refused.stderr.count("\n") == 1
    added = pmtui(db, "import", "--jira", str(page2), "--board", "Web Shop")
    assert added.returncode == 0 and "imported 1 item(s) from Jira into board 'Web Shop'" in added.stdout
    assert added.stderr == ""  # no progress bar when stderr is not a terminal
    again = pmtui(db, "import", "--jira", str(page1))
    assert again.returncode == 0 and again.stdout.startswith("nothing new from Jira")
    shown = json.loads(pmtui(db, "board", "--json").stdout)
    assert sorted(c["name"] for col in shown["columns"] for c in [col] * len(col["cards"])) == ["Done", "In Progress"]
