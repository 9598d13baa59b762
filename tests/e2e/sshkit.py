"""What the SSH end-to-end tests share: a team store, the real ``pmtui serve`` process, a client
terminal, and the server class in the test's own process running a small helper program in place of
the TUI (it reports what its terminal tells it, and misbehaves on request)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from pmtui.service import team
from pmtui.service.workbench import Workbench
from pmtui.ssh.server import PmSshServer, ServerConfig

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


def backlog_top_and_todo_count(db: str) -> tuple[str, int]:
    wb = Workbench(db=db, actor="test")
    try:
        live = [i for i in wb.now.items.values() if not i.archived]
        top = min((i for i in live if i.status == "Backlog"), key=lambda i: i.rank)
        return top.title, sum(1 for i in live if i.status == "To do")
    finally:
        wb.close()



# The helper in place of the TUI ---------------------------------------------------------------------
HELPER = r"""
import os, signal, sys, time, tty
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
    if data == b"f":  # flood: ignore the hangup and write until killed
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        say("FLOODING")
        while True:
            os.write(1, b"x" * 4096 + b"\r\n")
    if data == b"s":  # stop reading input, stay alive
        say("STOPPED")
        while True:
            time.sleep(1)
    say(f"GOT {data!r}")
"""


@contextlib.asynccontextmanager
async def helper_server(tmp_path: Path, **options: object) -> AsyncIterator[tuple[Team, PmSshServer, int]]:
    """The server class in this process on a fresh team store, running HELPER for each session;
    ``options``: ServerConfig fields."""
    members = make_team(tmp_path)
    script = tmp_path / "helper.py"
    script.write_text(HELPER)
    wb = Workbench(db=str(members.db), actor="server")
    settings: dict[str, object] = dict(port=0, host_key=str(tmp_path / "host_key"),
                                       command=[sys.executable, str(script)], idle_timeout=0)
    settings.update(options)
    server = PmSshServer(wb, ServerConfig(**settings))  # type: ignore[arg-type]
    port = await server.start()
    try:
        yield members, server, port
    finally:
        await server.stop()
        wb.close()


def pty_fds() -> int:
    """PTY ends this process holds open (masters via /dev/ptmx, slaves under /dev/pts)."""
    count = 0
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{name}")
            if target == "/dev/ptmx" or target.startswith("/dev/pts/"):
                count += 1
    return count


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for row in status:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


async def until(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().split(" ", 1)[0] == name]
