"""Sessions forked from a preloaded process (a "zygote") instead of started from nothing.

A session is a whole pmtui process (Textual owns the process's terminal and signals, so one app per
process). Started with exec, every session pays Python's start, the import of Textual, eventsourcing
and every view (1-2 s of CPU each, ~25 MB of memory each), and 50 people logging in at 9:00 pay it
50 times on the same cores. The zygote pays it once: ``pmtui serve`` starts it beside itself, it
imports the app and every view, and then only forks. A forked session starts with all of that in
memory, shared copy-on-write with the zygote and every other session.

What the zygote must not hold when it forks: threads (a fork copies only the forking thread, and a
lock held by another one stays locked forever in the child), a running event loop, an open store
(a SQLite handle or a PostgreSQL connection shared by two processes corrupts both). So it imports
modules and nothing else: each session opens the store itself, after the fork, exactly as an
exec'd one would.

The protocol, over a ``SOCK_SEQPACKET`` socket pair (one message per packet, file descriptors
alongside with SCM_RIGHTS):
- server -> zygote: ``{"id": n, "env": {...}, "argv": [...]}`` with the PTY's slave end (and the
  read end of the session's change pipe, see ``pmtui.ssh.changes``);
- zygote -> server: ``{"ready": true}`` once preloaded, ``{"id": n, "pid": p}`` (or ``"error"``)
  for each request, and ``{"exited": p, "status": s}`` when a session ends (``s`` as
  ``Popen.returncode``: the exit code, or minus the signal that ended it).
The zygote reaps its children (they are its, not the server's) and exits when the server's end
closes, so it never outlives the server.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from pmtui.tui.live import CHANGES_FD

MAX_MESSAGE = 256 * 1024  # a request holds the session's environment: a few KiB
SPAWN_TIMEOUT = 60.0  # seconds the server waits for the zygote to fork a session
# What a session needs before its first screen: the command line, the app, every view (the
# board's first, the others are imported by the app's constructor anyway), the terminal driver.
# (The list came from comparing sys.modules in a session after its first screen with the zygote's.)
PRELOAD = ("pmtui.cli", "pmtui.cli.launch", "pmtui.cli.session", "pmtui.config", "pmtui.tui.app",
           "pmtui.tui.modals.item", "textual.drivers.linux_driver", "textual.drivers.headless_driver",
           "textual._xterm_parser", "textual.layouts.factory", "textual.layouts.horizontal",
           "textual.layouts.stream", "textual.scrollbar", "textual.pilot", "tomllib",
           # A command imports the store's application and the aggregates it changes when it runs
           # (a CLI query never does): a session gets them all from here, shared, as it gets the views.
           "pmtui.service.application", "pmtui.store.chain", "pmtui.store.mapper", "pmtui.service.undo", "domain.board", "domain.document",
           "domain.feedback", "domain.kpi", "domain.objective", "domain.product", "domain.release",
           "domain.roadmap", "domain.sprint", "domain.user", "domain.work_item")
# Signals a session gets back to their defaults (the zygote ignores some of them; a server started
# under nohup passes SIGHUP ignored to everything it starts).
RESET_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGTSTP, signal.SIGTTIN,
                 signal.SIGTTOU, signal.SIGPIPE, signal.SIGCHLD)


def send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.send(data)


def receive(sock: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; (None, []) when the other end closed."""
    fds = array.array("i")
    data, ancillary, _flags, _addr = sock.recvmsg(MAX_MESSAGE, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    message: dict[str, Any] | None = None
    try:
        message = json.loads(data) if data else None
    finally:
        if message is None:  # the other end closed, or the message is unreadable: nothing keeps these
            for fd in fds:
                os.close(fd)
    return message, list(fds) if message is not None else []


def preload() -> None:
    """Import what a session runs, and build what it would build first (the command-line parser,
    which imports every command's module; the list of views, which imports every view)."""
    for name in PRELOAD:
        importlib.import_module(name)
    from pmtui.cli import build_parser
    from pmtui.tui.app import load_screens

    build_parser()
    load_screens()
    # Rich loads its table of character widths on the first text it measures (a large module).
    from rich.cells import cell_len

    cell_len("pmtui é 漢")
    # One first screen drawn here, for every session: parsed stylesheets, Textual's lazy modules.
    from pmtui.ssh.warmup import draw_first_screen

    draw_first_screen()
    # Whatever the imports left for the collector is collected now, once; then the survivors are
    # frozen: a session's collections never visit (and so never write to) the shared pages.
    gc.collect()
    gc.freeze()


# The zygote process ------------------------------------------------------------------------------
def serve(sock: socket.socket) -> int:
    """The zygote's loop: fork a session for each request, report each one's end."""
    # Ctrl+C in the terminal of `pmtui serve` is for the server (which ends the sessions itself);
    # the zygote ends when the server's end of the socket closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    preload()  # first: its event loop may set and clear a wakeup fd of its own
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so SIGCHLD wakes the select below
    signal.set_wakeup_fd(wake_write)
    send(sock, {"ready": True})
    children: set[int] = set()
    while True:
        try:
            readable, _, _ = select.select([sock, wake_read], [], [])
        except InterruptedError:
            readable = []
        if wake_read in readable:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_read, 4096)
        _reap(sock, children)
        if sock not in readable:
            continue
        try:
            request, fds = receive(sock)
        except (ConnectionError, OSError):
            request, fds = None, []
        except ValueError:  # not one of the server's messages (cut short?): nothing to answer
            continue
        if request is None:
            return 0  # the server is gone: so are we (the sessions end on their own hangup)
        try:
            pid = _fork_session(request, fds, close_in_child=(sock.fileno(), wake_read, wake_write))
        except Exception as error:  # noqa: BLE001 - one failed fork is one failed session, not the zygote
            _send_quietly(sock, {"id": request.get("id"), "error": str(error) or type(error).__name__})
        else:
            children.add(pid)
            _send_quietly(sock, {"id": request.get("id"), "pid": pid})
        finally:
            for fd in fds:
                os.close(fd)


def _send_quietly(sock: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        send(sock, message)


def _reap(sock: socket.socket, children: set[int]) -> None:
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 255 << 8
        if done:
            children.discard(pid)
            _send_quietly(sock, {"exited": pid, "status": os.waitstatus_to_exitcode(status)})


def _fork_session(request: dict[str, Any], fds: list[int], close_in_child: Sequence[int]) -> int:
    if len(fds) not in (1, 2):
        raise ValueError(f"a session request carries a terminal and a change pipe, not {len(fds)} descriptors")
    # Forking with a second thread running would copy a process whose locks that thread may hold.
    if threading.active_count() != 1:
        raise RuntimeError("the zygote has started a thread; it cannot fork safely")
    env = {str(k): str(v) for k, v in request["env"].items()}
    if len(fds) == 2:  # the server's change pipe (see pmtui.ssh.changes): the child keeps it open
        env[CHANGES_FD] = str(fds[1])
    argv = [str(a) for a in request.get("argv", [])]
    pid = os.fork()
    if pid:
        return pid
    code = 70  # EX_SOFTWARE: the session did not get to run
    try:
        for fd in close_in_child:
            os.close(fd)
        code = run_session(fds[0], env, argv)
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else (0 if leaving.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child must never return into the zygote's loop
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    raise AssertionError("unreachable")


def run_session(terminal: int, env: dict[str, str], argv: list[str],
                program: Callable[[list[str]], int] | None = None) -> int:
    """In the forked child: become a session leader on ``terminal`` (stdin, stdout, stderr and the
    controlling terminal), take the session's environment, and run pmtui as ``pmtui ARGV``."""
    signal.set_wakeup_fd(-1)
    for signum in RESET_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    # Then as a freshly started Python has them: Ctrl+C raises KeyboardInterrupt, a closed pipe or
    # an oversized file is an exception rather than the end of the process.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.setsid()
    fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
    for target in (0, 1, 2):
        os.dup2(terminal, target)
    if terminal > 2:
        os.close(terminal)
    os.environ.clear()
    os.environ.update(env)
    # The zygote's standard streams were made for its own stdio (not a terminal): new ones on the
    # PTY, as Python makes them for a terminal (line-buffered; stderr never fails on a character).
    encoding = "utf-8"
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                                 encoding=encoding, line_buffering=True)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                                   encoding=encoding, line_buffering=True)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                                   encoding=encoding, errors="backslashreplace",
                                                   line_buffering=True)
    sys.argv = ["pmtui", *argv]
    time.tzset()  # the session's TZ, not the one the zygote started with
    if program is None:
        from pmtui.cli import main as program
    return program(argv)


# The server's side -------------------------------------------------------------------------------
def start_zygote(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start a zygote; returns it and the server's end of its socket (non-blocking)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtui.ssh.zygote", str(theirs.fileno())], pass_fds=(theirs.fileno(),),
            # One malloc arena for all threads (glibc gives each thread its own, kept partly
            # empty): a session's Textual threads write little; ~1 MB less in each session.
            env={**env, "MALLOC_ARENA_MAX": "1"}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            start_new_session=True)
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    ours.setblocking(False)
    return process, ours


class ZygoteError(Exception):
    """The zygote could not start a session (it died, or never came up)."""


class ForkedProcess:
    """A session forked by the zygote: the part of ``Popen``'s interface a session uses. It is
    the zygote's child, so the zygote reaps it and reports its status."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.orphaned = False  # its zygote died: no report will come

    def poll(self) -> int | None:
        if self.returncode is None and self.orphaned and not _running(self.pid):
            self.returncode = LOST_STATUS
        return self.returncode


LOST_STATUS = 255  # the status of a session whose zygote died before it: lost with the zygote


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (an orphan is reaped by whoever adopted it; until then it is a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Zygote:
    """The server's handle on its zygote: starts it (again, if it died), asks it for sessions,
    and hands each session's exit status to its ``ForkedProcess``."""

    def __init__(self, env: dict[str, str], on_event: Callable[..., None] = lambda *a, **k: None) -> None:
        self.env = env
        self._on_event = on_event  # (event name, **fields): the server's log
        self.process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[int]] = {}  # request id -> the pid to come
        self._children: dict[int, ForkedProcess] = {}
        self._early_exits: dict[int, int] = {}  # statuses that came before their pid's reply
        self.ready = False
        self.lost = False  # the current zygote died (its sessions are reaped by someone else)
        self._started_at = 0.0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._started_at = time.monotonic()
        self.process, self._sock = start_zygote(self.env)
        self.ready = False
        self.lost = False
        self._loop.add_reader(self._sock.fileno(), self._readable)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and not self.lost

    async def spawn(self, terminal: int, env: dict[str, str], argv: Sequence[str] = (),
                    changes: int | None = None) -> ForkedProcess:
        if not self.alive:
            if self.process is not None:
                self._on_event("zygote_restarted", previous=self.process.pid,
                               status=self.process.poll())
                self._close_socket()
            self.start()
        assert self._sock is not None and self._loop is not None
        self._next_id += 1
        request_id = self._next_id
        future = self._loop.create_future()
        self._waiting[request_id] = future
        try:
            send(self._sock, {"id": request_id, "env": env, "argv": list(argv)},
                 [terminal] if changes is None else [terminal, changes])
        except OSError as error:
            self._waiting.pop(request_id, None)
            raise ZygoteError(f"the zygote is not answering ({error.strerror or error})") from error
        try:
            # Long enough for a zygote still loading pmtui on a busy machine; a request it lost
            # (it never answers one it cannot read) costs this long, then the slow way.
            pid: int = await asyncio.wait_for(future, SPAWN_TIMEOUT)
        except asyncio.TimeoutError:
            self._waiting.pop(request_id, None)
            raise ZygoteError(f"the zygote did not answer within {SPAWN_TIMEOUT:g} s") from None
        child = ForkedProcess(pid)
        if pid in self._early_exits:
            child.returncode = self._early_exits.pop(pid)
        else:
            self._children[pid] = child
        return child

    def _readable(self) -> None:
        assert self._sock is not None
        while True:
            try:
                message, fds = receive(self._sock)
            except BlockingIOError:
                return
            except OSError:
                message, fds = None, []
            for fd in fds:
                os.close(fd)
            if message is None:
                self._lose()
                return
            if message.get("ready"):
                self.ready = True
                self._on_event("zygote_ready", pid=self.process.pid if self.process else None,
                               seconds=round(time.monotonic() - self._started_at, 1))
            elif "exited" in message:
                pid, status = int(message["exited"]), int(message["status"])
                child = self._children.pop(pid, None)
                if child is not None:
                    child.returncode = status
                else:
                    self._early_exits[pid] = status
            elif "id" in message:
                future = self._waiting.pop(int(message["id"]), None)
                if future is not None and not future.done():
                    if "pid" in message:
                        future.set_result(int(message["pid"]))
                    else:
                        future.set_exception(ZygoteError(str(message.get("error", "unknown error"))))

    def _lose(self) -> None:
        """The zygote's end closed: it died (or is stopping). Requests waiting fail; sessions
        running go on (they are separate processes) and are watched by pid from now on."""
        self.lost = True
        self._close_socket()
        if self.process is not None and self._loop is not None:
            self._loop.create_task(self._reap(self.process))
        for child in self._children.values():
            child.orphaned = True
        self._children.clear()
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ZygoteError("the zygote ended"))
        self._waiting.clear()

    @staticmethod
    async def _reap(process: subprocess.Popen[bytes]) -> None:
        """A dead zygote is not left a zombie until the next session asks for it."""
        for _ in range(100):
            if process.poll() is not None:
                return
            await asyncio.sleep(0.05)

    def _close_socket(self) -> None:
        if self._sock is not None:
            if self._loop is not None:
                self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None

    async def stop(self) -> None:
        """Close the zygote's socket (it exits on that), then reap it."""
        self._lose()
        process = self.process
        if process is None:
            return
        for _ in range(100):
            if process.poll() is not None:
                return
            await asyncio.sleep(0.05)
        process.kill()
        await asyncio.sleep(0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("pmtui: the zygote is started by `pmtui serve`, not by hand", file=sys.stderr)
        return 2
    sock = socket.socket(fileno=int(argv[0]))
    sock.setblocking(True)
    return serve(sock)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
