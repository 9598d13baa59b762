"""Work items as CSV, out and back in: a spreadsheet round trip.

Export writes one row per item with the documented headers. Import reads the same headers (any
order, any subset that includes ``title`` or ``key``): a row whose key names an item in the store
updates that item (only the columns present; an empty cell clears the field), any other row creates
a new item. The whole file is validated against the store before the first write, so a bad row
writes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from domain.exceptions import NothingChangedError
from pmtui.importers.plan import ImportFormatError, check_item_values
from pmtui.service.workbench import Workbench
from projections.state import ItemView, Workspace

HEADERS = ["key", "kind", "title", "status", "points", "labels", "assignee", "epic", "sprint", "release",
           "moscow", "description"]
REASON = "imported from CSV"

CSV_HELP = """\
CSV work items (`pmtui export --items --csv [--out FILE]`, `pmtui import --csv FILE`):
UTF-8, comma-separated, first row the headers, in any order; import needs title (or key):
  key          the item's key (PM-12). On import an existing key updates that item (only the
               columns given; an empty cell clears the field); an empty or unknown key creates one
  kind         epic, story, bug, task or spike (new items: story when empty)
  title        one line, at most 200 characters
  status       the board column (new items: the board's first column when empty)
  points       a number of 0 or more, or empty
  labels       words separated by commas or spaces (ui,backend)
  assignee     a login name
  epic         the parent epic's key: an epic in the store or an epic row of the same file
  sprint       a sprint name (planned on the board if it does not exist)
  release      a release name (created if it does not exist)
  moscow       must, should, could or wont
  description  free text (may span lines inside double quotes)
The whole file is checked first: one bad row writes nothing."""


# Export ---------------------------------------------------------------------------------------------
def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def item_row(ws: Workspace, item: ItemView) -> list[str]:
    parent = ws.items.get(item.parent) if item.parent else None
    sprint = ws.sprints.get(item.sprint) if item.sprint else None
    release = ws.releases.get(item.release) if item.release else None
    return [item.key, item.kind, item.title, item.status, _number(item.points), ",".join(item.labels),
            item.assignee or "", parent.key if parent else "", sprint.name if sprint else "",
            release.name if release else "", item.moscow or "", item.description]


def export_items_csv(wb: Workbench, out: TextIO, include_archived: bool = False) -> int:
    """Write the items, board by board in rank order; returns how many."""
    ws = wb.now
    boards = list(ws.boards)
    items = sorted((i for i in ws.items.values() if include_archived or not i.archived),
                   key=lambda i: (boards.index(i.board_id) if i.board_id in boards else len(boards), i.rank))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    for item in items:
        writer.writerow(item_row(ws, item))
    return len(items)


# Import ---------------------------------------------------------------------------------------------
@dataclass
class CsvRow:
    line: int
    key: str  # as written in the file ("" when none)
    existing: ItemView | None
    fields: dict[str, Any]  # validated item fields present in the file (title, kind, points, ...)
    status: str | None
    epic: str | None
    sprint: str | None
    release: str | None
    present: set[str]


@dataclass
class CsvImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sprints: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)
    events: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        text = f"imported CSV: {', '.join(parts)} ({self.events} event(s))"
        if self.sprints:
            text += f"; planned sprint(s) {', '.join(self.sprints)}"
        if self.releases:
            text += f"; added release(s) {', '.join(self.releases)}"
        return text

    def as_data(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "sprints": self.sprints, "releases": self.releases, "events": self.events}


def read_csv(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = list(reader)
    except OSError as error:
        raise ImportFormatError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path}: not UTF-8 text") from None
    except csv.Error as error:
        raise ImportFormatError(f"{path}: not readable as CSV ({error})") from None
    if not rows:
        raise ImportFormatError(f"{path}: empty file (the first row must be the headers: {','.join(HEADERS)})")
    headers = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in headers if h not in HEADERS]
    if unknown:
        raise ImportFormatError(f"{path}: unknown column {unknown[0]!r} (columns: {','.join(HEADERS)})")
    if len(set(headers)) != len(headers):
        raise ImportFormatError(f"{path}: a column appears twice in the headers")
    if "title" not in headers and "key" not in headers:
        raise ImportFormatError(f"{path}: the headers need a title column (or key, to update items)")
    records = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(headers):
            raise ImportFormatError(f"{path}, line {number}: {len(cells)} cells but {len(headers)} headers")
        records.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}))
    return headers, records


def plan_rows(wb: Workbench, path: str | Path) -> list[CsvRow]:
    """Every row read and checked against the store; raises on the first bad one."""
    headers, records = read_csv(path)
    ws = wb.now
    board = wb.board()
    rows: list[CsvRow] = []
    for line, cells in records:
        where = f"{path}, line {line}"
        key = cells.get("key", "").strip().upper()
        existing = ws.item_by_key(key) if key else None
        present = set(cells) - {"key"}
        if existing is None and not cells.get("title", "").strip():
            raise ImportFormatError(f"{where}: a new item needs a title")
        if existing is not None and existing.archived:
            raise ImportFormatError(f"{where}: {existing.key} is archived; restore it before updating it")
        raw = {name: cells[name].strip() if name != "description" else cells[name]
               for name in ("kind", "title", "points", "labels", "assignee", "moscow", "description") if name in cells}
        if existing is None and not raw.get("kind"):
            raw["kind"] = "story"
        fields = check_item_values(raw, where)
        status = cells.get("status", "").strip() or None
        columns = (ws.boards[existing.board_id] if existing else board).column_names
        if status is not None:
            match = next((c for c in columns if c.lower() == status.lower()), None)
            if match is None:
                raise ImportFormatError(f"{where}: no column {status!r} (columns: {', '.join(columns)})")
            status = match
        rows.append(CsvRow(line, key, existing, fields, status, cells.get("epic", "").strip().upper() or None,
                           cells.get("sprint", "").strip() or None, cells.get("release", "").strip() or None,
                           present))
    _check_epics(ws, rows, path)
    return rows


def _check_epics(ws: Workspace, rows: list[CsvRow], path: str | Path) -> None:
    epics_in_file = {r.key for r in rows if r.key and (r.fields.get("kind") or (r.existing and r.existing.kind)) == "epic"}
    for row in rows:
        if row.epic is None:
            continue
        in_store = ws.item_by_key(row.epic)
        if row.epic in epics_in_file or (in_store is not None and in_store.kind == "epic"):
            continue
        raise ImportFormatError(f"{path}, line {row.line}: the epic {row.epic} is neither an epic in the store "
                                f"nor an epic row of this file")


def import_items_csv(wb: Workbench, path: str | Path, note: str = "") -> CsvImportResult:
    """Create and update items from the file; ``note`` (the user's --reason) joins every reason."""
    rows = plan_rows(wb, path)
    reason = REASON + (f": {note}" if note else "")
    result = CsvImportResult()
    start = wb.now.position
    board = wb.board().name
    ws = wb.now
    for name in dict.fromkeys(r.release for r in rows if r.release):
        if not any(rel.name.lower() == name.lower() for rel in ws.releases.values()):
            wb.add_release(name, reason=reason)
            result.releases.append(name)
    for name in dict.fromkeys(r.sprint for r in rows if r.sprint):
        if not any(s.name.lower() == name.lower() for s in ws.sprints.values()):
            wb.plan_sprint(name, board=board, reason=reason)
            result.sprints.append(name)
    keys: dict[str, str] = {}  # key in the file -> key in the store
    for row in rows:
        values = dict(row.fields)
        for name in ("sprint", "release"):
            if name in row.present:
                values[name] = getattr(row, name)
        if row.existing is None:
            title, kind = values.pop("title"), values.pop("kind", "story")
            fields = {k: v for k, v in values.items() if v not in (None, "", [])}
            new_key = wb.add_item(title, kind=kind, status=row.status, board=board, reason=reason, **fields)
            result.created.append(new_key)
            if row.key:
                keys[row.key] = new_key
            continue
        key = row.existing.key
        keys[row.key] = key
        changed = False
        try:
            wb.edit_item(key, reason=reason, **values)
            changed = True
        except NothingChangedError:
            pass
        if row.status and row.status != wb.item(key).status:
            wb.move_item(key, row.status, reason=reason)
            changed = True
        (result.updated if changed else result.unchanged).append(key)
    for row in rows:  # parents last: an epic may be a row further down the file
        if "epic" not in row.present:
            continue
        key = keys[row.key] if row.key else _created_key(rows, row, result)
        epic = keys.get(row.epic, row.epic) if row.epic else None
        current = wb.item(key).parent
        wanted = wb.item(epic).id if epic else None
        if current != wanted:
            wb.edit_item(key, reason=reason, parent=epic)
            if key not in result.created and key not in result.updated:
                result.unchanged.remove(key)
                result.updated.append(key)
    result.events = wb.now.position - start
    return result


def _created_key(rows: list[CsvRow], row: CsvRow, result: CsvImportResult) -> str:
    """The store key of a new row without a key: the n-th created item."""
    new_rows = [r for r in rows if r.existing is None]
    return result.created[new_rows.index(row)]
