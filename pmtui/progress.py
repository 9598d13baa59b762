"""A progress bar for long work (export, verify, imports, building a read model), drawn on stderr
when it is a terminal, and only once the work has run for a moment: quick work shows nothing, and
a pipe, a script or the TUI's process never sees a byte of it.

    with progress("exporting", total=wb.log.max_seq(), unit="events") as bar:
        for event in events:
            ...
            bar.advance()

Standard library only (the bar is a line redrawn with a carriage return), so any layer may use it.
``PMTUI_PROGRESS=0`` turns it off; ``PMTUI_PROGRESS=1`` draws it on any stream, from the first
step (for tests, and for anyone who wants it in a log).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, TypeVar

T = TypeVar("T")
DELAY = 0.5  # seconds of work before the bar appears
REDRAW = 0.1  # at most ten redraws a second: drawing must cost nothing next to the work


def wanted(stream: IO[str]) -> bool:
    setting = os.environ.get("PMTUI_PROGRESS", "")
    if setting in ("0", "no", "off"):
        return False
    if setting in ("1", "yes", "on"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    def __init__(self, label: str, total: int | None = None, unit: str = "", stream: IO[str] | None = None,
                 delay: float = DELAY, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total if total and total > 0 else None
        self.unit = unit
        self.stream = sys.stderr if stream is None else stream
        self.enabled = wanted(self.stream)
        self.clock = clock
        self.started = clock()
        self.delay = 0.0 if os.environ.get("PMTUI_PROGRESS", "") in ("1", "yes", "on") else delay
        self.done = 0
        self._drawn_at = 0.0
        self._shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled:
            self._maybe_draw()

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total if total > 0 else None
        if self.enabled:
            self._maybe_draw()

    def _maybe_draw(self) -> None:
        now = self.clock()
        if now - self.started < self.delay or now - self._drawn_at < REDRAW:
            return
        self._drawn_at = now
        self.stream.write("\r" + self.line(now) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def line(self, now: float | None = None) -> str:
        elapsed = (self.clock() if now is None else now) - self.started
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * 24)
            bar = "█" * filled + "░" * (24 - filled)
            left = ""
            if 0 < share < 1 and elapsed > 1:
                left = f", ~{elapsed / share - elapsed:.0f}s left"
            return f"{self.label} {bar} {share:4.0%} {self.done:,}/{self.total:,}{unit} ({elapsed:.0f}s{left})"
        return f"{self.label}… {self.done:,}{unit} ({elapsed:.0f}s)"

    def close(self) -> None:
        if self._shown:  # leave the terminal as it was: the command's own output follows
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def progress(label: str, total: int | None = None, unit: str = "", stream: IO[str] | None = None) -> Progress:
    return Progress(label, total, unit, stream)


def track(items: Iterable[T], bar: Progress, step: int = 1) -> Iterator[T]:
    """Yield ``items``, advancing ``bar`` by ``step`` for each."""
    for item in items:
        yield item
        bar.advance(step)
