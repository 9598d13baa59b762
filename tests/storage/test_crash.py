"""kill -9 a writer mid-stream: every event it saw committed is there, no transaction is torn,
and the store opens and takes writes again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench
from pmtui.store.verify import verify
from tests.views import views_of
from projections.state import fold

pytestmark = pytest.mark.slow
BATCH = 400  # events in one multi-event save: killed inside it, all or none must be there
ROOT = Path(__file__).resolve().parents[2]


def start_writer(db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.workers", db, str(BATCH)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_until(writer: subprocess.Popen[str], batches: int, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.time() + timeout
    while sum(1 for line in lines if line.startswith("batch")) < batches:
        line = writer.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise AssertionError(f"the writer stopped: {writer.stderr.read()}")  # type: ignore[union-attr]
        lines.append(line.strip())
        assert time.time() < deadline, "the writer is too slow"
    return lines


@pytest.mark.parametrize("delay", [0.0, 0.013, 0.031])  # kill at a few different moments of the stream
def test_kill_9_mid_stream_loses_nothing_committed_and_tears_nothing(store: str, delay: float) -> None:
    writer = start_writer(store)
    try:
        announced = read_until(writer, batches=3)
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        # Lines written before the kill but not yet read are announcements too.
        announced += [line.strip() for line in writer.stdout.read().splitlines()]  # type: ignore[union-attr]
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()  # type: ignore[union-attr]
        writer.stderr.close()  # type: ignore[union-attr]
    assert writer.returncode == -signal.SIGKILL

    wb = Workbench(db=store, actor="checker")  # the store opens
    try:
        records = list(wb.records())  # and every stored event decodes
        assert views_of(wb.now) == views_of(fold(records))
        committed_items = [line.split()[1] for line in announced if line.startswith("item ")]
        committed_batches = [line.split()[1] for line in announced if line.startswith("batch ")]
        for key in committed_items:
            assert wb.now.item_by_key(key) is not None, key
        comments = Counter(wb.now.items[c.item_id].key for c in wb.now.comments)
        for key in committed_batches:
            assert comments[key] == BATCH
        assert set(comments.values()) <= {BATCH}  # a killed batch is all there or not at all
        assert wb.product().last_number == len(wb.now.items)  # no key without its item
        for aggregate_id in {r.aggregate_id for r in records}:
            versions = [r.version for r in records if r.aggregate_id == aggregate_id]
            assert versions == list(range(1, len(versions) + 1))
            wb.app.repository.get(__import__("uuid").UUID(aggregate_id))  # the aggregate reloads
        verdict = verify(wb.log)
        assert verdict.intact and verdict.checked == len(records), verdict.problem
        if wb.location.kind == "sqlite":
            assert wb.log._sqlite().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        key = wb.add_item("after the crash")  # and takes writes again
        assert wb.item(key).title == "after the crash"
    finally:
        wb.close()
