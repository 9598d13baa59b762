"""The team: who may log in over SSH, with which public keys, in which role.

Users are aggregates like any other, so granting, changing and revoking access are events in the
log, attributed to whoever did it. Only an admin may change them (the local CLI is an admin by
default: whoever holds the store holds the keys). The SSH server asks ``user_for_key`` at every
login against a freshly refreshed workspace, so new users can log in without a restart.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.errors import NotFoundError, UserError
from projections.state import Workspace

if TYPE_CHECKING:
    from pmtui.service.workbench import Workbench


@dataclass(frozen=True)
class Member:
    """An active user as the CLI and the server see them."""

    name: str
    role: str
    keys: tuple[str, ...]

    @property
    def fingerprints(self) -> list[str]:
        return [fingerprint(key) for key in self.keys]


# Public keys -------------------------------------------------------------------------------------
def _key_id(text: str) -> str:
    """The part of an OpenSSH public key line that identifies the key: algorithm and blob."""
    return " ".join(text.split()[:2])


def parse_public_keys(text: str, source: str = "the key") -> list[str]:
    """Every public key in ``text`` (OpenSSH lines, or one RFC 4716 block), as canonical
    ``algorithm base64 comment`` lines. A private key or anything unreadable is refused."""
    import asyncssh  # only the team commands and the server need it

    if "PRIVATE KEY" in text:
        raise UserError(f"{source} is a private key: give the public one (the .pub file)")
    blocks = [text] if "BEGIN SSH2 PUBLIC KEY" in text else [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    keys: list[str] = []
    for block in blocks:
        try:
            key = asyncssh.import_public_key(block.strip())
        except (asyncssh.KeyImportError, ValueError):
            raise UserError(f"{source} is not an SSH public key (expected a line like `ssh-ed25519 AAAA… name`)") from None
        line = key.export_public_key("openssh").decode().strip()
        if _key_id(line) not in {_key_id(k) for k in keys}:
            keys.append(line)
    if not keys:
        raise UserError(f"{source} holds no public key")
    return keys


def read_key_files(paths: list[str]) -> list[str]:
    keys: list[str] = []
    for name in paths:
        path = Path(name).expanduser()
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise UserError(f"cannot read the key file {name}: {error.strerror or error}") from None
        keys.extend(k for k in parse_public_keys(text, f"the key file {name}") if _key_id(k) not in map(_key_id, keys))
    return keys


def fingerprint(key: str) -> str:
    import asyncssh

    return str(asyncssh.import_public_key(key).get_fingerprint())


# Lookups -----------------------------------------------------------------------------------------
def _member(user: dict[str, Any]) -> Member:
    return Member(user["name"], str(user["role"]), tuple(user["keys"]))


def members(ws: Workspace) -> list[Member]:
    """The active users, by name."""
    return sorted((_member(u) for u in ws.users.values() if not u.get("removed")), key=lambda m: m.name)


def find_member(ws: Workspace, name: str) -> Member | None:
    wanted = str(name).strip().lower()
    return next((m for m in members(ws) if m.name == wanted), None)


def user_for_key(ws: Workspace, key: str) -> Member | None:
    """The active user who owns this public key (an OpenSSH ``algorithm base64 [comment]`` line)."""
    wanted = _key_id(key)
    return next((m for m in members(ws) if any(_key_id(k) == wanted for k in m.keys)), None)


def _user_record(ws: Workspace, name: str) -> dict[str, Any] | None:
    wanted = str(name).strip().lower()
    return next((u for u in ws.users.values() if u["name"] == wanted), None)


# Commands ----------------------------------------------------------------------------------------
def _check_keys_free(ws: Workspace, name: str, keys: list[str]) -> None:
    """A key names one person: the server could not tell who is logging in otherwise."""
    for key in keys:
        owner = user_for_key(ws, key)
        if owner is not None and owner.name != name:
            raise UserError(f"the key {fingerprint(key)} already belongs to {owner.name}")


def _existing(wb: Workbench, name: str) -> Member:
    member = find_member(wb.now, name)
    if member is None:
        raise NotFoundError(f"no user named {name!r} (see `pmtui user list`)")
    return member


def add_user(wb: Workbench, name: str, keys: list[str], role: str = "editor", reason: str = "") -> str:
    """Grant ``name`` access with these keys; a removed user of that name is given access again."""
    from domain.user import User, user_name
    wb.require("admin")
    name = user_name(name)
    wb.refresh()
    _check_keys_free(wb.now, name, keys)
    previous = _user_record(wb.now, name)
    if previous is None:
        wb.create(lambda: User.add(name, role, keys), f"a user named {name}", reason, needs="admin")
    elif previous.get("removed"):
        wb.execute(lambda: wb.app.change(User, previous["id"], "user",
                                      lambda user: user.reinstate(role, keys)), reason, "admin")
    else:
        raise UserError(f"there is already a user named {name} (change them with `pmtui user role` or `pmtui user key`)")
    return name


def set_role(wb: Workbench, name: str, role: str, reason: str = "") -> None:
    wb.require("admin")
    member = _existing(wb, name)
    _change(wb, member.name, lambda user: user.change_role(role), reason)


def set_keys(wb: Workbench, name: str, keys: list[str], reason: str = "") -> None:
    """Replace all of ``name``'s keys (a lost laptop: the old keys stop working at once)."""
    wb.require("admin")
    member = _existing(wb, name)
    _check_keys_free(wb.now, member.name, keys)
    _change(wb, member.name, lambda user: user.set_keys(keys), reason)


def add_keys(wb: Workbench, name: str, keys: list[str], reason: str = "") -> None:
    wb.require("admin")
    member = _existing(wb, name)
    _check_keys_free(wb.now, member.name, keys)
    known = {_key_id(k) for k in member.keys}
    new = [k for k in keys if _key_id(k) not in known]
    if not new:
        raise UserError(f"{member.name} has {'that key' if len(keys) == 1 else 'those keys'} already")
    _change(wb, member.name, lambda user: user.set_keys(list(user.keys) + new), reason)


def remove_key(wb: Workbench, name: str, key_fingerprint: str, reason: str = "") -> None:
    wb.require("admin")
    member = _existing(wb, name)
    kept = [k for k in member.keys if fingerprint(k) != key_fingerprint.strip()]
    if len(kept) == len(member.keys):
        raise NotFoundError(f"{member.name} has no key {key_fingerprint} (see `pmtui user list`)")
    if not kept:
        raise UserError(f"that is {member.name}'s only key: add another first, or remove the user")
    _change(wb, member.name, lambda user: user.set_keys(kept), reason)


def remove_user(wb: Workbench, name: str, reason: str = "") -> None:
    wb.require("admin")
    member = _existing(wb, name)
    _change(wb, member.name, lambda user: user.remove(), reason)


def _change(wb: Workbench, name: str, fn: Any, reason: str) -> None:
    from domain.user import User
    record = _user_record(wb.now, name)
    assert record is not None  # callers looked the member up
    wb.execute(lambda: wb.app.change(User, record["id"], "user", fn), reason, "admin")


# OpenSSH instead of `pmtui serve` ----------------------------------------------------------------
def authorized_keys(ws: Workspace, program: str, db: str, editor: str) -> list[str]:
    # ``program`` is shell text (already quoted), e.g. ``/opt/pmtui/bin/pmtui``.
    """``authorized_keys`` lines for one shared system account under OpenSSH's sshd: each key may
    only run pmtui, as its owner, in their role (``restrict`` turns off forwarding; ``pty`` lets
    the TUI have a terminal). Suits ``AuthorizedKeysCommand``, so changes apply at the next login."""
    lines = []
    for member in members(ws):
        # PMTUI_SSH_SESSION: the app runs for someone else on this account (no palette command
        # that writes files here; no demo made in an empty team store), as under `pmtui serve`.
        env = {"PMTUI_ACTOR": member.name, "PMTUI_ROLE": member.role, "PMTUI_DB": db,
               "EDITOR": editor, "VISUAL": editor, "PMTUI_SSH_SESSION": "1"}
        command = "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + program
        # Inside the double-quoted option, a double quote or backslash must be escaped.
        option = command.replace("\\", "\\\\").replace('"', '\\"')
        lines.extend(f'command="{option}",restrict,pty {key}' for key in member.keys)
    return lines
