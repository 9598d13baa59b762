"""The backlog view: every open item, ranked, with its scores; filter, sort, reorder, bulk edit.

Rows are the item views themselves (formatted only when painted), epics followed by their children
(foldable). Filtering uses the backlog query language of ``projections.backlog_view``; a mistake
in a query shows as one line under the filter, the previous rows stay.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from itertools import compress
from operator import attrgetter, is_not
from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from domain.exceptions import DomainError
from pmtui.service.workbench import Workbench
from pmtui.store.backlog_pages import STEP_LIMIT, BacklogRows, PagedBacklog
from pmtui.store.board_pages import touched
from pmtui.store.readmodel import StoredWorkspace
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.screens.base import PmScreen
from pmtui.tui.tentative import swapped_rows
from pmtui.tui.widgets.item_table import Cell, Column, ItemTable
from projections.backlog_view import SORTS, backlog, backlog_query, parse_query
from projections.state import ItemView, Workspace

SORT_ORDER = ["rank", "points", "rice", "wsjf", "moscow", "status", "kind", "key", "title", "assignee", "updated",
              "evidence"]
# Sorts that read naturally biggest-first are already descending in SORTS; the arrow shows ▼ for them.
_DESCENDING_BY_NATURE = {"points", "rice", "wsjf", "updated", "created"}
_KIND_SHORT = {"story": "stry", "epic": "epic", "bug": "bug", "task": "task", "spike": "spik"}
_KIND_STYLE = {"epic": "bold magenta", "bug": "red", "spike": "cyan", "task": "", "story": "green"}
_MOSCOW_SHORT = {"must": "M", "should": "S", "could": "C", "wont": "W"}
WIDE = 110
_parent_of, _id_of, _kind_of = attrgetter("parent"), attrgetter("id"), attrgetter("kind")
_EPIC = "epic"  # from this width the table shows full names and the assignee


def _number(value: float | None, digits: int = 0) -> str:
    """Whole numbers as they are, others rounded to ``digits`` (RICE 20.833 shows as 21)."""
    if value is None:
        return ""
    return f"{value:.{digits}f}" if digits or value != int(value) else f"{value:g}"


def tree_rows(items: list[ItemView], folded: set[str]) -> tuple[list[ItemView], dict[str, int], set[str]]:
    """Items in display order: each epic followed by its children (unless folded).

    Returns the rows, each indented item's depth, and the ids of epics that have children to show."""
    # Only epics are parents; these scans run in C (50,000 items each time travel step).
    present = set(map(_id_of, compress(items, map(_EPIC.__eq__, map(_kind_of, items)))))
    if not present or present.isdisjoint(map(_parent_of, items)):  # no child to indent (read in C)
        return items, {}, set()
    children: dict[str, list[ItemView]] = {}
    top: list[ItemView] = []
    for item in items:
        parent = item.parent
        if parent is not None and parent in present and parent != item.id:
            children.setdefault(parent, []).append(item)
        else:
            top.append(item)
    if not children:
        return items, {}, set()
    rows: list[ItemView] = []
    depth: dict[str, int] = {}

    def emit(item: ItemView, level: int) -> None:
        rows.append(item)
        if level:
            depth[item.id] = level
        if item.id not in folded and level < 8:
            for child in children[item.id]:
                if child.id in children:
                    emit(child, level + 1)
                else:
                    rows.append(child)
                    depth[child.id] = level + 1

    for item in top:
        if item.id in children:
            emit(item, 0)
        else:
            rows.append(item)
    return rows, depth, set(children)


class SortedBacklog:
    """The filtered, sorted items of the last look, patched rather than re-sorted when only a few
    items changed since (a time-travel step or a live update changes one event's worth; sorting
    50,000 items costs more than the whole step may)."""

    PATCH_LIMIT = 200

    def __init__(self) -> None:
        self.key: tuple[str, str, bool] | None = None
        self.items: dict[str, ItemView] | None = None
        self.result: list[ItemView] = []

    def get(self, ws: Workspace, query: str, sort: str, descending: bool, me: str) -> list[ItemView]:
        key = (query, sort, descending)
        # By evidence, the order moves with the notes, not the items: always sorted afresh.
        if key == self.key and self.items is not None and not descending and sort != "evidence":
            patched = self._patch(ws, query, sort, me)
            if patched is not None:
                return patched
        # The items first: the backlog then picks its rows from these very views (a stored
        # workspace's subsets reuse a loaded table), which the next patch finds by identity.
        items = dict(ws.items)
        self.result = backlog(ws, query, sort, me=me, descending=descending)
        self.key, self.items = key, items
        return self.result

    def _patch(self, ws: Workspace, query: str, sort: str, me: str) -> list[ItemView] | None:
        before, now = self.items, ws.items
        assert before is not None
        # Both maps hold items in creation order: compare the common part view by view (in C).
        old_keys, new_keys = list(before), list(now)
        common = min(len(old_keys), len(new_keys))
        if old_keys[:common] != new_keys[:common]:
            return None
        changed = list(compress(now.values(), map(is_not, before.values(), now.values())))
        changed += [now[k] for k in new_keys[common:]]
        removed = old_keys[common:]
        if len(changed) + len(removed) > self.PATCH_LIMIT:
            return None
        if not changed and not removed:
            return self.result
        result = list(self.result)
        sort_key = SORTS[sort]
        for old in [before[k] for k in removed] + [before[v.id] for v in changed if v.id in before]:
            at = bisect_left(result, sort_key(old), key=sort_key)
            while at < len(result) and result[at] is not old and sort_key(result[at]) == sort_key(old):
                at += 1
            if at < len(result) and result[at] is old:
                del result[at]
        wanted = parse_query(query, ws, me) if query.strip() else None
        show_archived = "is:archived" in query.lower()
        for item in changed:
            if (show_archived or not item.archived) and (wanted is None or wanted(item)):
                insort(result, item, key=sort_key)
        self.result, self.items = result, dict(now)
        return result


class BacklogScreen(PmScreen):
    mode = "backlog"
    AUTO_FOCUS = "#backlog-table"  # never the hidden filter field: keys typed on arrival are commands
    WRITE_ACTIONS = frozenset({"rank", "new", "archive", "bulk", "comment"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "toggle_all", "All", tooltip="Show done and planned items too (a again: open, unplanned only)",
                id="backlog.toggle_all"),
        Binding("escape", "clear_filter", "Clear filter", show=False, tooltip="Clear the filter",
                id="backlog.clear_filter"),
        Binding("slash", "filter", "Filter", id="backlog.filter"),
        Binding("o", "sort", "Sort", id="backlog.sort"),
        Binding("O", "reverse_sort", "Reverse", show=False, id="backlog.reverse_sort"),
        Binding("J", "rank('down')", "Rank down", show=False, id="backlog.rank.down"),
        Binding("K", "rank('up')", "Rank up", show=False, id="backlog.rank.up"),
        Binding("n", "new", "New", id="backlog.new"),
        Binding("c", "comment", "Comment", show=False, tooltip="Comment on the item", id="backlog.comment"),
        Binding("e", "edit", "Edit", id="backlog.edit"),
        Binding("d", "archive", "Archive", show=False, id="backlog.archive"),
        Binding("b", "bulk", "Bulk", id="backlog.bulk"),
        Binding("z", "fold", "Fold", show=False, id="backlog.fold"),
        Binding("Z", "fold_all", "Fold all", show=False, id="backlog.fold_all"),
        Binding("left,h", "fold(True)", "Fold", show=False, id="backlog.fold.on"),
        Binding("right,l", "fold(False)", "Unfold", show=False, id="backlog.fold.off"),
        Binding("x", "clear_selection", "Unselect", show=False, id="backlog.clear_selection"),
    ]
    DEFAULT_CSS = """
    BacklogScreen #backlog-filter { height: 1; border: none; padding: 0 1; display: none; }
    BacklogScreen #backlog-filter.shown { display: block; }
    BacklogScreen #backlog-status { height: 1; padding: 0 1; background: $panel; }
    BacklogScreen #backlog-error { height: 1; padding: 0 1; color: $error; display: none; }
    BacklogScreen #backlog-error.shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.show_all = False  # False: the backlog proper (open, unplanned); True: every item
        self.sort = "rank"
        self.descending = False
        self.folded: set[str] = set()
        self.rows: Sequence[ItemView] = []
        self._depth: dict[str, int] = {}
        self._parents: set[str] = set()
        self._wide = False
        self._shown: tuple[object, ...] = ()
        self.sorted = SortedBacklog()  # a workspace in memory (not the store's): every item sorted
        self._paged: PagedBacklog | None = None  # the store's: the order, read as entries

    # Layout ----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter: kind:bug label:x points>3 assignee:me text  (⏎ apply)", id="backlog-filter")
        yield Static("", id="backlog-error")
        yield Static("", id="backlog-status")
        yield ItemTable(self._columns(False), self._cells, row_key=lambda i: i.id,
                        empty_text="Nothing here: a shows done and planned items too, / filters, n adds one.", id="backlog-table")

    @property
    def table(self) -> ItemTable:
        return self.query_one("#backlog-table", ItemTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.refresh_view()  # (the screen's resume asks again: that second look is skipped)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        if wide != self._wide:
            self._wide = wide
            self.table.columns = self._columns(wide)
            self.table.refresh()

    def _columns(self, wide: bool) -> list[Column]:
        if wide:
            return [Column("kind", "Kind", 5), Column("key", "Key", 8), Column("title", "Title"),
                    Column("points", "Pts", 4, "right"), Column("rice", "RICE", 6, "right"),
                    Column("wsjf", "WSJF", 5, "right"), Column("moscow", "MoSCoW", 6), Column("status", "Status", 12),
                    Column("sprint", "Sprint", 12), Column("assignee", "Who", 8)]
        return [Column("kind", "Kind", 4), Column("key", "Key", 8), Column("title", "Title"),
                Column("points", "Pts", 3, "right"), Column("rice", "RICE", 5, "right"),
                Column("wsjf", "WSJF", 4, "right"), Column("moscow", "M", 1), Column("status", "Status", 9),
                Column("sprint", "Sprint", 8)]

    def _cells(self, item: ItemView) -> list[Cell]:
        level = self._depth.get(item.id, 0)
        marker = ("▸ " if item.id in self.folded else "▾ ") if item.id in self._parents else ""
        title = "  " * level + marker + item.title + (" [archived]" if item.archived else "")
        kind = item.kind if self._wide else _KIND_SHORT.get(item.kind, item.kind[:4])
        moscow = (item.moscow or "") if self._wide else _MOSCOW_SHORT.get(item.moscow or "", "")
        cells: list[Cell] = [
            (kind, _KIND_STYLE.get(item.kind, "")), item.key, title, _number(item.points),
            _number(item.rice_score), _number(item.wsjf_score, 1), moscow, item.status,
            self._sprint_name(item.sprint) if item.sprint else "",
        ]
        if self._wide:
            cells.append(item.assignee or "")
        return cells

    def _sprint_name(self, sprint_id: str) -> str:
        sprint = self.ws.sprints.get(sprint_id)  # one row, read when a row in a sprint is painted
        return sprint.name if sprint is not None else ""

    # Data ------------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        ws = self.ws
        # Resuming the screen and mounting both ask; a second look at the same state is free.
        # (A workspace of the store is one point, never changed in place: its items are not counted.)
        counted = 0 if isinstance(ws, StoredWorkspace) else len(ws.items)
        shown = (id(ws), ws.position, counted, self.effective_query, self.sort, self.descending,
                 frozenset(self.folded))
        if shown == self._shown:
            return
        self._shown = shown
        try:
            items: Sequence[Any] = self._ordered(ws)
        except DomainError as error:
            self._show_error(str(error))
            return
        self._show_error("")
        rows, self._depth, self._parents = tree_rows(items, self.folded)  # type: ignore[arg-type]
        # The store's backlog is entries in order: the table reads the items it paints, by id.
        self.rows = BacklogRows(ws, rows) if isinstance(ws, StoredWorkspace) else rows
        table = self.table
        table.set_sort(self.sort, self.descending != (self.sort in _DESCENDING_BY_NATURE))
        if table.selected:
            table.selected &= set(self._row_ids())
        table.empty_text = self.empty_text()
        table.set_rows(self.rows)
        self._show_status(ws, len(items))

    def _ordered(self, ws: Workspace) -> Sequence[Any]:
        """The items the filter selects, in the sort's order: from the store, entries read by
        one pass over the items' lines (``pmtui.store.backlog_pages``), moved on by the items
        touched since the point shown last (a time-travel step, a live update) when both lie on
        one axis; in memory, the items themselves, patched between frames."""
        if not isinstance(ws, StoredWorkspace):
            return self.sorted.get(ws, self.effective_query, self.sort, self.descending, self.wb.actor)
        wanted = PagedBacklog(ws, self.effective_query, self.sort, self.wb.actor, self.descending)
        before = self._paged
        if before is not None and before.ws is ws and before.asks == wanted.asks:
            return before.entries  # the same point (a fold, a resize): the same answer
        stepped = None
        if before is not None:
            changed = touched(before.ws, ws, STEP_LIMIT)
            stepped = None if changed is None else wanted.stepped(before, changed)
        self._paged = stepped or wanted.build()
        return self._paged.entries

    def _row_ids(self) -> Sequence[str]:
        ids = getattr(self.rows, "ids", None)
        return ids if ids is not None else [i.id for i in self.rows]

    def _show_status(self, ws: Workspace, count: int) -> None:
        selected = len(self.table.selected)
        what = "items (all: a for open, unplanned only)" if self.show_all else "open, unplanned (a: all)"
        parts = [f"{count} {what}", f"sort {self.sort}{' reversed' if self.descending else ''}"]
        if self.query_text:
            parts.append(f"filter: {self.query_text}")
        if selected:
            parts.append(f"{selected} selected (b bulk edit, x unselect)")
        if self.read_only:
            parts.append("read-only")
        self.query_one("#backlog-status", Static).update(" · ".join(parts), layout=False)  # one line, always

    def _show_error(self, message: str) -> None:
        error = self.query_one("#backlog-error", Static)
        error.update(message)
        error.set_class(bool(message), "shown")

    def item_at_cursor(self) -> ItemView | None:
        return self.current_item()

    def current_item(self) -> ItemView | None:
        row = self.table.current_row
        return row if isinstance(row, ItemView) else None

    def on_item_table_cursor_moved(self, event: ItemTable.CursorMoved) -> None:
        if self.table.selected:
            self._show_status(self.ws, len(self.rows))

    # Filter and sort -------------------------------------------------------------------------
    @property
    def effective_query(self) -> str:
        """The user's filter, limited to the backlog proper unless every item is asked for."""
        return backlog_query(self.query_text, self.show_all)

    def empty_text(self) -> str:
        if self.query_text:
            return "No items match the filter: Esc clears it, / changes it."
        if not self.show_all:
            return self.empty_state("No open, unplanned items", "n adds one; a shows done and planned items too")
        return self.empty_state("No items yet", "n adds the first")

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_view()

    def action_clear_filter(self) -> None:
        box = self.query_one("#backlog-filter", Input)
        if self.query_text or box.has_focus:
            box.value = ""
            self.apply_filter("")

    def action_filter(self) -> None:
        box = self.query_one("#backlog-filter", Input)
        box.add_class("shown")
        box.value = self.query_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "backlog-filter":
            return
        event.stop()
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> bool:
        """Apply a query; on a mistake keep the old one and show the message in one line."""
        try:
            parse_query(text, self.ws, self.wb.actor)  # only to check it: refresh_view runs it
        except DomainError as error:
            self._show_error(str(error))
            return False
        self.query_text = text.strip()
        box = self.query_one("#backlog-filter", Input)
        box.set_class(bool(self.query_text), "shown")
        self.table.focus()
        self.refresh_view()
        return True

    def action_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)] if self.sort in SORT_ORDER else "rank"
        self.descending = False
        self.refresh_view()
        self.notify(f"Sorted by {self.sort} (o next, O reverse)", timeout=2)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.refresh_view()

    # Folding ---------------------------------------------------------------------------------
    def _epic_at_cursor(self) -> ItemView | None:
        item = self.current_item()
        if item is None:
            return None
        if item.id in self._parents:
            return item
        if item.parent and item.parent in self._parents:
            return self.ws.items.get(item.parent)
        return None

    def action_fold(self, fold: bool | None = None) -> None:
        epic = self._epic_at_cursor()
        if epic is None:
            return
        if fold is None:
            fold = epic.id not in self.folded
        if fold == (epic.id in self.folded):
            return
        (self.folded.add if fold else self.folded.discard)(epic.id)
        self.refresh_view()
        if fold:  # the cursor was maybe on a child that is now hidden: put it on the epic
            self.table.set_cursor(self.table.index_of(epic.id, near=self.table.cursor))

    def action_fold_all(self) -> None:
        self.folded = set() if self.folded else set(self._parents)
        self.refresh_view()

    # Writes ----------------------------------------------------------------------------------
    def action_rank(self, where: str) -> None:
        item = self.current_item()
        if item is None:
            return
        if self.sort != "rank" or self.descending:
            self.notify("Reordering works in rank order: press o until the sort says rank.", severity="warning")
            return
        rows = self.rows
        # The rows' ids as a set: ~10 ms at 20,000 rows, so made in the writer's thread (after
        # the frame), from the rows as shown when the key came.
        ids = getattr(rows, "ids", None)
        shown: frozenset[str] | None = None

        def same_level(other: ItemView) -> bool:  # J/K swap with the neighbour the user sees
            nonlocal shown
            if shown is None:
                shown = frozenset(ids if ids is not None else (row.id for row in rows))
            parent = item.parent if item.parent in shown else None
            return other.id in shown and (other.parent if other.parent in shown else None) == parent

        # Drawn at once (the row swapped with that neighbour), written in the background writer
        # as on the board (J J J on a slow store never holds up keys); the store's order is drawn
        # when the user's writes are done, and a refusal puts the row back, saying why.
        swapped = self._swap_with_neighbour(where)

        def done(outcome: object) -> None:
            if outcome is None and swapped:
                self._shown = ()  # (the store's rows are the ones to show again, the same point or not)
                self.refresh_view()

        self.pm.write_in_background(lambda wb: wb.rank_item(item.key, where, scope=same_level), then=done,
                                    refused_note=f"{item.key} stays where it was." if swapped else "")

    def _swap_with_neighbour(self, where: str) -> bool:
        """Draw the cursor's row swapped with its neighbour (see ``tentative.swapped_rows``);
        False when nothing was drawn."""
        index = self.table.cursor
        swapped = swapped_rows(self.rows, index, -1 if where == "up" else 1, self._depth,
                               self._parents - self.folded)
        if swapped is None:
            return False
        self.rows = swapped
        self.table.swap_rows(swapped, index, index + (-1 if where == "up" else 1))
        return True

    def action_new(self) -> None:
        if self.read_only:
            self.write(lambda: None)  # says why nothing can be created in the past
            return

        def created(key: str | None) -> None:
            item = self.ws.item_by_key(key) if key else None
            if item is not None:
                index = self.table.index_of(item.id, near=len(self.rows) - 1)
                if index >= 0:
                    self.table.set_cursor(index)

        from pmtui.tui.modals.item import ItemModal  # the form's modules load with the first card opened
        self.app.push_screen(ItemModal(), created)

    def action_edit(self) -> None:
        item = self.current_item()
        if item is not None:
            open_item(self, item.key)

    def on_item_table_activated(self, event: ItemTable.Activated) -> None:
        event.stop()
        self.action_edit()

    def action_archive(self) -> None:
        items = self.table.selected_rows()
        if not items:
            return
        keys = [i.key for i in items]

        def archive(wb: Workbench) -> None:
            for key in keys:
                wb.archive_item(key)

        def archived(done: object) -> None:
            if done:
                self.table.clear_selection()

        self.pm.write_in_background(archive, f"Archived {', '.join(keys[:5])}{'…' if len(keys) > 5 else ''}",
                                    then=archived)

    def action_clear_selection(self) -> None:
        self.table.clear_selection()
        self._show_status(self.ws, len(self.rows))

    def action_bulk(self) -> None:
        items = self.table.selected_rows()
        if not items:
            return
        if self.read_only:
            self.write(lambda: None)  # says why nothing can change in the past
            return
        form = FieldsForm(
            f"Edit {len(items)} item{'s' if len(items) != 1 else ''}: {', '.join(i.key for i in items[:6])}"
            f"{'…' if len(items) > 6 else ''}",
            [Field("status", "Status (a column)"), Field("sprint", "Sprint", placeholder="name, or - for none"),
             Field("assignee", "Assignee", placeholder="name, me, or - for none"),
             Field("labels", "Labels", placeholder="+add -remove, or a,b to replace"),
             Field("points", "Points", placeholder="number, or - for none")],
            note="Empty fields stay as they are.",
        )
        keys = [i.key for i in items]

        def apply(values: dict[str, str] | None) -> None:
            if not values or not any(values.values()):
                return
            def updated(warning: object) -> None:
                if warning is None:
                    return  # refused: the writer said why
                if isinstance(warning, str):
                    self.notify(warning, severity="warning")
                self.table.clear_selection()
                self._show_status(self.ws, len(self.rows))

            self.pm.write_in_background(lambda wb: bulk_edit(wb, keys, values),
                                        f"Updated {len(keys)} item{'s' if len(keys) != 1 else ''}", then=updated)

        self.app.push_screen(form, apply)


def bulk_edit(wb: Workbench, keys: list[str], values: dict[str, str]) -> str | None:
    """Apply the bulk form to every key: one service command, all or nothing. Returns the
    warning of a soft WIP limit passed, if any."""
    fields: dict[str, Any] = {}
    if values.get("points"):
        fields["points"] = None if values["points"] == "-" else values["points"]
    if values.get("assignee"):
        fields["assignee"] = None if values["assignee"] == "-" else values["assignee"]
    return wb.edit_items(keys, status=values.get("status") or None, sprint=values.get("sprint") or None,
                         labels=values.get("labels") or None, **fields)


def open_item(screen: PmScreen, key: str) -> None:
    """Open an item's detail: the shared item form, with the item's own history below it."""
    from pmtui.tui.modals.item import ItemModal  # the form's modules load with the first card opened
    screen.app.push_screen(ItemModal(key))
