"""Work items as CSV: export, edit in a spreadsheet, import back; and a bad file writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pmtui.importers.csv_items import HEADERS, export_items_csv, import_items_csv
from pmtui.importers.plan import ImportFormatError
from pmtui.service.workbench import Workbench


@pytest.fixture
def team(wb: Workbench) -> Workbench:
    wb.init_product("Shop", "SH")
    wb.add_release("1.0")
    wb.plan_sprint("Sprint 1")
    epic = wb.add_item("Checkout", kind="epic")
    wb.add_item("Pay by card", points=5, labels="payments,ui", assignee="ann", parent=epic, sprint="Sprint 1",
                release="1.0", moscow="must", description="Card payments,\nwith 3-D Secure")
    wb.add_item("Crash on empty cart", kind="bug", status="In progress")
    return wb


def exported(wb: Workbench) -> list[dict[str, str]]:
    out = io.StringIO()
    export_items_csv(wb, out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_export_writes_the_documented_headers_and_every_field(team: Workbench) -> None:
    rows = exported(team)
    assert list(rows[0]) == HEADERS
    card = next(r for r in rows if r["title"] == "Pay by card")
    assert card == {"key": "SH-2", "kind": "story", "title": "Pay by card", "status": "Backlog", "points": "5",
                    "labels": "payments,ui", "assignee": "ann", "epic": "SH-1", "sprint": "Sprint 1",
                    "release": "1.0", "moscow": "must", "description": "Card payments,\nwith 3-D Secure"}


def test_export_then_import_into_another_store_reproduces_the_items(team: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        export_items_csv(team, handle)
    other = Workbench(db=":memory:", actor="bea")
    other.init_product("Shop copy", "SC")
    result = import_items_csv(other, path)
    assert len(result.created) == 3 and result.sprints == ["Sprint 1"] and result.releases == ["1.0"]
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("key", "epic")} for r in rows]  # noqa: E731
    assert strip(exported(other)) == strip(exported(team))
    assert other.item("SC-2").parent == other.item("SC-1").id  # the epic link follows the new keys
    assert all(r.reason == "imported from CSV" for r in other.records() if r.name.startswith("WorkItem."))


def test_a_row_with_a_known_key_updates_only_the_columns_given(team: Workbench, tmp_path: Path) -> None:
    before = team.now.position
    path = write(tmp_path / "edit.csv", [["key", "status", "points"], ["SH-2", "Done", "8"], ["SH-3", "In progress", ""]])
    result = import_items_csv(team, path)
    assert result.updated == ["SH-2"] and result.unchanged == ["SH-3"]
    item = team.item("SH-2")
    assert (item.status, item.points, item.assignee, item.labels) == ("Done", 8, "ann", ["payments", "ui"])
    assert team.now.position - before == 2  # one edit (points), one move


def test_an_empty_cell_clears_the_field(team: Workbench, tmp_path: Path) -> None:
    import_items_csv(team, write(tmp_path / "clear.csv", [["key", "assignee", "sprint"], ["SH-2", "", ""]]))
    assert team.item("SH-2").assignee is None and team.item("SH-2").sprint is None


@pytest.mark.parametrize("rows, message", [
    ([["name"], ["x"]], "unknown column 'name'"),
    ([["kind"], ["bug"]], "need a title column"),
    ([["title", "status"], ["Fine", "Backlog"], ["Bad", "Nowhere"]], "line 3: no column 'Nowhere'"),
    ([["title", "points"], ["Bad", "lots"]], "line 2: points must be a number"),
    ([["title", "kind"], ["Bad", "saga"]], "line 2: item kind must be one of"),
    ([["title", "epic"], ["Orphan", "SH-2"]], "line 2: the epic SH-2 is neither"),
    ([["key", "title"], ["", ""]], None),
    ([["key", "kind"], ["SH-99", "bug"]], "a new item needs a title"),
    ([["title", "title"], ["a", "b"]], "appears twice"),
])
def test_a_bad_file_gives_one_clear_error_and_writes_nothing(team: Workbench, tmp_path: Path, rows, message) -> None:
    before = team.now.position
    path = write(tmp_path / "bad.csv", rows)
    if message is None:  # blank rows are skipped, not an error
        assert import_items_csv(team, path).created == []
    else:
        with pytest.raises(ImportFormatError, match=message):
            import_items_csv(team, path)
    assert team.now.position == before


def test_an_epic_can_be_a_row_further_down_the_same_file(team: Workbench, tmp_path: Path) -> None:
    path = write(tmp_path / "new.csv", [["key", "kind", "title", "epic"], ["", "story", "Child", "X-9"],
                                        ["X-9", "epic", "New epic", ""]])
    result = import_items_csv(team, path)
    child, epic = (team.item(k) for k in result.created)
    assert child.parent == epic.id and epic.kind == "epic"
