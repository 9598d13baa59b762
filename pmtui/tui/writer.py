"""Writes off the UI thread: one long-lived worker thread runs the user's commands in the order
the keys came, on a workbench of its own (the same store, actor and role), and posts
``WriteDone`` to the app; the UI thread then folds the change into its own workbench and redraws.

A workbench of its own because a workbench is not shared between threads: its workspace is read
lazily and refreshed in place. The UI's workbench stays the UI thread's alone; the store itself
takes writers from several places at once (sessions, the CLI), this one among them.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from pmtui.service.workbench import Workbench

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

Command = Callable[[Workbench], Any]
Then = Callable[[Any], None]


@dataclass(frozen=True)
class Job:
    command: Command
    done_message: str
    then: Then | None
    refused_note: str = ""  # said after the service's reason when it refuses (what is shown instead)


class WriteDone(Message):
    """A queued command finished: ``result`` is its return value, ``error`` what it raised."""

    def __init__(self, job: Job, result: Any, error: BaseException | None) -> None:
        super().__init__()
        self.job, self.result, self.error = job, result, error


class BackgroundWriter:
    def __init__(self, app: PmApp) -> None:
        self.app = app
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.pending = 0  # queued or running; the UI thread alone counts
        self._started = False
        self.wb: Workbench | None = None  # the writer thread's own, opened by its first command

    def submit(self, command: Command, done_message: str = "", then: Then | None = None,
               refused_note: str = "") -> None:
        if not self._started:
            self._started = True
            self.app.run_worker(self._run, thread=True, group="writer", name="writer", exit_on_error=False)
        self.pending += 1
        # Queued once the frame the key drew (a card moved, a row swapped) is painted: the write's
        # thread would otherwise take turns on the GIL with the painting of that very frame.
        self.app.call_after_refresh(self.jobs.put, Job(command, done_message, then, refused_note))

    def stop(self) -> None:
        if self._started:
            self.jobs.put(None)

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                if self.wb is None:
                    mine = self.app.wb
                    self.wb = Workbench(location=mine.location, actor=mine.actor, role=str(mine.role))
                result, error = job.command(self.wb), None
            except Exception as raised:  # noqa: BLE001 - handed to the UI thread, which reports or re-raises
                result, error = None, raised
            self.app.post_message(WriteDone(job, result, error))
        if self.wb is not None:
            self.wb.close()  # on this thread: its connections are this thread's
