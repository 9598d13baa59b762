"""``pmtui serve``: the SSH server a team connects to with plain ``ssh -p 2222 NAME@host``.

Login is by public key only, against the users in the store (``pmtui user add``), looked up fresh
at every attempt so new users get in without a restart. The SSH user name is the pmtui user: the
key must be one of theirs. Each login gets its own pmtui process on a PTY (see session.py), acting
as that user in their role, forked from a process that has pmtui loaded already (see zygote.py).
Nothing else is offered: no command execution, no subsystems (SFTP), no forwarding of ports, agents
or X11 (each refusal logged). Failed logins are logged and rate-limited per address and per user.
Sessions whose user is removed, re-roled or loses the key they logged in with are ended.
Sessions are capped per user and per team (on all the servers of the store together, see
slots.py), per server, and in how many one user may open per minute: each is a process, and no one
user (nor a stolen key) may exhaust the host. Every event is one log line (see events.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from pmtui.service import team
from pmtui.service.workbench import Workbench
from pmtui.ssh.changes import ChangeSignals
from pmtui.ssh.events import emit, install_handler
from pmtui.ssh.hostkey import HostKeyError, default_host_key_path, load_or_create_host_key
from pmtui.ssh.session import PtySession, SessionProcess, SessionSpec, exec_session
from pmtui.ssh.slots import SessionSlots, Slot
from pmtui.ssh.throttle import LoginThrottle
from pmtui.ssh.zygote import Zygote, ZygoteError

log = logging.getLogger("pmtui.ssh")

MAX_KEYS_PER_CONNECTION = 10  # a client offering more keys than this is guessing
# SSH receive window per session: how much a client may send before the server grants more. The
# server stops granting while the app has input unread (see session.py), so this bounds what a
# session holds for a client that types (or pastes) faster than the app reads. 2 MiB by default.
RECEIVE_WINDOW = 64 * 1024


def default_session_command() -> list[str]:
    return [sys.executable, "-m", "pmtui.cli"]


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 2222  # 0: any free port (the startup line names it)
    idle_timeout: float = 1800.0
    host_key: str | None = None
    command: Sequence[str] = field(default_factory=default_session_command)
    max_failures: int = 5  # failed logins from one address within failure_window
    max_user_failures: int = 10  # failed logins as one user name (from any address) within it
    failure_window: float = 60.0
    ban: float = 300.0
    access_check_interval: float = 2.0
    max_sessions_per_user: int = 8  # open at once, on every server of the store together
    max_sessions: int = 64  # open at once on this server, all users together
    max_team_sessions: int = 0  # open at once on every server of the store together (0: no limit)
    max_new_sessions_per_minute: int = 20  # opened by one user within a minute
    login_timeout: float = 60.0
    editor: str | None = None  # $EDITOR in sessions (see session_editor)
    # Fork pmtui sessions from a preloaded process (see zygote.py) instead of starting each afresh.
    # Only for the default command: any other program is exec'd.
    fork_sessions: bool = True


class RefusingConnection(asyncssh.SSHServerConnection):  # type: ignore[misc]
    """asyncssh refuses agent and X11 forwarding by itself (both are off in the server's options)
    without a word to the server: these two methods are where it decides. They refuse the same
    way, and have the Gate log it, as it logs refused port forwarding."""

    async def attach_x11_listener(self, chan: object, auth_proto: bytes, auth_data: bytes,
                                  screen: int) -> str | None:
        gate = self.get_owner()
        if isinstance(gate, Gate):
            gate.forward_refused("x11", f"screen {screen}")
        return None

    async def create_agent_listener(self) -> bool:
        gate = self.get_owner()
        if isinstance(gate, Gate):
            gate.forward_refused("agent", "")
        return False


class Gate(asyncssh.SSHServer):  # type: ignore[misc]
    """One client connection: authenticates it, then opens its session."""

    def __init__(self, server: PmSshServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = "?"
        self.member: team.Member | None = None
        self.login_key = ""
        self.offered: list[str] = []
        self.tried_user = ""
        self.refused = False  # turned away by the throttle: not one more failure

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        # asyncssh has no factory for its connections: this one only gains the two refusals above.
        conn.__class__ = RefusingConnection
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "?"

    def begin_auth(self, username: str) -> bool:
        self.tried_user = username
        wait, blocked = self.server.throttle.blocked_for(self.peer, username)
        if wait and self.conn is not None:
            self.refused = True
            emit("login_refused", logging.WARNING, user=username, addr=self.peer, reason=f"{blocked}_blocked",
                 wait=round(wait))
            what = f"from {self.peer}" if blocked == "address" else f"as {username!r}"
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                 f"too many failed logins {what}; try again in {wait:.0f} s")
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        line = key.export_public_key("openssh").decode().strip()
        if len(self.offered) >= MAX_KEYS_PER_CONNECTION or self.server.throttle.blocked_for(self.peer, username)[0]:
            return False
        member = self.server.member(username)
        if member is not None and team.user_for_key(self.server.wb.now, line) == member:
            self.member, self.login_key = member, line
            return True
        self.offered.append(str(key.get_fingerprint()))
        return False

    def auth_completed(self) -> None:
        assert self.member is not None
        self.server.throttle.succeeded(self.peer, self.tried_user)
        emit("login", user=self.member.name, role=self.member.role, addr=self.peer,
             key=self.server.fingerprint_of(self.login_key))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.member is None and self.tried_user and not self.refused:
            banned = self.server.throttle.failed(self.peer, self.tried_user)
            emit("login_failed", logging.WARNING, user=self.tried_user, addr=self.peer,
                 keys=",".join(self.offered) or "none", blocked=banned or None)

    def session_requested(self) -> PtySession:
        assert self.member is not None
        return self.server.open_session(self.member, self.login_key, self.peer)

    # Everything else an SSH server may offer is refused (asyncssh's defaults, stated here), and
    # logged: a client asking to forward is probing for a way out.
    def forward_refused(self, kind: str, target: str) -> bool:
        emit("refused", logging.WARNING, user=self.member.name if self.member else self.tried_user,
             addr=self.peer, what=kind, target=target or None)
        return False

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        return self.forward_refused("forward_tcp", f"{dest_host}:{dest_port}")

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return self.forward_refused("listen_tcp", f"{listen_host}:{listen_port}")

    def unix_connection_requested(self, dest_path: str) -> bool:
        return self.forward_refused("forward_unix", dest_path)

    def unix_server_requested(self, listen_path: str) -> bool:
        return self.forward_refused("listen_unix", listen_path)


class PmSshServer:
    def __init__(self, wb: Workbench, config: ServerConfig) -> None:
        self.wb = wb
        self.config = config
        self.throttle = LoginThrottle(config.max_failures, config.failure_window, config.ban,
                                      max_user_failures=config.max_user_failures)
        self._opened: dict[str, deque[float]] = {}  # user -> when their recent sessions opened
        db = os.path.abspath(wb.location.target) if wb.location.kind == "sqlite" else wb.location.target
        self.spec = SessionSpec(list(config.command), db, config.idle_timeout, config.editor)
        # One watcher of the store for every session (see changes.py): none of them polls it.
        self.spec.changes = ChangeSignals(wb.log.data_version)
        self.zygote: Zygote | None = None
        if config.fork_sessions and list(config.command) == default_session_command():
            self.zygote = Zygote({**os.environ, "LANG": os.environ.get("LANG", "C.UTF-8")},
                                 on_event=self._zygote_event)
            self.spec.launcher = self._fork_session
        self.sessions: dict[PtySession, str] = {}  # session -> the key it logged in with
        self.slots = SessionSlots(wb.location)  # limits shared with the store's other servers
        self._held: dict[PtySession, list[Slot]] = {}
        self.host_key_path = Path(config.host_key) if config.host_key else default_host_key_path(wb.location)
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.fingerprint = ""
        self._watcher: asyncio.Task[None] | None = None

    def member(self, name: str) -> team.Member | None:
        try:
            self.wb.refresh()  # users added a moment ago (by another process) can log in now
        except Exception as error:  # noqa: BLE001 - a busy or unreachable store: decide on what we know
            emit("store_unreadable", logging.WARNING, error=str(error), using="last known users")
        return team.find_member(self.wb.now, name)

    @staticmethod
    def fingerprint_of(key_line: str) -> str:
        try:
            return str(asyncssh.import_public_key(key_line).get_fingerprint())
        except (asyncssh.KeyImportError, ValueError):
            return "?"

    def _refusal(self, member: team.Member) -> tuple[str, str, list[Slot]]:
        """(limit hit, message for the client, no slots), or ("", "", the slots taken for the
        session) when it may open."""
        config = self.config
        now = asyncio.get_running_loop().time()
        opened = self._opened.setdefault(member.name, deque())
        while opened and opened[0] <= now - 60.0:
            opened.popleft()
        if len(self.sessions) >= config.max_sessions:
            return "sessions_total", (f"pmtui: the server has its maximum of {config.max_sessions} sessions open; "
                                      "try again later"), []
        taken: list[Slot] = []
        try:
            slot = self.slots.take(f"user:{member.name}", config.max_sessions_per_user)
            if slot is None:
                return "sessions_per_user", (f"pmtui: {member.name} has {config.max_sessions_per_user} sessions "
                                             "open already; close one first"), []
            taken.append(slot)
            if config.max_team_sessions:
                slot = self.slots.take("team", config.max_team_sessions)
                if slot is None:
                    self._give_back(taken)
                    return "sessions_team", (f"pmtui: this team has its maximum of {config.max_team_sessions} "
                                             "sessions open (on all its servers); try again later"), []
                taken.append(slot)
        except Exception as error:  # noqa: BLE001 - the shared count is out of reach: this server's counts decide
            emit("store_unreadable", logging.WARNING, error=str(error), using="this server's session counts")
            self._give_back(taken)
            taken = []
            open_now = sum(1 for s in self.sessions if s.user == member.name)
            if open_now >= config.max_sessions_per_user:
                return "sessions_per_user", (f"pmtui: {member.name} has {open_now} sessions open already; "
                                             "close one first"), []
        if len(opened) >= config.max_new_sessions_per_minute:
            self._give_back(taken)
            wait = 60.0 - (now - opened[0])
            return "new_sessions_per_minute", (
                f"pmtui: {member.name} opened {len(opened)} sessions in the last minute; "
                f"try again in {max(wait, 1):.0f} s"), []
        opened.append(now)
        return "", "", taken

    def _give_back(self, slots: list[Slot]) -> None:
        for slot in slots:
            self.slots.give_back(slot)

    def open_session(self, member: team.Member, key: str, peer: str) -> PtySession:
        limit, message, slots = self._refusal(member)
        if limit:
            # Each session is a process: one person (or a stolen key) must not exhaust the host.
            emit("limit_hit", logging.WARNING, user=member.name, addr=peer, limit=limit,
                 open=len(self.sessions))
            return PtySession(self.spec, member.name, member.role, peer, refusal=message, refusal_reason=limit)
        session = PtySession(self.spec, member.name, member.role, peer, on_close=self._forget)
        self.sessions[session] = key
        self._held[session] = slots
        return session

    @staticmethod
    def _zygote_event(event: str, **fields: object) -> None:
        emit(event, logging.INFO if event == "zygote_ready" else logging.WARNING, **fields)

    async def _fork_session(self, terminal: int, env: dict[str, str], changes: int | None) -> SessionProcess:
        assert self.zygote is not None
        try:
            return await self.zygote.spawn(terminal, env, changes=changes)
        except ZygoteError as error:
            # A session still starts, the slow way; the next one asks a new zygote.
            emit("zygote_failed", logging.WARNING, error=str(error), instead="exec")
            return exec_session(self.spec.command, terminal, env, changes)

    def _forget(self, session: PtySession) -> None:
        self.sessions.pop(session, None)
        self._give_back(self._held.pop(session, []))

    async def start(self) -> int:
        """Listen; returns the port."""
        host_key, made = load_or_create_host_key(self.host_key_path)
        if made:
            emit("host_key_made", path=str(self.host_key_path))
        self.fingerprint = host_key.get_fingerprint()
        self._acceptor = await asyncssh.create_server(
            lambda: Gate(self), self.config.host, self.config.port,
            server_host_keys=[host_key],
            encoding=None, line_editor=False,  # raw bytes both ways: the app draws the screen
            password_auth=False, kbdint_auth=False, gss_host=None, host_based_auth=False,
            public_key_auth=True,
            agent_forwarding=False, x11_forwarding=False, allow_scp=False, sftp_factory=None,
            login_timeout=self.config.login_timeout,
            window=RECEIVE_WINDOW,
            keepalive_interval=60, keepalive_count_max=3,  # notice dead clients, free their sessions
        )
        self._watcher = asyncio.get_running_loop().create_task(self._watch_access())
        if self.spec.changes is not None:
            self.spec.changes.start()
        if self.zygote is not None:
            self.zygote.start()  # it imports the app while the server waits for its first login
            assert self.zygote.process is not None
            emit("zygote_start", pid=self.zygote.process.pid)
        sockets = self._acceptor.sockets
        return int(sockets[0].getsockname()[1]) if sockets else self.config.port

    async def _watch_access(self) -> None:
        """End sessions whose user lost access since they logged in."""
        while True:
            await asyncio.sleep(self.config.access_check_interval)
            if not self.sessions:
                continue
            try:
                self.wb.refresh()
            except Exception as error:  # noqa: BLE001 - a store hiccup must not stop the server
                emit("store_unreadable", logging.WARNING, error=str(error))
                continue
            for session, key in list(self.sessions.items()):
                member = team.find_member(self.wb.now, session.user)
                if member is None or member.role != session.role or team.user_for_key(self.wb.now, key) != member:
                    del self.sessions[session]
                    session.close_with("pmtui: your access changed (removed, new role or key); log in again",
                                       "access_changed")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        if self._acceptor is not None:
            self._acceptor.close()
        for session in list(self.sessions):
            session.close_with("pmtui: the server is stopping", "server_stopping")
        # Give the sessions their hangup grace, then close the connections.
        for _ in range(60):
            if not self.sessions:
                break
            await asyncio.sleep(0.1)
        if self._acceptor is not None:
            await self._acceptor.wait_closed()
        if self.zygote is not None:
            await self.zygote.stop()
        if self.spec.changes is not None:
            self.spec.changes.stop()
        self.slots.close()


def run_server(wb: Workbench, config: ServerConfig) -> int:
    """Serve until SIGINT/SIGTERM; logins, refusals and sessions are logged to stderr."""
    handler = install_handler()
    try:
        return asyncio.run(_serve(wb, config))
    finally:
        log.removeHandler(handler)


async def _serve(wb: Workbench, config: ServerConfig) -> int:
    server = PmSshServer(wb, config)
    try:
        port = await server.start()
    except HostKeyError as error:
        print(f"pmtui: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"pmtui: cannot listen on {config.host}:{config.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    users = team.members(wb.now)
    print(f"pmtui: serving {wb.location.describe()} over SSH on {config.host}:{port}", flush=True)
    print(f"pmtui: host key {server.fingerprint} ({server.host_key_path})", flush=True)
    if not users:
        print("pmtui: no users yet: add one with `pmtui user add NAME --key FILE.pub --role admin`", flush=True)
    if wb.now.product is None:
        print("pmtui: the store is empty: create the product first (`pmtui product init`)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    print("pmtui: stopping; ending the sessions", file=sys.stderr, flush=True)
    await server.stop()
    return 0
