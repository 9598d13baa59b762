"""The bulk fold in a second process: a rebuild (or a first open) of a big log decodes and folds
its events there while this process writes what comes back.

A bulk fold is two halves of about the same cost: decoding and folding the events (Python) and
writing the rows with their indexes (SQLite). SQLite writes from one connection only, so the
Python half moves: the worker (``python -m pmtui.store.foldworker``) decodes, folds and encodes
the events with the very code of the in-process fold (``readmodel.fold_chunk``) and sends back
each batch's rows, then the open rows. On two cores the halves overlap. The worker is a fresh
interpreter, not a fork: a forked child would hold the parent's SQLite connection, whose closing
there could checkpoint the WAL under the parent's open transaction.

Where the worker gets the events: from a SQLite file it reads them itself, through a connection
of its own (``source``): the parent holds the write lock, so the worker's snapshot is exactly the
log the parent folds, and the parent neither reads nor pickles a million stored rows; it starts
the worker before emptying the tables, so the first batches are folded meanwhile. Otherwise
(PostgreSQL) the parent reads the stored rows and sends them in batches; a feeder thread writes
them, so the parent never blocks sending while the worker waits to send back, and at most
``AHEAD`` batches are under way, so the memory of the pipeline is bounded.

Messages are pickles on the worker's stdin and stdout: first (dashed, source) to the worker; back,
each batch's rows, ``None`` when the fold is done, the open rows in parts, ``None``.
"""

from __future__ import annotations

import os
import pickle
from collections import deque
from itertools import islice
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from pmtui.errors import UserError

COMMAND = ["-m", "pmtui.store.foldworker"]  # the worker, run by this interpreter
AHEAD = 2  # batches sent and not yet answered
OPEN_PART = 5000  # current rows a message

RawRow = tuple[int, str, int, str, bytes]  # (seq, originator id, version, topic, state) as stored
Folded = tuple[Any, ...]  # (events, last seq, then one list of rows per table of readmodel.BULK_INSERTS)
Source = tuple[str, int, int]  # a SQLite file and the events (after, upto] to read from it


class WorkerError(UserError):
    """The fold worker stopped before it answered every batch: one line (its exit and last words
    of stderr), and the fold's transaction is rolled back, so nothing is written."""


class FoldWorker:
    """One worker process for one fold: ``batches(raw)`` yields (events, last seq, rows per table)
    per batch of ``batch`` events; ``open_rows()`` then the current rows, in primary-key order.
    ``dashed``: the stored aggregate ids are hex (SQLite). ``source``: the worker reads the
    events from this SQLite file itself, and ``raw`` is never iterated."""

    def __init__(self, dashed: bool, batch: int, source: Source | None = None) -> None:
        self.batch, self.source = batch, source
        self._errors = tempfile.TemporaryFile()
        env = dict(os.environ)
        # The worker imports pmtui from where this process found it.
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self._proc = subprocess.Popen([sys.executable, *COMMAND], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._errors, env=env)
        self._outbox: queue.Queue[list[RawRow] | None] = queue.Queue()
        self._feeder = threading.Thread(target=self._feed, args=(dashed,), daemon=True)
        self._feeder.start()

    def _feed(self, dashed: bool) -> None:
        pipe = self._proc.stdin
        assert pipe is not None
        try:
            pickle.dump((dashed, self.source, self.batch), pipe, pickle.HIGHEST_PROTOCOL)
            pipe.flush()
            while self.source is None:
                chunk = self._outbox.get()
                pickle.dump(chunk, pipe, pickle.HIGHEST_PROTOCOL)
                pipe.flush()
                if chunk is None:
                    break
        except (BrokenPipeError, OSError):
            pass  # the worker ended: the reader reports why
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def _receive(self) -> Any:
        try:
            return pickle.load(self._proc.stdout)  # type: ignore[arg-type]
        except EOFError:
            self._proc.wait()
            self._errors.seek(0)
            tail = self._errors.read().decode(errors="replace").strip().splitlines()[-3:]
            raise WorkerError(f"the fold worker stopped (exit {self._proc.returncode}): {' / '.join(tail)}") from None

    def batches(self, raw: Iterable[RawRow]) -> Iterator[Folded]:
        from pmtui.store.readmodel import _chunks

        if self.source is not None:
            while (folded := self._receive()) is not None:
                yield folded
            return
        chunks = _chunks(raw, self.batch)
        outstanding = 0
        more = True

        def send() -> None:
            nonlocal outstanding, more
            chunk = next(chunks, None)
            if chunk is None:
                more = False
                self._outbox.put(None)
            else:
                outstanding += 1
                self._outbox.put(chunk)

        while more and outstanding < AHEAD:
            send()
        while outstanding:
            folded = self._receive()
            outstanding -= 1
            if more:
                send()  # before writing this batch: the worker folds the next meanwhile
            yield folded
        if self._receive() is not None:
            raise WorkerError("the fold worker answered more batches than it was sent")

    def open_rows(self) -> Iterator[tuple[Any, ...]]:
        """The current rows, once ``batches`` is done: in parts, so no list of them all is held."""
        while (part := self._receive()) is not None:
            yield from part

    def close(self) -> None:
        """Stop the worker (done or not) and wait for it."""
        if self._proc.poll() is None:
            self._outbox.put(None)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._feeder.join(timeout=5)
        self._errors.close()

    def __enter__(self) -> FoldWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self._proc.poll() is None:
            self._proc.kill()  # the parent failed: the worker's answers are not wanted
        self.close()


def _read_log(source: Source, batch: int) -> Iterator[list[RawRow]]:
    """The stored rows of a SQLite file in batches, through this process's own connection."""
    import sqlite3

    path, after, upto = source
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        cursor = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                              "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", [after, upto])
        while chunk := cursor.fetchmany(batch):
            yield chunk
    finally:
        conn.close()


def serve() -> None:
    """The worker's side: fold what stdin sends (or what the file holds), answer on stdout."""
    import gc

    from pmtui.store.readmodel import _dash, fold_chunk, open_rows
    from projections.records import decode_rows
    from projections.versions import LogFold

    gc.disable()  # the fold makes no cycles (see readmodel.refold)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    inp = sys.stdin.buffer
    dashed, source, batch = pickle.load(inp)
    ids = _dash if dashed else str
    fold = LogFold()
    chunks = iter(lambda: pickle.load(inp), None) if source is None else _read_log(source, batch)
    # One decode over the whole stream, as in process: it turns each aggregate's id once, so
    # the views of every batch share one string per id.
    arrived: deque[RawRow] = deque()
    decoded = decode_rows(iter(arrived.popleft, None), ids)  # never empty when asked (islice below)
    for chunk in chunks:
        arrived.extend(chunk)
        records = list(islice(decoded, len(chunk)))
        pickle.dump((len(records), records[-1].seq, *fold_chunk(fold, records)), out, pickle.HIGHEST_PROTOCOL)
        out.flush()
    pickle.dump(None, out, pickle.HIGHEST_PROTOCOL)
    rows = open_rows(fold)
    while part := list(islice(rows, OPEN_PART)):
        pickle.dump(part, out, pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out, pickle.HIGHEST_PROTOCOL)
    out.close()


if __name__ == "__main__":
    serve()
    # Leave at once: freeing the fold's working set object by object (~100k views at 1M events)
    # keeps it resident for a while after the last answer, while the parent has gone on to its
    # sorts (moving rm_flow's staged rows in key order: +24 MB at 1M events): the tree's peak.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
