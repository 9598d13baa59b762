"""One SSH session = one pmtui process on its own pseudo-terminal.

Textual keeps global state (signals, the terminal driver), so many apps cannot share one process:
each login gets a child process whose controlling terminal is a fresh PTY. Bytes flow between the
SSH channel and the PTY master unchanged (the channel is opened with ``encoding=None``); window
changes become TIOCSWINSZ + SIGWINCH; a disconnect hangs the child up and reaps it.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import pty
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import asyncssh

log = logging.getLogger("pmtui.ssh")

HANGUP_GRACE = 5.0  # seconds a hung-up child gets to exit before it is killed
# What a crashed or hung-up TUI leaves switched on in the client's terminal: alternate screen,
# mouse reporting, bracketed paste, hidden cursor. Sent before any message of ours.
TERMINAL_RESET = (b"\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
                  b"\x1b[?2004l\x1b[?25h\x1b[0m\r\n")


@dataclass
class SessionSpec:
    """What a session runs and with which environment (the same for every login but the user)."""

    command: Sequence[str]
    db: str
    idle_timeout: float = 1800.0
    editor: str | None = None  # None: nano --restricted if installed, else no external editor
    extra_env: dict[str, str] = field(default_factory=dict)


def session_editor(configured: str | None) -> dict[str, str]:
    """$EDITOR for sessions. An editor runs on the server as the server's user, so an ordinary
    vim or nano would let every SSH user open a shell (``:!sh``) or any file. The default is nano
    in restricted mode (only the file it was given), else none; ``--editor`` overrides it."""
    if configured:
        editor = configured
    elif shutil.which("nano"):
        editor = "nano --restricted"
    else:
        editor = f"{shlex.quote(sys.executable)} -m pmtui.ssh.no_editor"
    return {"EDITOR": editor, "VISUAL": editor}


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"


def _take_terminal() -> None:
    """In the child after setsid(): make the PTY on stdin its controlling terminal, so the TUI
    gets SIGWINCH and job control, and a hangup reaches it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", max(rows, 1), max(columns, 1), 0, 0))


class PtySession(asyncssh.SSHServerSession):  # type: ignore[misc]
    def __init__(self, spec: SessionSpec, user: str, role: str, peer: str,
                 on_close: Callable[[PtySession], None] = lambda s: None, refusal: str = "") -> None:
        self.spec = spec
        self.refusal = refusal  # when set, the session only says this and ends
        self.user = user
        self.role = role
        self.peer = peer
        self._on_close = on_close
        self._chan: asyncssh.SSHServerChannel | None = None
        self._term: str | None = None
        self._size = (80, 24)
        self._command: str | None = None
        self._master: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._pending_input = b""
        self._reading = False
        self._last_input = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._ending = False
        self._loop = asyncio.get_running_loop()  # sessions are made by the server, inside its loop

    # Requests before the session starts --------------------------------------------------------
    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        self._term = term_type or "xterm-256color"
        if term_size[0] and term_size[1]:
            self._size = (term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only to explain, in session_started, why nothing is run.
        self._command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        log.info("refused subsystem %r for %s from %s", subsystem, self.user, self.peer)
        return False

    # The session -------------------------------------------------------------------------------
    def session_started(self) -> None:
        if self.refusal:
            self._refuse(self.refusal)
        elif self._command is not None:
            self._refuse(f"pmtui: this server runs no commands (asked for {self._command!r}); "
                         f"connect without one: ssh -t {self.user}@host")
        elif self._term is None:
            self._refuse("pmtui: this server needs a terminal; connect with a PTY: ssh -t (not -T, not a pipe)")
        else:
            self._spawn()

    def _refuse(self, message: str) -> None:
        assert self._chan is not None
        log.info("refused a session for %s from %s: %s", self.user, self.peer, message)
        self._chan.write_stderr(message.encode() + b"\r\n")
        self._chan.exit(1)

    def _spawn(self) -> None:
        master, slave = pty.openpty()
        _set_size(slave, *self._size)
        env = {
            **os.environ,
            **session_editor(self.spec.editor),
            **self.spec.extra_env,
            "TERM": self._term or "xterm-256color",
            "PMTUI_ACTOR": self.user,
            "PMTUI_ROLE": self.role,
            "PMTUI_DB": self.spec.db,
            "PMTUI_SSH_SESSION": "1",  # e.g. no demo workspace in an empty team store
        }
        env.setdefault("LANG", "C.UTF-8")
        try:
            self.process = subprocess.Popen(
                list(self.spec.command), stdin=slave, stdout=slave, stderr=slave, env=env,
                start_new_session=True, preexec_fn=_take_terminal, close_fds=True)
        except OSError as error:
            os.close(master)
            os.close(slave)
            self._refuse(f"pmtui: the session could not start ({error.strerror or error}); tell the admin")
            return
        os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        self._resume_reading()
        self._last_input = self._loop.time()
        self._schedule_idle_check()
        log.info("session started: %s (%s) from %s, pid %d", self.user, self.role, self.peer, self.process.pid)

    # Bytes both ways ---------------------------------------------------------------------------
    def data_received(self, data: bytes, datatype: object) -> None:
        self._last_input = self._loop.time()
        if self._master is None:
            return
        self._pending_input += data
        self._write_input()

    def _write_input(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._pending_input) if self._pending_input else 0
        except BlockingIOError:
            written = 0
        except OSError:
            return  # the child is gone; _read_output will notice and end the session
        self._pending_input = self._pending_input[written:]
        # A child that is not reading fills the PTY: wait until it can take more.
        if self._pending_input:
            self._loop.add_writer(self._master, self._write_input)
        else:
            self._loop.remove_writer(self._master)

    def _read_output(self) -> None:
        assert self._master is not None and self._chan is not None
        try:
            data = os.read(self._master, 65536)
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno != errno.EIO:  # EIO: the last process holding the PTY closed it
                log.warning("reading the session of %s failed: %s", self.user, error)
            data = b""
        if not data:
            self._loop.remove_reader(self._master)
            self._reading = False
            self._loop.create_task(self._end(reset=False, message="", child_closing=True))
            return
        self._chan.write(data)

    def pause_writing(self) -> None:
        # The client reads slower than the app draws: stop reading the PTY until it catches up.
        if self._master is not None and self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def resume_writing(self) -> None:
        self._resume_reading()

    def _resume_reading(self) -> None:
        if self._master is not None and not self._reading:
            self._loop.add_reader(self._master, self._read_output)
            self._reading = True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._size = (width, height)
        if self._master is None or self.process is None:
            return
        _set_size(self._master, width, height)
        try:  # the kernel signals the foreground group too; this also reaches a busy child
            os.killpg(self.process.pid, signal.SIGWINCH)
        except ProcessLookupError:
            pass

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal_name: str) -> None:
        pass  # clients may not signal server processes

    def eof_received(self) -> bool:
        return True  # keep the channel open: the app decides when the session ends

    # Ending ------------------------------------------------------------------------------------
    def _schedule_idle_check(self) -> None:
        timeout = self.spec.idle_timeout
        if timeout > 0:
            self._idle_timer = self._loop.call_later(min(timeout, 30.0), self._check_idle)

    def _check_idle(self) -> None:
        idle = self._loop.time() - self._last_input
        if idle >= self.spec.idle_timeout:
            log.info("idle timeout: %s from %s", self.user, self.peer)
            self._loop.create_task(self._end(
                reset=True, message=f"pmtui: no keystroke for {_duration(self.spec.idle_timeout)}; "
                                    "the session was closed"))
        else:
            remaining = self.spec.idle_timeout - idle
            self._idle_timer = self._loop.call_later(min(remaining, 30.0), self._check_idle)

    def close_with(self, message: str) -> None:
        """End the session from the server's side (access revoked, server stopping)."""
        self._loop.create_task(self._end(reset=True, message=message))

    async def _end(self, reset: bool, message: str, child_closing: bool = False) -> None:
        if self._ending:
            return
        self._ending = True
        status = await self._stop_child(HANGUP_GRACE if child_closing else 0.0)
        if self._chan is not None and not self._chan.is_closing():
            if reset or status != 0:
                self._chan.write(TERMINAL_RESET)
            if message:
                self._chan.write(message.encode() + b"\r\n")
            self._chan.exit(max(status, 0) if status >= 0 else 128 - status)
        self._on_close(self)

    def connection_lost(self, exc: Exception | None) -> None:
        log.info("disconnected: %s from %s", self.user, self.peer)
        self._loop.create_task(self._end(reset=False, message=""))

    async def _wait(self, seconds: float) -> bool:
        """Poll for the child's exit. No waiting thread: the server forks sessions, and a fork
        while other threads run is what preexec_fn must not meet."""
        assert self.process is not None
        deadline = self._loop.time() + seconds
        while self.process.poll() is None:
            if self._loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def _stop_child(self, exit_grace: float) -> int:
        """Hang the child up (unless it has ended), wait for it, kill it if it lingers; reap it.
        ``exit_grace``: the child closed its terminal and is exiting by itself; give it that long."""
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        process = self.process
        if process is not None and exit_grace and process.poll() is None:
            await self._wait(exit_grace)
        if process is not None and process.poll() is None:
            self._signal(signal.SIGHUP)
            if not await self._wait(HANGUP_GRACE):
                log.warning("session of %s ignored the hangup; killing pid %d", self.user, process.pid)
                self._signal(signal.SIGKILL)
                await self._wait(HANGUP_GRACE)
        if self._master is not None:
            self._loop.remove_reader(self._master)
            self._loop.remove_writer(self._master)
            os.close(self._master)
            self._master = None
        if process is None:
            return 0
        # Whatever the child started in its session (an editor) goes with it.
        self._signal(signal.SIGHUP)
        status = process.wait()
        log.info("session ended: %s, pid %d, status %d", self.user, process.pid, status)
        return status

    def _signal(self, signum: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
