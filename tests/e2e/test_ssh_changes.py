"""The server watches the store once for all its sessions and tells each by a pipe
(pmtui/ssh/changes.py); the sessions read their pipe instead of polling the store."""

from __future__ import annotations

import array
import fcntl
import termios
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from pmtui.ssh.server import PmSshServer, ServerConfig
from tests.e2e.sshkit import make_team, terminal, until

pytestmark = pytest.mark.slow


def unread(fd: int) -> int:
    """Bytes waiting in the pipe whose write end is ``fd``."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


@pytest.mark.parametrize("start", ["fork", "exec"])
async def test_each_session_reads_the_servers_word_of_a_change(tmp_path: Path, start: str) -> None:
    members = make_team(tmp_path)
    wb = Workbench(db=members.db, actor="server")
    server = PmSshServer(wb, ServerConfig(port=0, host_key=str(tmp_path / "host_key"),
                                          fork_sessions=start == "fork"))
    try:
        port = await server.start()
        changes = server.spec.changes
        assert changes is not None
        async with terminal(port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("Alpha card", timeout=60)
            (pipe,) = changes._pipes  # one per session
            other = Workbench(db=members.db, actor="bob")
            try:
                other.add_item("Told by the server")
            finally:
                other.close()
            await alice.wait_text("Told by the server")
            changes.tell()  # a byte the session reads (and folds nothing new)
            await until(lambda: unread(pipe) == 0, "the session to read the server's word")
        await until(lambda: not changes._pipes, "the session's pipe to be closed")
    finally:
        await server.stop()
        wb.close()
