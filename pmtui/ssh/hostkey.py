"""The server's host key: made once on first start, then kept, so clients can trust it."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh

from pmtui.store.storage import Location, default_db_path

KEY_NAME = "ssh_host_ed25519_key"


class HostKeyError(Exception):
    """The host key cannot be read or written: said in one line, the server does not start."""


def default_host_key_path(location: Location) -> Path:
    """Next to a SQLite store (the server's state lives together); else in pmtui's data folder."""
    if location.kind == "sqlite":
        return Path(location.target).parent / KEY_NAME
    return default_db_path().parent / KEY_NAME


def load_or_create_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The key at ``path``, generated (owner-only permissions) if there is none. Returns
    the key and whether it was just made."""
    if path.exists():
        try:
            return asyncssh.read_private_key(str(path)), False
        except (OSError, asyncssh.KeyImportError) as error:
            raise HostKeyError(f"cannot read the host key {path}: {getattr(error, 'strerror', None) or error}") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="pmtui host key")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two servers starting at once must not both write (and disagree about) the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.export_private_key())
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    except OSError as error:
        raise HostKeyError(f"cannot write the host key {path}: {error.strerror or error}") from None
    return key, True
