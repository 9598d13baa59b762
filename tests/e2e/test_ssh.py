"""``pmtui serve`` end to end on loopback: real SSH clients (asyncssh's, and OpenSSH's ``ssh`` when
installed) log in with keys, drive the real TUI with keystrokes, and the log says who did what.

Two kinds of server: the real ``pmtui serve`` process running the real TUI per session, and, for the
terminal plumbing (resize, hangup, idle timeout), the same server class in this process running a
tiny helper program instead of the TUI, which reports what its terminal tells it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import termios
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from pmtui.service import team
from pmtui.service.workbench import Workbench
from pmtui.ssh.server import PmSshServer, ServerConfig
from tests.e2e.sshkit import (ANSI, TIMEOUT, ServeProcess, Team, backlog_top_and_todo_count, gone, helper_server,
                              make_team, moves_by, serving, terminal)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Team, ServeProcess]]:
    """``pmtui serve --port 0`` on a fresh team store, stopped (and its sessions with it) at the end."""
    tmp = tmp_path_factory.mktemp("ssh")
    with serving(tmp, make_team(tmp)) as running:
        yield running


# Logging in ----------------------------------------------------------------------------------------
async def test_an_unknown_key_is_refused_and_the_failure_logged(served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncio.wait_for(asyncssh.connect("127.0.0.1", server.port, username="mallory", known_hosts=None,
                                                client_keys=[members.keys["mallory"]], agent_path=None), TIMEOUT)
    # A known name with someone else's key is refused too: the key must be that user's.
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncio.wait_for(asyncssh.connect("127.0.0.1", server.port, username="alice", known_hosts=None,
                                                client_keys=[members.keys["bob"]], agent_path=None), TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while "login_failed user=alice" not in server.log_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert "login_failed user=mallory addr=127.0.0.1 keys=SHA256:" in server.log_text()
    assert "login_failed user=alice addr=127.0.0.1" in server.log_text()


async def test_a_session_without_a_terminal_is_refused_with_a_message(served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    async with asyncssh.connect("127.0.0.1", server.port, username="alice", client_keys=[members.keys["alice"]],
                                known_hosts=None, agent_path=None) as conn:
        result = await asyncio.wait_for(conn.run(), TIMEOUT)  # a shell request without a PTY
        assert result.exit_status == 1
        assert "needs a terminal" in result.stderr
        result = await asyncio.wait_for(conn.run("cat /etc/passwd", term_type="xterm"), TIMEOUT)
        assert result.exit_status == 1
        assert "runs no commands" in str(result.stderr) and "root:" not in str(result.stdout)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_connection("127.0.0.1", server.port)  # no port forwarding


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH's ssh is not installed")
def test_openssh_client_unknown_key_and_no_terminal(served: tuple[Team, ServeProcess], tmp_path: Path) -> None:
    members, server = served

    def ssh(user: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ssh", "-p", str(server.port), "-i", str(members.key_files[user]), "-o", "IdentitiesOnly=yes",
             "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={tmp_path / 'kh'}",
             "-o", "LogLevel=ERROR", "-F", "/dev/null", *extra, f"{user}@127.0.0.1"],
            capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)

    refused = ssh("mallory")
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr
    no_tty = ssh("alice", "-T")
    assert no_tty.returncode == 1 and "needs a terminal" in no_tty.stderr


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH's ssh is not installed")
def test_openssh_client_drives_the_tui_and_the_move_is_attributed(served: tuple[Team, ServeProcess],
                                                                   tmp_path: Path) -> None:
    """`ssh -t` on a terminal of ours, as a person in a terminal would run it."""
    import pty
    import select

    members, server = served
    before = len(moves_by(members.db))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    ssh = subprocess.Popen(
        ["ssh", "-t", "-p", str(server.port), "-i", str(members.key_files["alice"]), "-o", "IdentitiesOnly=yes",
         "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={tmp_path / 'kh'}",
         "-o", "LogLevel=ERROR", "-F", "/dev/null", "alice@127.0.0.1"],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    screen = b""

    def read_until(check: Callable[[], bool], what: str) -> None:
        nonlocal screen
        deadline = time.monotonic() + TIMEOUT
        while not check():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {ANSI.sub(b'', screen)[-800:]!r}"
            if select.select([master], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):
                    screen += os.read(master, 65536)

    try:
        read_until(lambda: b"Backlog" in ANSI.sub(b"", screen), "the board")
        time.sleep(0.5)
        os.write(master, b"L")
        read_until(lambda: len(moves_by(members.db)) > before, "the move in the log")
        assert moves_by(members.db)[-1][0] == "alice"
        os.write(master, b"q")
        read_until(lambda: ssh.poll() is not None, "ssh to end after q")
        assert ssh.returncode == 0
    finally:
        if ssh.poll() is None:
            ssh.kill()
        ssh.wait(timeout=TIMEOUT)
        os.close(master)


# Sessions: the real TUI ----------------------------------------------------------------------------
async def test_an_editors_move_is_theirs_and_the_other_session_sees_it_live(served: tuple[Team, ServeProcess]) -> None:
    await move_seen_live_and_attributed(*served)


async def move_seen_live_and_attributed(members: Team, server: ServeProcess) -> None:
    first, in_todo = backlog_top_and_todo_count(members.db)
    async with terminal(server.port, "alice", members.keys["alice"]) as alice, \
            terminal(server.port, "bob", members.keys["bob"]) as bob:
        await alice.wait_text(first)
        await bob.wait_text(first)
        await asyncio.sleep(0.5)  # let both apps settle (mount, first poll)
        mark = bob.press("")
        # Alice moves the card under her cursor (the first in the backlog) one column right.
        alice.press("L")
        # Bob's board redraws without a key pressed: the column's count goes up.
        await bob.wait_text(f"To do {in_todo + 1}", since=mark)
    assert moves_by(members.db)[-1] == ("alice", first, "To do")


@pytest.mark.postgres
async def test_a_team_on_postgresql(tmp_path: Path) -> None:
    """The server and every session on one PostgreSQL store (PMTUI_DB=postgresql://…)."""
    psycopg = pytest.importorskip("psycopg")
    base = os.environ.get("PMTUI_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
    try:
        admin = psycopg.connect(base.split("?", 1)[0], autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL server answers at {base}")
    schema = f"pmtui_ssh_{os.getpid()}_{int(time.time())}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        members = make_team(tmp_path, f"{base.split('?', 1)[0]}?schema={schema}")
        with serving(tmp_path, members) as (_, server):
            assert (tmp_path / "data" / "pmtui" / "ssh_host_ed25519_key").exists()  # no file store to sit by
            await move_seen_live_and_attributed(members, server)
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


async def test_a_viewers_keystroke_write_is_refused_with_a_message(served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    before = moves_by(members.db)
    async with terminal(server.port, "bob", members.keys["bob"]) as bob:
        await bob.wait_text("Beta card")
        await asyncio.sleep(0.5)
        mark = bob.press("L")
        await bob.wait_text("bob is a viewer", since=mark)
    assert moves_by(members.db) == before


async def test_a_new_user_logs_in_without_a_restart_and_is_cut_off_when_removed(
        served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    key = asyncssh.generate_private_key("ssh-ed25519")
    admin = Workbench(db=str(members.db), actor="owner")
    try:
        team.add_user(admin, "carol", [key.export_public_key().decode().strip()], "editor")
        async with terminal(server.port, "carol", key) as carol:
            await carol.wait_text("Gamma card")
            team.remove_user(admin, "carol", reason="left the team")
            await carol.wait_text("your access changed")
            await asyncio.wait_for(carol.process.wait_closed(), TIMEOUT)
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncio.wait_for(asyncssh.connect("127.0.0.1", server.port, username="carol", known_hosts=None,
                                                    client_keys=[key], agent_path=None), TIMEOUT)
    finally:
        admin.close()


async def test_disconnecting_ends_the_session_process(served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    known = set(server.session_pids("alice"))
    async with terminal(server.port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("Alpha card")
        new = [p for p in server.session_pids("alice") if p not in known]
        assert len(new) == 1
        pid = new[0]
        assert not gone(pid)
    # The client went away without quitting the app: the server hangs the app up and reaps it.
    ended = f"session_end user=alice addr=127.0.0.1 pid={pid} "
    deadline = time.monotonic() + TIMEOUT
    while not (gone(pid) and ended in server.log_text()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert gone(pid)
    assert ended in server.log_text()  # reaped by the server (logged right after the wait)


async def test_a_resize_reaches_the_tui(served: tuple[Team, ServeProcess]) -> None:
    members, server = served
    async with terminal(server.port, "bob", members.keys["bob"], size=(100, 30)) as bob:
        await bob.wait_text("Alpha card")
        rows = lambda since: {int(r) for r in re.findall(rb"\x1b\[(\d+);1H", bob.raw[since:])}  # noqa: E731
        assert max(rows(0)) <= 30
        mark = len(bob.raw)
        bob.process.change_terminal_size(120, 45)
        # Textual redraws the whole screen at the new size: lines below the old bottom appear.
        await bob.wait_for(lambda: bool(rows(mark)) and max(rows(mark)) > 30, "a redraw at 45 rows")
        assert max(rows(mark)) <= 45


# The terminal plumbing, with a helper in place of the TUI -----------------------------------------
@pytest.fixture
async def helper(tmp_path: Path) -> AsyncIterator[tuple[Team, PmSshServer, int]]:
    async with helper_server(tmp_path, idle_timeout=3.0, max_failures=2, ban=60.0, access_check_interval=0.2,
                             max_sessions_per_user=2) as running:
        yield running


async def test_the_session_runs_as_the_user_on_its_own_controlling_terminal(
        helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "bob", members.keys["bob"], size=(90, 20)) as bob:
        await bob.wait_text("SIZE 90x20")
        assert f"ACTOR bob ROLE viewer DB {members.db} FOREGROUND True" in bob.text()
        # $EDITOR runs as the server's user: never a plain editor that can open a shell or any file.
        editor = re.search(r"EDITOR (.*)\r", bob.text()).group(1)  # type: ignore[union-attr]
        assert editor == "nano --restricted" or editor.endswith("-m pmtui.ssh.no_editor")
        mark = bob.press("x")
        await bob.wait_text("GOT b'x'", since=mark)


async def test_a_resize_reaches_the_program(helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "alice", members.keys["alice"], size=(80, 24)) as alice:
        await alice.wait_text("SIZE 80x24")
        alice.process.change_terminal_size(132, 50)
        await alice.wait_text("SIZE 132x50")


async def test_quitting_the_program_ends_the_session_with_its_status(
        helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("SIZE")
        alice.press("q")
        await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        assert alice.process.exit_status == 0
        assert "BYE" in alice.text()
    assert not server.sessions


async def test_a_hangup_ends_the_program_and_it_is_reaped(helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("SIZE")
        pid = int(re.search(r"PID (\d+)", alice.text()).group(1))  # type: ignore[union-attr]
        (session,) = server.sessions
        process = session.process
        assert process is not None and process.poll() is None
    deadline = time.monotonic() + TIMEOUT
    while process.returncode is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert process.returncode == -signal.SIGHUP  # hung up, and waited for (no zombie left)
    assert gone(pid)


async def test_an_idle_session_times_out_with_a_message(helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("SIZE")
        await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        assert "no keystroke for 3 seconds" in alice.text()


async def test_failed_logins_are_throttled_per_address(helper: tuple[Team, PmSshServer, int],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    members, server, port = helper
    for _ in range(2):
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncio.wait_for(asyncssh.connect("127.0.0.1", port, username="alice", known_hosts=None,
                                                    client_keys=[members.keys["mallory"]], agent_path=None), TIMEOUT)
    await asyncio.sleep(0.2)  # the second failure is counted when its connection closes
    # Now even the right key is turned away for a while, with a reason.
    with pytest.raises(asyncssh.DisconnectError, match="too many failed logins"):
        await asyncio.wait_for(asyncssh.connect("127.0.0.1", port, username="alice", known_hosts=None,
                                                client_keys=[members.keys["alice"]], agent_path=None), TIMEOUT)
    assert "blocked=address" in caplog.text


async def test_an_empty_store_is_explained_not_filled_with_a_demo(tmp_path: Path) -> None:
    """The real session program on a store without a product: it says what to do and ends."""
    db = str(tmp_path / "empty.db")
    wb = Workbench(db=db, actor="owner")
    key = asyncssh.generate_private_key("ssh-ed25519")
    team.add_user(wb, "alice", [key.export_public_key().decode().strip()], "admin")
    server = PmSshServer(wb, ServerConfig(port=0, host_key=str(tmp_path / "host_key")))
    port = await server.start()
    try:
        async with terminal(port, "alice", key) as alice:
            await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
            assert "an admin creates the product on the server first" in alice.text()
            assert alice.process.exit_status == 2
        wb.refresh()
        assert wb.now.product is None
    finally:
        await server.stop()
        wb.close()


async def test_one_user_cannot_open_sessions_without_limit(helper: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper
    async with terminal(port, "alice", members.keys["alice"]) as first, \
            terminal(port, "alice", members.keys["alice"]) as second:
        await first.wait_text("SIZE")
        await second.wait_text("SIZE")
        async with terminal(port, "alice", members.keys["alice"]) as third:
            await asyncio.wait_for(third.process.wait_closed(), TIMEOUT)
            await third.wait_text("alice has 2 sessions open already")
        async with terminal(port, "bob", members.keys["bob"]) as other_user:
            await other_user.wait_text("SIZE")
