"""One SSH session = one pmtui process on its own pseudo-terminal.

Textual keeps global state (signals, the terminal driver), so many apps cannot share one process:
each login gets a process whose controlling terminal is a fresh PTY: forked from the server's
zygote (see zygote.py), or started afresh (``exec_session``). Bytes flow between the SSH channel and
the PTY master unchanged (the channel is opened with ``encoding=None``); window changes become
TIOCSWINSZ + SIGWINCH; a disconnect hangs the process up and waits until it has been reaped.

A client is not trusted with the server's resources: the terminal size it asks for is clamped (the
app's memory grows with it), input the app has not read yet pauses the client beyond a small
buffer, output waits for a slow client instead of piling up, and a session that fails half-way
through starting closes everything it had opened.
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncssh

from pmtui.ssh.changes import ChangeSignals
from pmtui.ssh.events import emit
from pmtui.tui.live import CHANGES_FD

log = logging.getLogger("pmtui.ssh")

HANGUP_GRACE = 5.0  # seconds a hung-up child gets to exit before it is killed
# What a crashed or hung-up TUI leaves switched on in the client's terminal: alternate screen,
# mouse reporting, bracketed paste, hidden cursor. Sent before any message of ours.
TERMINAL_RESET = (b"\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
                  b"\x1b[?2004l\x1b[?25h\x1b[0m\r\n")
# Terminal sizes a client may ask for. The app keeps several cell buffers of the window's size: a
# 65535x65535 window grew a session ~55 MB/s without end. 1000x500 is beyond any real screen.
MIN_COLUMNS, MIN_ROWS = 20, 10
MAX_COLUMNS, MAX_ROWS = 1000, 500
# Input the app has not read yet: beyond this the client is paused (SSH flow control) until the
# app catches up. Keystrokes and pastes are far smaller.
INPUT_BUFFER = 16 * 1024
# Output waiting for a slow client: beyond this the PTY is no longer read, so the app blocks on
# its own writes instead of the server buffering them.
OUTPUT_HIGH_WATER = 128 * 1024


class SessionProcess(Protocol):
    """A session's process, however it was started: ``subprocess.Popen`` (exec) or a
    ``zygote.ForkedProcess`` (forked from the preloaded zygote)."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...


# Starts the session's program on the PTY's slave end with this environment (and the read end of
# its change pipe, or None).
Launcher = Callable[[int, dict[str, str], "int | None"], Awaitable[SessionProcess]]


@dataclass
class SessionSpec:
    """What a session runs and with which environment (the same for every login but the user)."""

    command: Sequence[str]
    db: str
    idle_timeout: float = 1800.0
    editor: str | None = None  # None: nano --restricted if installed, else no external editor
    extra_env: dict[str, str] = field(default_factory=dict)
    launcher: Launcher | None = None  # None: exec ``command`` (see exec_session)
    changes: ChangeSignals | None = None  # the server's store watcher, told to each session by a pipe

    async def launch(self, terminal: int, env: dict[str, str], changes: int | None = None) -> SessionProcess:
        if self.launcher is not None:
            return await self.launcher(terminal, env, changes)
        return exec_session(self.command, terminal, env, changes)


def exec_session(command: Sequence[str], terminal: int, env: dict[str, str],
                 changes: int | None = None) -> subprocess.Popen[bytes]:
    """Start ``command`` afresh on the terminal, as its session leader (with the read end of its
    change pipe, if any, open under the number ``PMTUI_CHANGES_FD`` gives)."""
    if changes is not None:
        env = {**env, CHANGES_FD: str(changes)}
    return subprocess.Popen(list(command), stdin=terminal, stdout=terminal, stderr=terminal, env=env,
                            start_new_session=True, preexec_fn=_prepare_child, close_fds=True,
                            pass_fds=() if changes is None else (changes,))


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


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """The window size a session gets for the one a client asked for (0 means "not said")."""
    columns = columns or 80
    rows = rows or 24
    return max(MIN_COLUMNS, min(columns, MAX_COLUMNS)), max(MIN_ROWS, min(rows, MAX_ROWS))


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"


def _prepare_child() -> None:
    """In the child, before exec. Signals ignored by whoever started the server (``nohup`` ignores
    SIGHUP, a shell's ``&`` SIGINT) would stay ignored across exec, and a session that ignores its
    hangup outlives its client: back to the defaults. Then make the PTY on stdin the controlling
    terminal (after setsid()), so the TUI gets SIGWINCH and job control, and a hangup reaches it."""
    for signum in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGTSTP,
                   signal.SIGTTIN, signal.SIGTTOU, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, columns: int, rows: int) -> None:
    columns, rows = clamp_size(columns, rows)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class PtySession(asyncssh.SSHServerSession):  # type: ignore[misc]
    def __init__(self, spec: SessionSpec, user: str, role: str, peer: str,
                 on_close: Callable[[PtySession], None] = lambda s: None, refusal: str = "",
                 refusal_reason: str = "") -> None:
        self.spec = spec
        self.refusal = refusal  # when set, the session only says this and ends
        self.refusal_reason = refusal_reason
        self.user = user
        self.role = role
        self.peer = peer
        self._on_close = on_close
        self._chan: asyncssh.SSHServerChannel | None = None
        self._open = False  # the channel can take writes (False before it opens and once it closed)
        self._term: str | None = None
        self._size = (80, 24)
        self._command: str | None = None
        self._master: int | None = None
        self.process: SessionProcess | None = None
        self._pending_input = bytearray()
        self._input_paused = False
        self._reading = False
        self._output_paused = False
        self._last_input = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._ending = False
        self._end_reason = ""
        self._starting: asyncio.Task[None] | None = None  # starting the program (held: a task needs a reference)
        self._changes: int | None = None  # the server's end of the session's change pipe
        self._loop = asyncio.get_running_loop()  # sessions are made by the server, inside its loop
        self._started = self._loop.time()

    @property
    def buffered_input(self) -> int:
        """Bytes the client sent that the app has not read yet (held here)."""
        return len(self._pending_input)

    @property
    def size(self) -> tuple[int, int]:
        """The window size the session's terminal has (columns, rows), after clamping."""
        return self._size

    # Requests before the session starts --------------------------------------------------------
    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan
        self._open = True
        # pause_writing() comes past this much unsent output; the PTY is read no further until
        # resume_writing() (see _read_output).
        chan.set_write_buffer_limits(high=OUTPUT_HIGH_WATER)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        self._term = term_type or "xterm-256color"
        self._size = clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only to explain, in session_started, why nothing is run.
        self._command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        emit("refused", user=self.user, addr=self.peer, what="subsystem", name=subsystem)
        return False

    # The session -------------------------------------------------------------------------------
    def session_started(self) -> None:
        if self.refusal:
            self._refuse(self.refusal, self.refusal_reason or "refused")
        elif self._command is not None:
            self._refuse(f"pmtui: this server runs no commands (asked for {self._command!r}); "
                         f"connect without one: ssh -t {self.user}@host", "command")
        elif self._term is None:
            self._refuse("pmtui: this server needs a terminal; connect with a PTY: ssh -t (not -T, not a pipe)",
                         "no_terminal")
        else:
            self._spawn()

    def _refuse(self, message: str, reason: str) -> None:
        if not self.refusal_reason:  # a limit's refusal was logged as a limit hit already
            emit("session_refused", user=self.user, addr=self.peer, reason=reason)
        self._ending = True
        self._send_stderr(message.encode() + b"\r\n")
        self._exit(1)
        self._on_close(self)

    def _spawn(self) -> None:
        """Open a PTY pair and start the app on it. Any failure on the way closes what was opened
        (the PTY pair, the child, the channel), logs one line, and tells the client."""
        master: int | None = None
        slave: int | None = None
        try:
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
                "PMTUI_SSH_SESSION": "1",  # no demo in an empty team store; no palette writing files
            }
            env.setdefault("LANG", "C.UTF-8")
            os.set_blocking(master, False)
        except Exception as error:  # noqa: BLE001 - whatever it was, undo the half-made session
            for fd in (master, slave):
                if fd is not None:
                    os.close(fd)
            self._abandon(error)
            return
        # Keys typed while the program starts wait in the PTY. The PTY is read only once the
        # program holds the slave end (with no slave open, reading the master fails at once).
        self._master = master
        self._starting = self._loop.create_task(self._start(slave, env))

    async def _start(self, slave: int, env: dict[str, str]) -> None:
        changes: int | None = None
        try:
            if self.spec.changes is not None:
                changes, self._changes = self.spec.changes.open()
            process = await self.spec.launch(slave, env, changes)
        except Exception as error:  # noqa: BLE001 - whatever it was, undo the half-made session
            os.close(slave)
            self._close_changes(changes)
            self._abandon(error)
            return
        finally:
            self._starting = None
        os.close(slave)
        if changes is not None:
            os.close(changes)  # the session's end: the child has it now
        self.process = process
        self._started = self._loop.time()
        if self._ending:
            # The client left (or the server stopped) while the program started: end it at once.
            await self._stop_child(0.0)
            return
        self._resume_reading()
        self._last_input = self._loop.time()
        self._schedule_idle_check()
        emit("session_start", user=self.user, role=self.role, addr=self.peer, pid=process.pid,
             size=f"{self._size[0]}x{self._size[1]}")

    def _close_changes(self, read: int | None = None) -> None:
        """The session's change pipe: the server's end (and ``read``, if the child never got it)."""
        if read is not None:
            os.close(read)
        if self._changes is not None and self.spec.changes is not None:
            self.spec.changes.close(self._changes)
        self._changes = None

    def _abandon(self, error: BaseException) -> None:
        """Setting up failed: close the PTY, kill and reap the child if it started, close the
        channel; one log line."""
        self._ending = True
        if self._master is not None:
            self._loop.remove_reader(self._master)
            self._reading = False
            os.close(self._master)
            self._master = None
        self._close_changes()
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        emit("session_failed", logging.WARNING, user=self.user, addr=self.peer, error=detail)
        self._send_stderr(f"pmtui: the session could not start ({detail}); tell the admin\r\n".encode())
        self._exit(1)
        self._on_close(self)

    # Writing to the client: only while the channel is open --------------------------------------
    def _send(self, data: bytes) -> None:
        if self._open and self._chan is not None and not self._chan.is_closing():
            self._chan.write(data)

    def _send_stderr(self, data: bytes) -> None:
        if self._open and self._chan is not None and not self._chan.is_closing():
            self._chan.write_stderr(data)

    def _exit(self, status: int) -> None:
        if self._open and self._chan is not None and not self._chan.is_closing():
            self._chan.exit(status)

    # Bytes both ways ---------------------------------------------------------------------------
    def data_received(self, data: bytes, datatype: object) -> None:
        self._last_input = self._loop.time()
        if self._master is None or self._ending:
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
        del self._pending_input[:written]
        # A child that is not reading fills the PTY: wait until it can take more.
        if self._pending_input:
            self._loop.add_writer(self._master, self._write_input)
        else:
            self._loop.remove_writer(self._master)
        # Back-pressure: past a small buffer, stop taking the client's data (SSH stops granting it
        # window, so the client waits) until the app has read most of it.
        if self._chan is not None and self._open:
            if not self._input_paused and len(self._pending_input) > INPUT_BUFFER:
                self._chan.pause_reading()
                self._input_paused = True
            elif self._input_paused and len(self._pending_input) <= INPUT_BUFFER // 4:
                self._input_paused = False
                # Not from here: resuming delivers the held data into data_received at once.
                self._loop.call_soon(self._resume_input)

    def _resume_input(self) -> None:
        if self._chan is not None and self._open and not self._input_paused:
            self._chan.resume_reading()

    def _read_output(self) -> None:
        if self._master is None:
            return
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
            self._loop.create_task(self._end("program_exited", reset=False, message="", child_closing=True))
            return
        if not self._open:
            return  # the client is gone; the child is being hung up
        self._send(data)

    def pause_writing(self) -> None:
        # The client reads slower than the app draws: stop reading the PTY until it catches up.
        self._output_paused = True
        if self._master is not None and self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def resume_writing(self) -> None:
        self._output_paused = False
        self._resume_reading()

    def _resume_reading(self) -> None:
        if self._master is not None and not self._reading and not self._output_paused:
            self._loop.add_reader(self._master, self._read_output)
            self._reading = True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._size = clamp_size(width, height)
        if self._master is None or self.process is None or self._ending:
            return
        try:
            _set_size(self._master, *self._size)
            # The kernel signals the foreground group too; this also reaches a busy child.
            os.killpg(self.process.pid, signal.SIGWINCH)
        except (ProcessLookupError, PermissionError):
            pass
        except OSError as error:
            log.warning("resizing the session of %s failed: %s", self.user, error)

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
            self._loop.create_task(self._end(
                "idle_timeout", reset=True,
                message=f"pmtui: no keystroke for {_duration(self.spec.idle_timeout)}; the session was closed"))
        else:
            remaining = self.spec.idle_timeout - idle
            self._idle_timer = self._loop.call_later(min(remaining, 30.0), self._check_idle)

    def close_with(self, message: str, reason: str = "server") -> None:
        """End the session from the server's side (access revoked, server stopping)."""
        self._loop.create_task(self._end(reason, reset=True, message=message))

    async def _end(self, reason: str, reset: bool, message: str, child_closing: bool = False) -> None:
        if self._ending:
            return
        self._ending = True
        self._end_reason = reason
        status = await self._stop_child(HANGUP_GRACE if child_closing else 0.0)
        if self._open:
            if reset or status != 0:
                self._send(TERMINAL_RESET)
            if message:
                self._send(message.encode() + b"\r\n")
            self._exit(max(status, 0) if status >= 0 else 128 - status)
        self._on_close(self)

    def connection_lost(self, exc: Exception | None) -> None:
        # From here on nothing is written to the channel: the child is hung up quietly.
        self._open = False
        if self._master is not None and self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False
        if not self._ending:
            self._loop.create_task(self._end("client_closed", reset=False, message=""))

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
        killed = False
        if process is not None and exit_grace and process.poll() is None:
            await self._wait(exit_grace)
        if process is not None and process.poll() is None:
            self._signal(signal.SIGHUP)
            if not await self._wait(HANGUP_GRACE):
                killed = True
                self._signal(signal.SIGKILL)
                await self._wait(HANGUP_GRACE)
        if self._master is not None:
            self._loop.remove_reader(self._master)
            self._loop.remove_writer(self._master)
            self._reading = False
            os.close(self._master)
            self._master = None
        self._close_changes()
        if process is None:
            return 0
        # Whatever the child started in its session (an editor) goes with it.
        self._signal(signal.SIGHUP)
        await self._wait(HANGUP_GRACE)  # its status (a killed process ends at once)
        status = process.poll()
        if status is None:  # not reported in time: logged as killed
            status, killed = -signal.SIGKILL, True
        emit("session_end", user=self.user, addr=self.peer, pid=process.pid,
             duration=round(self._loop.time() - self._started, 1), reason=self._end_reason,
             status=status, killed=killed or None)
        return status

    def _signal(self, signum: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
