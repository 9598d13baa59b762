"""``pmtui serve`` against hostile (or just careless) clients, on loopback: huge and impossible
window sizes, disconnecting while the app floods output, typing faster than the app reads, opening
sessions without end, guessing keys, asking to forward ports, and the app's own palette commands.

Most tests run the server class in this process with the helper program of sshkit.py in place of
the TUI (it reports what its terminal tells it, and misbehaves on request); the window-size memory
test and the palette test run the real ``pmtui serve`` with the real TUI.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
from pathlib import Path

import asyncssh
import pytest

from pmtui.service.workbench import Workbench
from tests.e2e.sshkit import (TIMEOUT, ServeProcess, events, helper_server, make_team, pty_fds, rss_mb, serving,
                              terminal, until)

pytestmark = pytest.mark.slow

# 1. Window sizes: clamped at every request and resize; nothing leaks ------------------------------
async def test_window_sizes_are_clamped_at_the_request_and_at_every_resize(tmp_path: Path) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        async with terminal(port, "alice", members.keys["alice"], size=(65535, 65535)) as huge:
            await huge.wait_text("SIZE 1000x500")
            huge.process.change_terminal_size(9999, 9999)
            mark = len(huge.raw)
            huge.process.change_terminal_size(5, 2)
            await huge.wait_text("SIZE 20x10", since=mark)
            mark = len(huge.raw)
            huge.process.change_terminal_size(120, 40)  # an ordinary size is left alone
            await huge.wait_text("SIZE 120x40", since=mark)
        async with terminal(port, "bob", members.keys["bob"], size=(70000, 100000)) as beyond:
            # Beyond what a terminal can even hold (16 bits): clamped too, not a dropped connection.
            await beyond.wait_text("SIZE 1000x500")
            mark = len(beyond.raw)
            beyond.process.change_terminal_size(2**32 - 1, 2**32 - 1)
            await beyond.wait_text("SIZE 1000x500", since=mark)
            beyond.press("x")
            await beyond.wait_text("GOT b'x'", since=mark)


async def test_oversized_windows_leak_no_pty(tmp_path: Path) -> None:
    async with helper_server(tmp_path, max_new_sessions_per_minute=100) as (members, server, port):
        before = pty_fds()
        shown = 0
        for n in range(8):
            async with terminal(port, "alice", members.keys["alice"], size=(65536 + n, 70000)) as client:
                # Unclamped, the set-up failed: the connection dropped, the PTY pair stayed open.
                await client.wait_for(lambda: "SIZE" in client.text() or client.conn.is_closed(), "SIZE or a close")
                shown += "SIZE 1000x500" in client.text()
        await until(lambda: not server.sessions, "every session to end")
        assert pty_fds() == before
        assert shown == 8


async def test_a_failed_session_set_up_closes_what_it_opened_with_one_log_line(
        tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    not_runnable = tmp_path / "not-runnable"
    not_runnable.write_text("#!/bin/sh\n")  # no execute permission: exec fails in the child
    async with helper_server(tmp_path, command=[str(not_runnable)]) as (members, server, port):
        before = pty_fds()
        async with terminal(port, "alice", members.keys["alice"]) as client:
            await asyncio.wait_for(client.process.wait_closed(), TIMEOUT)
            assert "the session could not start" in client.text()
            assert client.process.exit_status == 1
        assert not server.sessions
        assert pty_fds() == before
    assert len(events(log_lines, "session_failed")) == 1


async def test_a_huge_window_does_not_grow_the_real_session(tmp_path: Path) -> None:
    """The real TUI at 65535x65535 (then resized to 9999x9999 and back, as tmux did): its memory stays
    bounded. Unclamped it grew ~55 MB/s without end."""
    members = make_team(tmp_path)
    with serving(tmp_path, members) as (_, server):
        async with terminal(server.port, "bob", members.keys["bob"], size=(65535, 65535)) as bob:
            await until(lambda: bool(session_pids(server, "bob")), "the session to start")
            (pid,) = session_pids(server, "bob")
            peak = 0.0

            def drawn() -> bool:
                nonlocal peak
                peak = max(peak, rss_mb(pid))
                assert peak <= 200, f"the session grew to {peak:.0f} MB before its first screen"
                return "Alpha card" in bob.text()

            await until(drawn, "the first screen", timeout=60)
            for size in ((9999, 9999), (80, 24), (65535, 65535)):
                bob.process.change_terminal_size(*size)
                for _ in range(20):  # 2 s at each size
                    peak = max(peak, rss_mb(pid))
                    await asyncio.sleep(0.1)
            print(f"peak RSS of the session: {peak:.0f} MB")
            assert peak <= 200, f"the session grew to {peak:.0f} MB"


def session_pids(server: ServeProcess, user: str) -> list[int]:
    # The log line of this branch, or of the one before it (to show the test fails there).
    found = re.findall(rf"session_start user={user} \S+ \S+ pid=(\d+)", server.log_text())
    return [int(p) for p in found or re.findall(rf"session started: {user} \S+ from \S+, pid (\d+)",
                                                server.log_text())]


# 2. A closed channel: no writes to it, one line for the end ----------------------------------------
async def test_a_client_leaving_during_a_flood_ends_the_session_quietly(
        tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        async with terminal(port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("SIZE")
            alice.press("f")
            await alice.wait_text("FLOODING")
            await asyncio.sleep(0.3)
        # The app ignores its hangup and keeps writing: it is killed after the grace, and nothing
        # it wrote meanwhile is sent to (nor fails on) the closed channel.
        await until(lambda: not server.sessions, "the session to end")
    text = log_lines.text
    assert "Channel not open" not in text and "Traceback" not in text and "BrokenPipe" not in text
    (end,) = events(log_lines, "session_end")
    assert re.fullmatch(r"session_end user=alice addr=127\.0\.0\.1 pid=\d+ duration=[\d.]+ "
                        r"reason=client_closed status=-9 killed=yes", end), end
    assert not [r for r in log_lines.records if r.levelno >= logging.ERROR]


# 3. Back-pressure ----------------------------------------------------------------------------------
async def test_input_the_app_does_not_read_pauses_the_client(tmp_path: Path) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        async with terminal(port, "alice", members.keys["alice"]) as alice:
            await alice.wait_text("SIZE")
            alice.press("s")
            await alice.wait_text("STOPPED")
            (session,) = server.sessions
            alice.process.stdin.write(b"y" * (8 * 1024 * 1024))
            # The client is held back: its 8 MB cannot all leave while the app reads nothing...
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(alice.process.stdin.drain(), 3)
            # ...and the server holds little of it (the PTY's own buffer, one SSH window at most).
            assert session.buffered_input <= 64 * 1024


async def test_output_waits_for_a_client_that_does_not_read(tmp_path: Path) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        conn = await asyncssh.connect("127.0.0.1", port, username="alice", client_keys=[members.keys["alice"]],
                                      known_hosts=None, agent_path=None)
        try:
            process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
            await asyncio.wait_for(process.stdout.readuntil(b"SIZE"), TIMEOUT)
            process.stdin.write(b"f")  # the app floods; this client reads nothing more
            await asyncio.sleep(3)
            (session,) = server.sessions
            assert session._chan is not None
            assert session._chan.get_write_buffer_size() <= 256 * 1024
        finally:
            conn.close()
            await conn.wait_closed()
        await until(lambda: not server.sessions, "the session to end")


# 4. Session limits with clear messages --------------------------------------------------------------
async def test_session_limits_in_total_per_user_and_per_minute(
        tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    async with helper_server(tmp_path, max_sessions=2, max_sessions_per_user=1,
                             max_new_sessions_per_minute=3) as (members, server, port):
        async with terminal(port, "alice", members.keys["alice"]) as first:
            await first.wait_text("SIZE")
            async with terminal(port, "alice", members.keys["alice"]) as second:
                await asyncio.wait_for(second.process.wait_closed(), TIMEOUT)
                await second.wait_text("alice has 1 sessions open already")
            async with terminal(port, "bob", members.keys["bob"]) as bob:
                await bob.wait_text("SIZE")
                key = members.keys["mallory"]
                admin = Workbench(db=members.db, actor="owner")
                from pmtui.service import team
                team.add_user(admin, "carol", [key.export_public_key().decode().strip()], "viewer")
                admin.close()
                async with terminal(port, "carol", key) as carol:
                    await asyncio.wait_for(carol.process.wait_closed(), TIMEOUT)
                    await carol.wait_text("the server has its maximum of 2 sessions open")
        await until(lambda: not server.sessions, "the sessions to end")
        for _ in range(2):  # alice's second and third within the minute
            async with terminal(port, "alice", members.keys["alice"]) as again:
                await again.wait_text("SIZE")
            await until(lambda: not server.sessions, "the session to end")
        async with terminal(port, "alice", members.keys["alice"]) as fourth:
            await asyncio.wait_for(fourth.process.wait_closed(), TIMEOUT)
            await fourth.wait_text("alice opened 3 sessions in the last minute; try again in")
    hits = [re.search(r"limit=(\w+)", line).group(1) for line in events(log_lines, "limit_hit")]  # type: ignore[union-attr]
    assert hits == ["sessions_per_user", "sessions_total", "new_sessions_per_minute"]


async def test_limits_hold_across_the_servers_of_one_store(tmp_path: Path) -> None:
    """Two ``pmtui serve`` on one store: a user's limit and the team's are counted on both
    together (one user does not get the limit once per server), and a session's end frees its
    place for either server."""
    members = make_team(tmp_path)
    limits = ("--max-sessions-per-user", "1", "--max-team-sessions", "2")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with serving(tmp_path / "a", members, args=limits) as (_, one), \
            serving(tmp_path / "b", members, args=limits) as (_, two):
        async with terminal(one.port, "alice", members.keys["alice"]) as first:
            await first.wait_text("Alpha card", timeout=60)
            async with terminal(two.port, "alice", members.keys["alice"]) as second:
                await asyncio.wait_for(second.process.wait_closed(), TIMEOUT)
                await second.wait_text("alice has 1 sessions open already")
            async with terminal(two.port, "bob", members.keys["bob"]) as bob:
                await bob.wait_text("Alpha card", timeout=60)
                admin = Workbench(db=members.db, actor="owner")
                from pmtui.service import team
                team.add_user(admin, "carol", [members.keys["mallory"].export_public_key().decode().strip()], "viewer")
                admin.close()
                async with terminal(one.port, "carol", members.keys["mallory"]) as carol:
                    await asyncio.wait_for(carol.process.wait_closed(), TIMEOUT)
                    await carol.wait_text("this team has its maximum of 2 sessions open (on all its servers)")
        await until(lambda: one.log_text().count("session_end") + two.log_text().count("session_end") == 2,
                    "both sessions to end")
        async with terminal(two.port, "alice", members.keys["alice"]) as again:
            await again.wait_text("Alpha card", timeout=60)  # alice's place on the first server is free again
        assert "limit_hit user=alice addr=127.0.0.1 limit=sessions_per_user" in two.log_text()
        assert "limit_hit user=carol addr=127.0.0.1 limit=sessions_team" in one.log_text()


# 5. Failed logins per address and per user ----------------------------------------------------------
async def connect(port: int, user: str, key: asyncssh.SSHKey, source: str = "127.0.0.1"
                  ) -> asyncssh.SSHClientConnection:
    return await asyncio.wait_for(asyncssh.connect(
        "127.0.0.1", port, username=user, client_keys=[key], known_hosts=None, agent_path=None,
        local_addr=(source, 0)), TIMEOUT)


async def test_a_colleagues_login_does_not_reset_an_attackers_failures(tmp_path: Path) -> None:
    async with helper_server(tmp_path, max_failures=2) as (members, server, port):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(port, "alice", members.keys["mallory"])
        # A colleague behind the same address logs in between the attacker's attempts.
        conn = await connect(port, "bob", members.keys["bob"])
        conn.close()
        await conn.wait_closed()
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(port, "alice", members.keys["mallory"])
        await asyncio.sleep(0.2)  # a failure is counted when its connection closes
        with pytest.raises(asyncssh.DisconnectError, match="too many failed logins from 127.0.0.1"):
            await connect(port, "bob", members.keys["bob"])


async def test_guessing_one_user_from_many_addresses_blocks_that_user(tmp_path: Path) -> None:
    async with helper_server(tmp_path, max_failures=5, max_user_failures=3) as (members, server, port):
        for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):  # each address far below its own limit
            with pytest.raises(asyncssh.PermissionDenied):
                await connect(port, "alice", members.keys["mallory"], source)
        await asyncio.sleep(0.2)
        with pytest.raises(asyncssh.DisconnectError, match="too many failed logins as 'alice'"):
            await connect(port, "alice", members.keys["alice"], "127.0.0.5")
        conn = await connect(port, "bob", members.keys["bob"], "127.0.0.5")  # other users are not affected
        conn.close()
        await conn.wait_closed()


# 6. Nothing in a session writes files on the server -------------------------------------------------
async def test_the_palette_offers_no_screenshot_in_a_session(tmp_path: Path) -> None:
    members = make_team(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    with serving(tmp_path, members, env={"HOME": str(home)}) as (_, server):
        async with terminal(server.port, "bob", members.keys["bob"]) as bob:
            await bob.wait_text("Alpha card", timeout=60)
            await asyncio.sleep(0.5)
            bob.press("\x10")  # Ctrl+P: the command palette
            await asyncio.sleep(1.0)
            mark = bob.press("Screenshot")
            await asyncio.sleep(1.5)
            bob.press("\r")
            await asyncio.sleep(2.0)
            assert "SVG" not in bob.text(mark)
    written = [p for p in home.rglob("*") if p.is_file()]
    assert not [p for p in written if p.suffix == ".svg"], written


# 7. Smaller things ----------------------------------------------------------------------------------
async def test_a_server_started_under_nohup_still_hangs_sessions_up(tmp_path: Path) -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as `nohup pmtui serve` leaves it
    try:
        async with helper_server(tmp_path) as (members, server, port):
            async with terminal(port, "alice", members.keys["alice"]) as alice:
                await alice.wait_text("SIZE")
                (session,) = server.sessions
                process = session.process
                assert process is not None
            await until(lambda: process.returncode is not None, "the session to end")
            assert process.returncode == -signal.SIGHUP  # not ignored, so not killed after the grace
    finally:
        signal.signal(signal.SIGHUP, previous)


async def test_refused_forwarding_is_logged(tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        conn = await connect(port, "alice", members.keys["alice"])
        try:
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.open_connection("127.0.0.1", 22)
            with pytest.raises(asyncssh.ChannelListenError):
                await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        finally:
            conn.close()
            await conn.wait_closed()
    refused = events(log_lines, "refused")
    assert "refused user=alice addr=127.0.0.1 what=forward_tcp target=127.0.0.1:22" in refused
    assert any("what=listen_tcp" in line for line in refused)


@pytest.mark.skipif(shutil.which("ssh") is None or shutil.which("ssh-agent") is None,
                    reason="OpenSSH's ssh and ssh-agent are not installed")
async def test_refused_agent_and_x11_forwarding_are_logged(tmp_path: Path, log_lines: pytest.LogCaptureFixture
                                                           ) -> None:
    """``ssh -A -X``, as someone whose config forwards everything: refused, one line each."""
    agent_socket = tmp_path / "agent.sock"
    agent = await asyncio.create_subprocess_exec("ssh-agent", "-D", "-a", str(agent_socket),
                                                 stdout=asyncio.subprocess.DEVNULL)
    try:
        await until(agent_socket.exists, "the agent's socket")
        async with helper_server(tmp_path) as (members, server, port):
            env = {**os.environ, "SSH_AUTH_SOCK": str(agent_socket), "DISPLAY": "127.0.0.1:93"}
            ssh = await asyncio.create_subprocess_exec(
                "ssh", "-tt", "-A", "-X", "-p", str(port), "-i", str(members.key_files["alice"]),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", f"UserKnownHostsFile={tmp_path / 'kh'}", "-o", "LogLevel=ERROR", "-F", "/dev/null",
                "alice@127.0.0.1", env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
            assert ssh.stdin is not None and ssh.stdout is not None
            await asyncio.wait_for(ssh.stdout.readuntil(b"SIZE"), TIMEOUT)  # the session runs all the same
            ssh.stdin.write(b"q")
            await asyncio.wait_for(ssh.wait(), TIMEOUT)
    finally:
        agent.terminate()
        await agent.wait()
    refused = events(log_lines, "refused")
    assert "refused user=alice addr=127.0.0.1 what=agent" in refused, refused
    assert "refused user=alice addr=127.0.0.1 what=x11 target=\"screen 0\"" in refused, refused


async def test_a_user_name_cannot_forge_a_log_line(tmp_path: Path, log_lines: pytest.LogCaptureFixture) -> None:
    async with helper_server(tmp_path) as (members, server, port):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(port, 'eve" role=admin', members.keys["mallory"])
        await until(lambda: bool(events(log_lines, "login_failed")), "the failure to be logged")
    (line,) = events(log_lines, "login_failed")
    assert line.startswith('login_failed user="eve\\" role=admin" addr=127.0.0.1 '), line
