"""Sessions forked from the preloaded zygote of ``pmtui serve`` (the default): the real server, the
real TUI, real SSH clients. A forked session is the zygote's child, not the server's; it opens the
store itself, acts as its user, and neither its crash nor the zygote's death takes anything else
down."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from pmtui.ssh.server import PmSshServer, ServerConfig
from pmtui.ssh.zygote import ForkedProcess, Zygote, ZygoteError
from tests.e2e.sshkit import (TIMEOUT, ServeProcess, backlog_top_and_todo_count, events, gone, make_team, moves_by,
                              serving, terminal, until)

pytestmark = pytest.mark.slow


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits as a zombie until whoever adopted it reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def zygote_pids(server: ServeProcess) -> list[int]:
    return [int(p) for p in re.findall(r"zygote_ready pid=(\d+)", server.log_text())]


def session_pids(server: ServeProcess, user: str) -> list[int]:
    return [int(p) for p in re.findall(rf"session_start user={user} \S+ \S+ pid=(\d+)", server.log_text())]


async def ready(server: ServeProcess) -> int:
    """The zygote's pid, once it has loaded pmtui."""
    await until(lambda: bool(zygote_pids(server)), "the zygote to be ready", timeout=60)
    return zygote_pids(server)[-1]


async def test_a_forked_session_shows_the_board_and_writes_as_its_user(tmp_path: Path) -> None:
    members = make_team(tmp_path)
    first, in_todo = backlog_top_and_todo_count(members.db)
    with serving(tmp_path, members) as (_, server):
        zygote = await ready(server)
        async with terminal(server.port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text(first)
            (pid,) = session_pids(server, "alice")
            assert parent_of(pid) == zygote  # forked from the zygote, not started by the server
            await asyncio.sleep(0.5)
            mark = alice.press("L")
            await alice.wait_text(f"To do {in_todo + 1}", since=mark)
            assert moves_by(members.db)[-1] == ("alice", first, "To do")  # the session acts as its user
            alice.press("q")
            await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
            assert alice.process.exit_status == 0
        await until(lambda: "session_end user=alice" in server.log_text(), "the session's end")
        assert re.search(r"session_end user=alice \S+ pid=\d+ duration=\S+ reason=program_exited status=0\n",
                         server.log_text())
        assert gone(pid)


async def test_the_zygote_holds_no_store_and_no_thread(tmp_path: Path) -> None:
    """What a fork must not copy: an open store (two processes on one SQLite handle corrupt it) or
    a second thread (its locks stay locked in the child). Checked after a session came and went."""
    members = make_team(tmp_path)
    with serving(tmp_path, members) as (_, server):
        zygote = await ready(server)
        async with terminal(server.port, "bob", members.keys["bob"]) as bob:
            await bob.wait_text("Alpha card")
        assert os.listdir(f"/proc/{zygote}/task") == [str(zygote)]
        opened = [os.readlink(f"/proc/{zygote}/fd/{fd}") for fd in os.listdir(f"/proc/{zygote}/fd")]
        store = os.path.basename(members.db)
        assert not [path for path in opened if store in path], opened


async def test_the_zygote_survives_a_crashing_session(tmp_path: Path) -> None:
    members = make_team(tmp_path)
    with serving(tmp_path, members) as (_, server):
        zygote = await ready(server)
        async with terminal(server.port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("Alpha card")
            (pid,) = session_pids(server, "alice")
            os.kill(pid, signal.SIGSEGV)  # the session crashes
            await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        await until(lambda: "session_end user=alice" in server.log_text(), "the crash to be logged")
        assert re.search(rf"session_end user=alice \S+ pid={pid} .*status=-{int(signal.SIGSEGV)}", server.log_text())
        assert not gone(zygote)
        async with terminal(server.port, "alice", members.keys["alice"]) as again:
            await again.wait_text("Alpha card")  # the next session comes from the same zygote
            assert parent_of(session_pids(server, "alice")[-1]) == zygote
        assert zygote_pids(server) == [zygote]


async def test_a_dead_zygote_is_replaced_and_its_sessions_go_on(tmp_path: Path) -> None:
    members = make_team(tmp_path)
    with serving(tmp_path, members) as (_, server):
        zygote = await ready(server)
        async with terminal(server.port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("Alpha card")
            (pid,) = session_pids(server, "alice")
            os.kill(zygote, signal.SIGKILL)
            await until(lambda: not running(zygote), "the zygote to die")
            # A session forked before goes on: it is a process of its own...
            mark = alice.press("2")  # the sprint view
            await asyncio.sleep(0.5)
            alice.press("1")
            await alice.wait_text("Alpha card", since=mark)
            # ...and the next login gets a new zygote.
            async with terminal(server.port, "bob", members.keys["bob"]) as bob:
                await bob.wait_text("Alpha card", timeout=60)
            assert "zygote_restarted" in server.log_text()
            (new,) = [z for z in zygote_pids(server) if z != zygote]
            assert parent_of(session_pids(server, "bob")[-1]) == new
            alice.press("q")  # the orphaned session's end is still noticed and logged
            await asyncio.wait_for(alice.process.wait_closed(), TIMEOUT)
        await until(lambda: re.search(rf"session_end user=alice \S+ pid={pid} ", server.log_text()) is not None,
                    "the orphaned session's end")
        assert not running(pid)


async def test_a_forked_session_of_a_server_under_nohup_still_hangs_up(
        tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    """``nohup pmtui serve`` ignores SIGHUP, and an ignored signal stays ignored in every process
    started from it, the zygote included: the sessions forked from it must take it back, or a
    client's disconnect would leave its session running until it is killed after the grace."""
    members = make_team(tmp_path)
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as `nohup pmtui serve` leaves it
    wb = Workbench(db=members.db, actor="server")
    server = PmSshServer(wb, ServerConfig(port=0, host_key=str(tmp_path / "host_key")))
    try:
        port = await server.start()
        async with terminal(port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("Alpha card", timeout=60)
        await until(lambda: bool(events(log_lines, "session_end")), "the session to end")
    finally:
        await server.stop()
        wb.close()
        signal.signal(signal.SIGHUP, previous)
    (end,) = events(log_lines, "session_end")
    assert "reason=client_closed" in end and "killed=yes" not in end, end
    assert f"status=-{int(signal.SIGHUP)}" in end, end


async def test_a_session_starts_the_slow_way_when_the_zygote_cannot_fork(
        tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    """A zygote that cannot fork (out of processes, or dead and not restartable) costs speed, not
    the session: it is started afresh, and the log says why."""

    class OutOfProcesses(Zygote):
        async def spawn(self, terminal: int, env: dict[str, str], argv: Sequence[str] = (),
                        changes: int | None = None) -> ForkedProcess:
            raise ZygoteError("fork: Resource temporarily unavailable")

    members = make_team(tmp_path)
    wb = Workbench(db=members.db, actor="server")
    server = PmSshServer(wb, ServerConfig(port=0, host_key=str(tmp_path / "host_key")))
    assert server.zygote is not None
    server.zygote = OutOfProcesses(server.zygote.env)
    try:
        port = await server.start()
        async with terminal(port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("Alpha card", timeout=60)
            (session,) = server.sessions
            assert session.process is not None and parent_of(session.process.pid) == os.getpid()  # exec'd
    finally:
        await server.stop()
        wb.close()
    (failed,) = events(log_lines, "zygote_failed")
    assert failed == 'zygote_failed error="fork: Resource temporarily unavailable" instead=exec'
