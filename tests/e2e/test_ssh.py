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
import sys
import termios
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from pmtui import team
from pmtui.service import Workbench
from pmtui.ssh.server import PmSshServer, ServerConfig

pytestmark = pytest.mark.slow

TIMEOUT = 30.0  # generous: two shared cores, a TUI that imports Textual per session
ANSI = re.compile(rb"\x1b(\[[0-9;?<=>$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Z]|[=>])")
CARDS = ["Alpha card", "Beta card", "Gamma card"]


# Stores, keys, servers -----------------------------------------------------------------------------
@dataclass
class Team:
    db: str  # a SQLite path or a postgresql:// address
    keys: dict[str, asyncssh.SSHKey]
    key_files: dict[str, Path]


def make_team(tmp: Path, db: str | None = None) -> Team:
    """A store with a product, three cards in the backlog, an editor (alice), a viewer (bob) and
    a key nobody registered (mallory)."""
    db = db or str(tmp / "team.db")
    wb = Workbench(db=db, actor="owner")
    wb.init_product("Shop", "SHOP")
    for title in CARDS:
        wb.add_item(title)
    keys: dict[str, asyncssh.SSHKey] = {}
    files: dict[str, Path] = {}
    for name, role in (("alice", "editor"), ("bob", "viewer"), ("mallory", None)):
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        keys[name] = key
        files[name] = tmp / f"id_{name}"
        key.write_private_key(str(files[name]))
        os.chmod(files[name], 0o600)
        if role:
            team.add_user(wb, name, [key.export_public_key().decode().strip()], role)
    wb.close()
    return Team(db, keys, files)


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def session_pids(self, user: str) -> list[int]:
        return [int(p) for p in re.findall(rf"session_start user={user} role=\w+ addr=\S+ pid=(\d+)", self.log_text())]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Team, ServeProcess]]:
    """``pmtui serve --port 0`` on a fresh team store, stopped (and its sessions with it) at the end."""
    tmp = tmp_path_factory.mktemp("ssh")
    with serving(tmp, make_team(tmp)) as running:
        yield running


@contextlib.contextmanager
def serving(tmp: Path, members: Team, env: dict[str, str] | None = None,
            args: tuple[str, ...] = ()) -> Iterator[tuple[Team, ServeProcess]]:
    log = tmp / "serve.log"
    env = {**os.environ, "PMTUI_DB": str(members.db), "XDG_DATA_HOME": str(tmp / "data"), **(env or {})}
    with open(log, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "pmtui.cli", "serve", "--port", "0", *args], env=env,
                                   stdout=subprocess.PIPE, stderr=log_file, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"over SSH on 127\.0\.0\.1:(\d+)", first)
        assert match, f"unexpected first line {first!r}; log: {log.read_text()}"
        yield members, ServeProcess(process, int(match.group(1)), log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log.read_text()


# A terminal on the client side ---------------------------------------------------------------------
class Terminal:
    """An SSH session with a PTY whose output is collected; ``text`` is what was drawn, with the
    escape sequences taken out (enough to find words the app wrote)."""

    def __init__(self, conn: asyncssh.SSHClientConnection, process: asyncssh.SSHClientProcess) -> None:
        self.conn = conn
        self.process = process
        self.raw = b""
        loop = asyncio.get_running_loop()
        # A terminal shows both streams, interleaved as they come.
        self._readers = [loop.create_task(self._read(self.process.stdout)),
                         loop.create_task(self._read(self.process.stderr))]

    async def _read(self, stream: asyncssh.SSHReader[bytes]) -> None:
        while True:
            data = await stream.read(65536)
            if not data:
                return
            self.raw += data

    def text(self, since: int = 0) -> str:
        return ANSI.sub(b"", self.raw[since:]).decode("utf-8", errors="replace")

    async def wait_for(self, check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen said: {self.text()[-1500:]!r}")
            await asyncio.sleep(0.05)

    async def wait_text(self, needle: str, since: int = 0, timeout: float = TIMEOUT) -> None:
        await self.wait_for(lambda: needle in self.text(since), repr(needle), timeout)

    def press(self, keys: str) -> int:
        """Send keystrokes; returns the output position before them (to look at what came after)."""
        mark = len(self.raw)
        self.process.stdin.write(keys.encode())
        return mark

    async def close(self) -> None:
        self.conn.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.conn.wait_closed(), TIMEOUT)
        for reader in self._readers:
            reader.cancel()


@contextlib.asynccontextmanager
async def terminal(port: int, user: str, key: asyncssh.SSHKey, size: tuple[int, int] = (100, 30)
                   ) -> AsyncIterator[Terminal]:
    conn = await asyncio.wait_for(asyncssh.connect(
        "127.0.0.1", port, username=user, client_keys=[key], known_hosts=None, agent_path=None), TIMEOUT)
    process = await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None)
    term = Terminal(conn, process)
    try:
        yield term
    finally:
        await term.close()


def moves_by(db: str) -> list[tuple[str, str, str]]:
    """(actor, item title, new column) of every card move in the log."""
    wb = Workbench(db=db, actor="test")
    try:
        return [(r.actor, wb.now.items[r.aggregate_id].title, r.data["changes"]["status"][1])
                for r in wb.records() if r.name == "WorkItem.Moved"]
    finally:
        wb.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


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


def backlog_top_and_todo_count(db: str) -> tuple[str, int]:
    wb = Workbench(db=db, actor="test")
    try:
        live = [i for i in wb.now.items.values() if not i.archived]
        top = min((i for i in live if i.status == "Backlog"), key=lambda i: i.rank)
        return top.title, sum(1 for i in live if i.status == "To do")
    finally:
        wb.close()


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
HELPER = r"""
import os, signal, sys, tty
tty.setraw(0)
def say(text):
    os.write(1, (text + "\r\n").encode())
def size(*_):
    s = os.get_terminal_size(0)
    say(f"SIZE {s.columns}x{s.lines}")
signal.signal(signal.SIGWINCH, size)
say(f"PID {os.getpid()} ACTOR {os.environ['PMTUI_ACTOR']} ROLE {os.environ['PMTUI_ROLE']} "
    f"DB {os.environ['PMTUI_DB']} FOREGROUND {os.tcgetpgrp(0) == os.getpgrp()}")
say(f"EDITOR {os.environ['EDITOR']}")
size()
while True:
    data = os.read(0, 1)
    if not data or data == b"q":
        say("BYE")
        sys.exit(0)
    say(f"GOT {data!r}")
"""


@pytest.fixture
async def helper_server(tmp_path: Path) -> AsyncIterator[tuple[Team, PmSshServer, int]]:
    members = make_team(tmp_path)
    script = tmp_path / "helper.py"
    script.write_text(HELPER)
    wb = Workbench(db=str(members.db), actor="server")
    config = ServerConfig(port=0, host_key=str(tmp_path / "host_key"), command=[sys.executable, str(script)],
                          idle_timeout=3.0, max_failures=2, ban=60.0, access_check_interval=0.2,
                          max_sessions_per_user=2)
    server = PmSshServer(wb, config)
    port = await server.start()
    try:
        yield members, server, port
    finally:
        await server.stop()
        wb.close()


async def test_the_session_runs_as_the_user_on_its_own_controlling_terminal(
        helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
    async with terminal(port, "bob", members.keys["bob"], size=(90, 20)) as bob:
        await bob.wait_text("SIZE 90x20")
        assert f"ACTOR bob ROLE viewer DB {members.db} FOREGROUND True" in bob.text()
        # $EDITOR runs as the server's user: never a plain editor that can open a shell or any file.
        editor = re.search(r"EDITOR (.*)\r", bob.text()).group(1)  # type: ignore[union-attr]
        assert editor == "nano --restricted" or editor.endswith("-m pmtui.ssh.no_editor")
        mark = bob.press("x")
        await bob.wait_text("GOT b'x'", since=mark)


async def test_a_resize_reaches_the_program(helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
    async with terminal(port, "alice", members.keys["alice"], size=(80, 24)) as alice:
        await alice.wait_text("SIZE 80x24")
        alice.process.change_terminal_size(132, 50)
        await alice.wait_text("SIZE 132x50")


async def test_quitting_the_program_ends_the_session_with_its_status(
        helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
    async with terminal(port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("SIZE")
        alice.press("q")
        await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        assert alice.process.exit_status == 0
        assert "BYE" in alice.text()
    assert not server.sessions


async def test_a_hangup_ends_the_program_and_it_is_reaped(helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
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


async def test_an_idle_session_times_out_with_a_message(helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
    async with terminal(port, "alice", members.keys["alice"]) as alice:
        await alice.wait_text("SIZE")
        await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        assert "no keystroke for 3 seconds" in alice.text()


async def test_failed_logins_are_throttled_per_address(helper_server: tuple[Team, PmSshServer, int],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    members, server, port = helper_server
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


async def test_one_user_cannot_open_sessions_without_limit(helper_server: tuple[Team, PmSshServer, int]) -> None:
    members, server, port = helper_server
    async with terminal(port, "alice", members.keys["alice"]) as first, \
            terminal(port, "alice", members.keys["alice"]) as second:
        await first.wait_text("SIZE")
        await second.wait_text("SIZE")
        async with terminal(port, "alice", members.keys["alice"]) as third:
            await asyncio.wait_for(third.process.wait_closed(), TIMEOUT)
            await third.wait_text("alice has 2 sessions open already")
        async with terminal(port, "bob", members.keys["bob"]) as other_user:
            await other_user.wait_text("SIZE")
