"""A board's columns and their WIP limits: add, rename, reorder (K/J), remove and set a limit,
each a service command (the service refuses a column that holds cards being renamed or removed,
a limit below 1, a name already taken)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from pmtui.service.workbench import Workbench
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.modals.manager import ManagerModal, optional_int, yes
from pmtui.tui.modals.prompt import ConfirmModal
from pmtui.tui.widgets.item_table import Cell, Column

CATEGORIES = ("todo", "doing", "done")


class ColumnsModal(ManagerModal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", tooltip="Add a column (name, category, WIP limit, place)", id="columns.add"),
        Binding("r", "rename", "Rename", tooltip="Rename the column", id="columns.rename"),
        Binding("w", "wip", "WIP limit", tooltip="Set or clear the column's WIP limit (soft or hard)",
                id="columns.wip"),
        Binding("K,shift+up", "move(-1)", "Move", key_display="K/J", tooltip="Move the column left (up here)",
                id="columns.move.back"),
        Binding("J,shift+down", "move(1)", "Move right", show=False, tooltip="Move the column right (down here)",
                id="columns.move.forward"),
        Binding("d", "remove", "Remove", tooltip="Remove the column (it must hold no cards)", id="columns.remove"),
    ]
    HINT = "a add · r rename · w WIP limit · K/J move left/right · d remove · Esc close"
    EMPTY = "No columns."
    COLUMNS: ClassVar[list[Column]] = [
        Column("name", "Column"), Column("category", "Kind", 6), Column("wip", "WIP limit", 10, "right"),
        Column("count", "Cards", 6, "right"),
    ]

    def __init__(self, board: str) -> None:
        super().__init__()
        self.board = board
        self._moving: tuple[str, int] | None = None  # a column on its way to a place
        self.TITLE_TEXT = f"Columns of the {board} board, left to right"

    def rows(self) -> list[dict[str, Any]]:
        return list(self.pm.wb.board(self.board).columns)

    def row_key(self, row: dict[str, Any]) -> str:
        return str(row["name"])

    def cells(self, row: dict[str, Any]) -> list[Cell]:
        wip = "" if row["wip"] is None else f"{row['wip']}{' hard' if row['hard'] else ' soft'}"
        board = self.pm.wb.board(self.board)
        return [(row["name"], "bold"), row["category"], wip, str(self.pm.wb.board_index.count(board.id, row["name"]))]

    def action_add(self) -> None:
        place = self.table.cursor + 1 if self.current is not None else 0
        form = FieldsForm(f"New column on the {self.board} board", [
            Field("name", "Name", required=True, placeholder="e.g. QA"),
            Field("category", "Kind: todo, doing or done (→ completes)", value="doing", suggestions=CATEGORIES),
            Field("wip", "WIP limit (empty: none)"),
            Field("hard", "Hard limit? y/n (a hard limit refuses cards past it)", value="n",
                  suggestions=("yes", "no")),
            Field("position", "Place (1 is the leftmost)", value=str(place + 1)),
        ], submit_label="Add")

        def add(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def run(wb: Workbench) -> None:
                position = optional_int(values["position"], "place")
                wb.add_column(values["name"], values["category"], optional_int(values["wip"], "WIP limit"),
                              yes(values["hard"]), None if position is None else position - 1, self.board)

            self.run(run, f"Column {values['name']} added", follow=values["name"])

        self.app.push_screen(form, add)

    def action_rename(self) -> None:
        row = self.need_row("column")
        if row is None:
            return
        form = FieldsForm(f"Rename the column {row['name']}", [Field("name", "New name", value=row["name"],
                                                                      required=True)], submit_label="Rename")

        def rename(values: dict[str, str] | None) -> None:
            if values is not None and values["name"] != row["name"]:
                self.run(lambda wb: wb.rename_column(row["name"], values["name"], self.board),
                         f"Column {row['name']} is now {values['name']}", follow=values["name"])

        self.app.push_screen(form, rename)

    def action_wip(self) -> None:
        row = self.need_row("column")
        if row is None:
            return
        form = FieldsForm(f"WIP limit of {row['name']}", [
            Field("wip", "Limit (empty: no limit)", value="" if row["wip"] is None else str(row["wip"])),
            Field("hard", "Hard? y/n (hard refuses a card past it, soft warns)", value="y" if row["hard"] else "n",
                  suggestions=("yes", "no")),
        ], submit_label="Set")

        def set_limit(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def run(wb: Workbench) -> None:
                limit = optional_int(values["wip"], "WIP limit")
                wb.set_wip_limit(row["name"], limit, yes(values["hard"]), self.board)

            shown = values["wip"] or "none"
            self.run(run, f"WIP limit of {row['name']}: {shown}", follow=row["name"])

        self.app.push_screen(form, set_limit)

    def action_move(self, step: int) -> None:
        if self._moving is not None:
            # J J typed faster than the store answers: the second step goes on from the first.
            name, at = self._moving
        else:
            row = self.need_row("column")
            if row is None:
                return
            name, at = row["name"], self.table.cursor
        place = at + step
        if not 0 <= place < len(self.table.rows):
            return  # already at that end: nothing to ask the service
        self._moving = (name, place)

        def moved(_: object) -> None:
            if self._moving == (name, place):
                self._moving = None

        self.run(lambda wb: wb.move_column(name, place, self.board), follow=name, then=moved)

    def action_remove(self) -> None:
        row = self.need_row("column")
        if row is None:
            return

        def answered(sure: bool | None) -> None:
            if sure:
                self.run(lambda wb: wb.remove_column(row["name"], self.board), f"Column {row['name']} removed")

        self.app.push_screen(ConfirmModal(f"Remove the column {row['name']}?"), answered)
