"""What the app leaves out when it runs for someone else on the server's account (an SSH session:
``PMTUI_SSH_SESSION`` set by ``pmtui serve`` and by the ``authorized-keys`` lines): nothing in it
may write files on the server or start another program there.

Textual offers a "Screenshot" palette command that writes an SVG into the account's ~/Downloads
(any role, without limit); ``deliver_*`` write files the same way; ``open_url`` starts a web browser
on the server; suspending stops the process under a client that cannot resume it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from textual.app import SystemCommand
from textual.screen import Screen

# Palette commands of Textual's own that write files on the machine the app runs on.
FILE_WRITING_COMMANDS = frozenset({"Screenshot"})


def on_server() -> bool:
    return bool(os.environ.get("PMTUI_SSH_SESSION"))


class ServerSafety:
    """Mixin for the App (before ``App`` in the bases)."""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = super().get_system_commands(screen)  # type: ignore[misc]
        if not on_server():
            yield from commands
            return
        yield from (command for command in commands if command.title not in FILE_WRITING_COMMANDS)

    def _refused(self, what: str) -> None:
        self.notify(f"{what} is not available in a session on the server", severity="warning")  # type: ignore[attr-defined]

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        if on_server():
            self._refused("Saving a screenshot")
            return
        super().action_screenshot(filename, path)  # type: ignore[misc]

    def deliver_binary(self, path_or_file: str | Path | IO[bytes], **kwargs: Any) -> str | None:
        # deliver_text and deliver_screenshot end here.
        if on_server():
            self._refused("Saving a file")
            return None
        return super().deliver_binary(path_or_file, **kwargs)  # type: ignore[misc,no-any-return]

    def deliver_text(self, path_or_file: Any, **kwargs: Any) -> str | None:
        if on_server():
            self._refused("Saving a file")
            return None
        return super().deliver_text(path_or_file, **kwargs)  # type: ignore[misc,no-any-return]

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        if on_server():
            self._refused("Opening a web browser")
            return
        super().open_url(url, new_tab=new_tab)  # type: ignore[misc]

    def action_suspend_process(self) -> None:
        if on_server():
            return  # the client could not resume it: the session would hang until killed
        super().action_suspend_process()  # type: ignore[misc]
