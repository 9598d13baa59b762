"""The team, for admins: who may log in over SSH and in which role. Add a user (name, role, an
SSH public key pasted in), change a role, remove a user; ``pmtui.service.team`` decides (a private key,
a key that is someone else's, a bad name or role are refused)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from pmtui.service import team
from pmtui.service.workbench import Workbench
from pmtui.tui.modals.fields_form import Field, FieldsForm
from pmtui.tui.modals.manager import ManagerModal
from pmtui.tui.modals.prompt import ChoiceModal, ConfirmModal
from pmtui.tui.widgets.item_table import Cell, Column

ROLES = ("viewer", "editor", "admin")


class UsersModal(ManagerModal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add user", tooltip="Give someone access: name, role, SSH public key", id="users.add"),
        Binding("r", "role", "Role", tooltip="Change the user's role (viewer, editor, admin)", id="users.role"),
        Binding("d", "remove", "Remove", tooltip="Take the user's access away (their history stays)",
                id="users.remove"),
    ]
    TITLE_TEXT = "Team: who may log in over SSH, and in which role"
    HINT = "a add a user · r change the role · d remove · Esc close"
    EMPTY = "No users yet: a adds the first (with their SSH public key)."
    COLUMNS: ClassVar[list[Column]] = [
        Column("name", "User", 16), Column("role", "Role", 7), Column("keys", "Keys"),
    ]

    def rows(self) -> list[team.Member]:
        return team.members(self.pm.wb.now)

    def row_key(self, row: team.Member) -> str:
        return row.name

    def cells(self, row: team.Member) -> list[Cell]:
        # A key's comment (usually user@host) says which key it is; the algorithm says the rest.
        keys = ", ".join((k.split(" ", 2)[2] if k.count(" ") >= 2 else k.split(" ", 1)[0]) for k in row.keys)
        return [(row.name, "bold"), (row.role, "bold" if row.role == "admin" else ""), keys]

    def action_add(self) -> None:
        form = FieldsForm("Give someone access", [
            Field("name", "User name (a-z 0-9 . _ -)", required=True, placeholder="e.g. dana"),
            Field("role", "Role: viewer, editor or admin (→ completes)", value="editor", suggestions=ROLES),
            Field("key", "SSH public key (paste their .pub line)", required=True,
                  placeholder="ssh-ed25519 AAAA… dana@laptop"),
        ], submit_label="Add")

        def add(values: dict[str, str] | None) -> None:
            if values is None:
                return
            def run(wb: Workbench) -> str:
                keys = team.parse_public_keys(values["key"], "the key")
                return team.add_user(wb, values["name"], keys, values["role"])

            def added(name: object) -> None:
                if isinstance(name, str):
                    article = "an" if values["role"].startswith(("a", "e")) else "a"
                    self.notify(f"{name} may log in as {article} {values['role']}", timeout=3)
                    if self.is_attached:
                        self.reload(follow=name)

            self.run(run, then=added)

        self.app.push_screen(form, add)

    def action_role(self) -> None:
        row: team.Member | None = self.need_row("user")
        if row is None:
            return
        choices = [(role[0], role, role) for role in ROLES if role != row.role]

        def chosen(role: str | None) -> None:
            if role:
                self.run(lambda wb: team.set_role(wb, row.name, role), f"{row.name} is now {role}",
                         follow=row.name)

        self.app.push_screen(ChoiceModal(f"{row.name} is {row.role}: new role?", choices), chosen)

    def action_remove(self) -> None:
        row: team.Member | None = self.need_row("user")
        if row is None:
            return

        def answered(sure: bool | None) -> None:
            if sure:
                self.run(lambda wb: team.remove_user(wb, row.name), f"{row.name} can no longer log in")

        self.app.push_screen(ConfirmModal(f"Take {row.name}'s access away?"), answered)
