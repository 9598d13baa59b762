"""Frames as a person sees them, for the TUI benches: key pressed -> the frame showing its effect,
written.

A headless Textual app skips turning its frames into terminal bytes (``App._display`` returns
early), so ``FrameClock`` does what a terminal driver does on the UI thread (``render_segments``)
and stamps the time after it: a frame *written*. What was written is replayed, after the
measurement and outside the timed window, into ``Terminal`` (cells of text and SGR style), so the
bench can tell which frame first showed the key's effect:

- the effect is every cell that differs between the screen before the key and the screen once it
  has settled (no frame for ``quiet`` seconds, and the caller's ``done`` condition true);
- the effect frame is the first frame after which all those cells show their settled value; a
  frame that repaints something else (a footer, a worker's later chart) does not count;
- a key whose settled screen equals the screen before it had no visible effect (a cursor at the
  end of a column): it is counted as such, not waited on until a timeout.

Waiting uses an asyncio event set by the frame hook (same loop as the app): no polling task
competes with the app for the UI thread while it handles the key.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

_TOKEN = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b[^\[]|(\n)|(\r)|([^\x1b\n\r]+)")


class Terminal:
    """The screen a terminal shows after the bytes Textual writes: each cell (character, style).
    Only what Textual's frames use: cursor moves (CSI H), styles (CSI m), text, newlines."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows: list[list[tuple[str, str]]] = [[(" ", "")] * width for _ in range(height)]
        self.x = self.y = 0
        self.style = ""

    def feed(self, data: str) -> None:
        for match in _TOKEN.finditer(data):
            params, command, newline, ret, text = match.groups()
            if text is not None:
                self._text(text)
            elif newline is not None:
                self.y, self.x = min(self.y + 1, self.height - 1), 0
            elif ret is not None:
                self.x = 0
            elif command == "H":
                parts = [int(p) if p else 1 for p in (params or "").split(";")] + [1, 1]
                self.y, self.x = min(parts[0], self.height) - 1, min(parts[1], self.width) - 1
            elif command == "m":
                # Rich writes each segment's whole style and resets after it: the style is the
                # parameters since the last reset.
                self.style = "" if params in ("", "0") else params or ""

    def _text(self, text: str) -> None:
        row = self.rows[self.y]
        for char in text:
            width = cell_len(char)
            if self.x < self.width:
                row[self.x] = (char, self.style)
                if width == 2 and self.x + 1 < self.width:
                    row[self.x + 1] = ("", self.style)
            self.x += max(width, 1)

    def snapshot(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        return tuple(tuple(row) for row in self.rows)

    def text(self) -> str:
        return "\n".join("".join(c for c, _ in row).rstrip() for row in self.rows)


Snapshot = tuple[tuple[tuple[str, str], ...], ...]


@dataclass
class Effect:
    """One key's measurement: ``ms`` from the key sent to the frame showing its effect written
    (None: no visible effect), and how many frames were written until the screen settled."""

    ms: float | None
    frames: int
    settled_ms: float
    cpu_ms: float | None = None  # the UI thread's CPU time over the same span (less moved by load)


class FrameClock:
    """Records every frame the app writes (time, bytes) and measures keys' effects on them."""

    def __init__(self, app: Any, width: int, height: int) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.frames: list[tuple[float, str]] = []
        self.cpu: list[float] = []  # the UI thread's CPU time at each frame written
        self.terminal = Terminal(width, height)
        self._fed = 0
        self.painted = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate) and not app._batch_count:
                data = renderable.render_segments(app.console)  # what a terminal driver writes
                self.frames.append((time.perf_counter(), data))
                self.cpu.append(time.thread_time())
                self.painted.set()

        app._display = display

    def times(self) -> list[float]:
        return [t for t, _ in self.frames]

    def _catch_up(self) -> Snapshot:
        for _, data in self.frames[self._fed:]:
            self.terminal.feed(data)
        self._fed = len(self.frames)
        return self.terminal.snapshot()

    def idle(self) -> bool:
        """Nothing waiting on the UI thread: no message for the app or its screen, no repaint
        or layout pending (a slow handler on a loaded machine may write no frame for a while)."""
        app, screen = self.app, self.app.screen
        return (app._message_queue.empty() and screen._message_queue.empty() and not screen._dirty_widgets
                and not screen._layout_required and not screen._repaint_required)

    async def quiet(self, quiet: float = 0.15, limit: float = 10.0,
                    done: Callable[[], bool] | None = None) -> None:
        """Wait until no frame has been written for ``quiet`` seconds, the UI thread is idle and
        ``done()`` holds (at most ``limit`` seconds)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            self.painted.clear()
            try:
                await asyncio.wait_for(self.painted.wait(), quiet)
            except asyncio.TimeoutError:
                if self.idle() and (done is None or done()):
                    return

    async def first_frame(self, limit: float = 120.0) -> float:
        deadline = time.perf_counter() + limit
        while not self.frames and time.perf_counter() < deadline:
            self.painted.clear()
            try:
                await asyncio.wait_for(self.painted.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
        return self.frames[0][0] if self.frames else deadline

    async def key_effect(self, key: str, done: Callable[[], bool] | None = None, quiet: float = 0.15,
                         limit: float = 10.0, wait_before: bool = True) -> Effect:
        """Send ``key`` as the terminal driver would and time the frame that first shows its
        whole effect (see the module's docstring). ``wait_before``: first wait for the screen to
        be quiet (False: send it now, whatever is going on)."""
        from textual import events

        if wait_before:
            await self.quiet(quiet, limit)  # nothing pending from before
        before = self._catch_up()
        seen = len(self.frames)
        cpu_started = time.thread_time()
        started = time.perf_counter()
        self.app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
        await self.quiet(quiet, limit, done)
        settled = time.perf_counter()
        after: list[tuple[float, Snapshot]] = []
        for stamp, data in self.frames[seen:]:
            self.terminal.feed(data)
            after.append((stamp, self.terminal.snapshot()))
        self._fed = len(self.frames)
        final = after[-1][1] if after else before
        changed = [(y, x) for y, (old, new) in enumerate(zip(before, final, strict=True)) if old != new
                   for x in range(len(new)) if old[x] != new[x]]
        count = len(after)
        wait = (settled - started) * 1000
        if not changed:
            return Effect(None, count, wait)
        for n, (stamp, shot) in enumerate(after):
            if all(shot[y][x] == final[y][x] for y, x in changed):
                return Effect((stamp - started) * 1000, count, wait, (self.cpu[seen + n] - cpu_started) * 1000)
        return Effect(None, count, wait)  # (unreachable: the last frame is the final screen)
