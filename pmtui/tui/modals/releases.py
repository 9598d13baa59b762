"""Releases and milestones: create, edit (name, target date, description), assign items, ship.
Each is a service command; the service checks names, dates and the items."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList

from pmtui.service.workbench import Workbench
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.modals.manager import ManagerModal, yes
from pmtui.tui.modals.prompt import ConfirmModal
from pmtui.tui.widgets.item_table import Cell, Column
from pmtui.tui.widgets.pick_list import PickList
from projections.release_view import release_progress
from projections.state import ReleaseView

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

SHOWN = 300  # items offered at once; the filter finds the others


class ReleasesModal(ManagerModal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", tooltip="Create a release or milestone", id="releases.new"),
        Binding("e", "edit", "Edit", tooltip="Rename the release, change its target date or description",
                id="releases.edit"),
        Binding("i", "assign", "Items", tooltip="Pick the items in the release", id="releases.assign"),
        Binding("s", "ship", "Ship", tooltip="Mark the release shipped", id="releases.ship"),
    ]
    TITLE_TEXT = "Releases, by target date"
    HINT = "n new · e edit · i pick its items · s ship · Esc close"
    EMPTY = "No releases yet: n creates the first."
    COLUMNS: ClassVar[list[Column]] = [
        Column("name", "Release"), Column("target", "Target", 10), Column("state", "State", 9),
        Column("items", "Done/items", 10, "right"),
    ]

    def rows(self) -> list[ReleaseView]:
        progress = release_progress(self.pm.wb.now)
        self._counts = {p.release.id: (p.done, p.items) for p in progress}
        return [p.release for p in progress]

    def row_key(self, row: ReleaseView) -> str:
        return row.id

    def cells(self, row: ReleaseView) -> list[Cell]:
        done, total = self._counts.get(row.id, (0, 0))
        state = ("shipped", "green") if row.shipped else ("milestone" if row.milestone else "planned", "")
        return [(row.name, "bold"), row.target or "", state, f"{done}/{total}"]

    def action_new(self) -> None:
        form = FieldsForm("New release", [
            Field("name", "Name", required=True, placeholder="e.g. 2.4 or Loyalty beta"),
            Field("target", "Target date (YYYY-MM-DD, empty: none)"),
            Field("description", "Description"),
            Field("milestone", "A milestone rather than a release? y/n", value="n", suggestions=("yes", "no")),
        ], submit_label="Create")

        def create(values: dict[str, str] | None) -> None:
            if values is None:
                return
            def created(name: object) -> None:
                if isinstance(name, str) and self.is_attached:
                    self.follow_name(name)

            self.run(lambda wb: wb.add_release(values["name"], values["target"] or None, values["description"],
                                               yes(values["milestone"])),
                     f"Release {values['name']} created", then=created)

        self.app.push_screen(form, create)

    def follow_name(self, name: str) -> None:
        found = next((r for r in self.table.rows if r.name == name), None)
        if found is not None:
            self.reload(follow=found.id)

    def action_edit(self) -> None:
        row: ReleaseView | None = self.need_row("release")
        if row is None:
            return
        form = FieldsForm(f"Edit the release {row.name}", [
            Field("name", "Name", value=row.name, required=True),
            Field("target", "Target date (YYYY-MM-DD, empty: none)", value=row.target or ""),
            Field("description", "Description", value=row.description),
        ], submit_label="Save")

        def save(values: dict[str, str] | None) -> None:
            if values is None:
                return
            # Only what changed: the service refuses an edit that changes nothing.
            changed = {k: v for k, v in (("name", values["name"]), ("target", values["target"] or None),
                                         ("description", values["description"]))
                       if v != {"name": row.name, "target": row.target, "description": row.description}[k]}
            if changed:
                self.run(lambda wb: wb.edit_release(row.name, **changed), f"Release {values['name']} saved",
                         follow=row.id)

        self.app.push_screen(form, save)

    def action_ship(self) -> None:
        row: ReleaseView | None = self.need_row("release")
        if row is None:
            return
        if row.shipped:
            self.notify(f"{row.name} is shipped already", timeout=3)
            return
        done, total = self._counts.get(row.id, (0, 0))
        open_note = f" ({total - done} of its {total} items are not done)" if done < total else ""

        def answered(sure: bool | None) -> None:
            if sure:
                self.run(lambda wb: wb.edit_release(row.name, shipped=True), f"{row.name} shipped",
                         follow=row.id)

        self.app.push_screen(ConfirmModal(f"Ship {row.name}{open_note}?"), answered)

    def action_assign(self) -> None:
        row: ReleaseView | None = self.need_row("release")
        if row is not None:
            self.app.push_screen(AssignItemsModal(row), lambda _: self.reload(follow=row.id))


class AssignItemsModal(ModalScreen[None]):
    """The items of one release: Space picks, / filters by key or words, Ctrl+S saves (all the
    additions in one command, all the removals in another)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the release's items", id="release_items.save"),
        Binding("slash", "filter", "Filter", tooltip="Show items matching words or a key", id="release_items.filter"),
        Binding("escape,ctrl+g", "close", "Close", tooltip="Close without saving", id="release_items.close"),
    ]

    def __init__(self, release: ReleaseView) -> None:
        super().__init__(classes="dialog-screen")
        self.release = release
        self.picked: set[str] = set()
        self.original: set[str] = set()

    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        ws = self.pm.wb.now
        # Epics are left out: a release ships work items (an epic's own progress is its items').
        self.items = sorted((i for i in ws.items.values() if not i.archived and i.kind != "epic"),
                            key=lambda i: (i.board_id, i.rank))
        self.original = {i.key for i in self.items if i.release == self.release.id}
        self.picked = set(self.original)
        with Vertical(classes="dialog plan-form"):
            yield Label(f"Items in {self.release.name} · Space picks · / filters · Ctrl+S saves",
                        classes="dialog-title")
            yield Input(placeholder="/ filter: a key or words of a title", id="release-filter")
            yield Label("", id="release-total")
            yield PickList([], id="release-items")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="close")

    def _rows(self, words: str) -> list[tuple[str, str]]:
        wanted = words.lower().split()
        chosen = [i for i in self.items if all(w in f"{i.key} {i.title}".lower() for w in wanted)]
        # The release's own items first, then the rest in rank order.
        chosen.sort(key=lambda i: i.key not in self.picked)
        return [(f"{i.key:<7} {i.status[:11]:<11} {i.title}", i.key) for i in chosen[:SHOWN]]

    @property
    def pick_list(self) -> PickList:
        return self.query_one("#release-items", PickList)

    def on_mount(self) -> None:
        self.pick_list.replace_rows(self._rows(""), self.picked)
        self.show_total()
        self.pick_list.focus()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        shown = {self.pick_list.get_option_at_index(n).value for n in range(self.pick_list.option_count)}
        self.picked = (self.picked - shown) | set(self.pick_list.selected)
        self.show_total()

    def show_total(self) -> None:
        added, removed = len(self.picked - self.original), len(self.original - self.picked)
        self.query_one("#release-total", Label).update(
            f"{len(self.picked)} items in {self.release.name} · {added} to add, {removed} to take out")

    def action_filter(self) -> None:
        self.query_one("#release-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.pick_list.replace_rows(self._rows(event.value), self.picked)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.pick_list.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        added, removed = sorted(self.picked - self.original), sorted(self.original - self.picked)
        name = self.release.name
        if not (added or removed):
            self.dismiss(None)
            return

        def save(wb: Workbench) -> None:
            if added:
                wb.edit_items(added, release=name)
            if removed:
                wb.edit_items(removed, release=None)

        def saved(result: object) -> None:
            if result is not None and self.is_attached:
                self.dismiss(None)

        self.pm.write_in_background(save, f"{name}: {len(added)} items added, {len(removed)} taken out", then=saved)
