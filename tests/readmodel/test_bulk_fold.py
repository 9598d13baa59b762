"""The bulk fold (``pmtui rebuild``, a store's first open, the generated demo) against the
incremental one: ``LogFold`` makes the versions, entries and log lines ``VersionFold`` makes, and
the tables a rebuild writes equal, row for row, the ones the commands wrote event by event (on
SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pmtui.store import readmodel
from pmtui.service.demo import generate
from pmtui.service.workbench import Workbench
from pmtui.service.application import open_application
from pmtui.store.storage import EventLog, locate
from projections.versions import LogFold, VersionFold, decode_view
from tests.storage.conftest import store  # noqa: F401 - the fixture: SQLite and PostgreSQL stores

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def tables(wb: Workbench) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the read model, in a fixed order, bodies decoded (a row read back from the
    store and written again may encode 3 as 3.0: the same view)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, text in readmodel._ORDERED.items():
        rows = []
        for row in wb.read.query(text):
            row = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            if name in ("c", "h", "e"):
                row = (*row[:-1], decode_view(row[0], row[-1]))
            rows.append(row)
        out[name] = rows
    return out


def made_by_commands(store: str) -> Workbench:
    """A store written event by event through the service: the small demo's 90 days of history
    (backdated), then a few changes recorded late, as an import would."""
    wb = Workbench(db=store, actor="tester")
    generate(wb, now=NOW)
    key = next(iter(wb.now.items.values())).key
    with wb.recorded_as("importer", NOW - timedelta(days=200)):
        wb.edit_item(key, points=3)
        wb.comment(key, "from the old tracker")
    wb.move_item(key, "Done")
    return wb


def test_log_fold_makes_what_version_fold_makes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    wb = made_by_commands(str(tmp_path / "f.db"))
    records = list(wb.records())
    wb.close()
    batch = VersionFold().apply(records)
    chains: dict[tuple[str, str], list[Any]] = {}
    for version in batch.versions:
        chains.setdefault((version.table, version.row_id), []).append(version)
    expected_closed = sorted(
        ((a.table, a.row_id, a.seq, b.seq, a.t, b.t, a.view) for chain in chains.values() for a, b in zip(chain, chain[1:])),
        key=lambda v: (v[0], v[1], v[2]))
    expected_open = {key: (chain[-1].seq, chain[-1].t, chain[-1].view) for key, chain in chains.items()}

    fold = LogFold()
    lines, entries, closed = [], [], []
    for start in range(0, len(records), 97):  # in batches, as a rebuild feeds it
        out = fold.apply(records[start:start + 97])
        lines += out[0]
        entries += out[1]
        closed += out[2]
    assert sorted(closed, key=lambda v: (v[0], v[1], v[2])) == expected_closed
    assert fold.open == expected_open
    assert entries == [(e.table, e.seq, e.t, e.owner, e.entry) for e in batch.entries]
    assert lines == [(x.seq, x.t, x.occurred, x.recorded, x.aggregate_id, x.name, x.actor) for x in batch.lines]
    assert len(closed) > 100 and entries and fold.open  # the history is not trivial


def test_rebuild_equals_the_tables_written_event_by_event(store: str) -> None:  # noqa: F811
    wb = made_by_commands(store)
    try:
        incremental = tables(wb)
        assert readmodel.rebuild(wb.log) == len(incremental["l"])
        assert tables(wb) == incremental
        assert readmodel.first_difference(wb.log) is None
        key = wb.add_item("After the rebuild")  # commands write on top of the rebuilt tables
        assert wb.item(key).title == "After the rebuild"
    finally:
        wb.close()


def test_a_first_open_folds_a_store_without_tables_as_the_commands_did(store: str) -> None:  # noqa: F811
    wb = made_by_commands(store)
    incremental = tables(wb)
    wb.close()
    location = locate(store)
    app = open_application(location)
    log = EventLog(app, location)
    prefix = f'"{app.recorder.datastore.schema}".' if location.kind == "postgres" else ""
    with app.recorder.datastore.transaction(commit=True) as cursor:  # as a store made before the tables
        for table in ("rm_current", "rm_history", "rm_entry", "rm_log", "rm_meta"):
            cursor.execute(f"DELETE FROM {prefix}{table}")
    log.close()
    app.close()
    heard: list[tuple[int, int]] = []
    reopened = Workbench(db=store, actor="tester", progress=lambda done, total: heard.append((done, total)))
    try:
        events = len(incremental["l"])
        assert heard[-1] == (events, events)  # the building is reported, to its end
        assert tables(reopened) == incremental
    finally:
        reopened.close()


def test_a_rebuild_folded_in_a_worker_process_writes_what_the_commands_wrote(store: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A big log is decoded and folded in a second process (pmtui/store/foldworker.py) while this
    one writes: the same rows, and on SQLite the same schema (the history's fork columns are
    dropped while it fills and added back)."""
    from pmtui.store import foldworker

    started: list[foldworker.FoldWorker] = []
    original = foldworker.FoldWorker.__init__

    def counting(self: foldworker.FoldWorker, *args: Any) -> None:
        started.append(self)
        original(self, *args)

    monkeypatch.setattr(foldworker.FoldWorker, "__init__", counting)
    monkeypatch.setattr(readmodel, "WORKER_FROM", 0)
    wb = made_by_commands(store)
    try:
        incremental = tables(wb)
        schema = _history_schema(wb)
        heard: list[tuple[int, int]] = []
        assert readmodel.rebuild(wb.log, lambda done, total: heard.append((done, total))) == len(incremental["l"])
        assert len(started) == 1
        assert heard[-1] == (len(incremental["l"]),) * 2
        assert tables(wb) == incremental
        assert _history_schema(wb) == schema
        assert readmodel.first_difference(wb.log) is None
        key = wb.add_item("After the rebuild")
        assert wb.item(key).title == "After the rebuild"
    finally:
        wb.close()


def test_a_worker_that_fails_leaves_the_tables_as_they_were(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pmtui.store import foldworker

    monkeypatch.setattr(readmodel, "WORKER_FROM", 0)
    monkeypatch.setattr(foldworker, "COMMAND", ["-c", "import sys; sys.stderr.write('worker broke\\n'); sys.exit(3)"])
    wb = made_by_commands(str(tmp_path / "w.db"))
    try:
        before = tables(wb)
        try:
            readmodel.rebuild(wb.log)
        except foldworker.WorkerError as error:
            assert "worker broke" in str(error) and "exit 3" in str(error)
        else:
            raise AssertionError("a rebuild whose worker died reported success")
        monkeypatch.undo()
        assert tables(wb) == before
        assert _history_schema(wb) and readmodel.first_difference(wb.log) is None
    finally:
        wb.close()


def _history_schema(wb: Workbench) -> list[Any]:
    if wb.log.location.kind == "postgres":
        # This store's schema only: other tests (other sessions) make and drop theirs meanwhile.
        return wb.read.query("SELECT column_name, generation_expression FROM information_schema.columns "
                             "WHERE table_name = 'rm_history' AND table_schema = COALESCE(?, current_schema()) "
                             "ORDER BY ordinal_position", [wb.log.recorder.datastore.schema or None])
    return wb.read.query("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'rm_history' ORDER BY name")


KILLED_MIDWAY = """
import os, signal, sys
from pmtui.store import readmodel
from pmtui.service.workbench import Workbench
readmodel.WORKER_FROM = int(sys.argv[2])
wb = Workbench(db=sys.argv[1], actor="tester")
def progress(done, total):  # after the first batch is written: old rows deleted, indexes dropped
    os.kill(os.getpid(), signal.SIGKILL)
readmodel.rebuild(wb.log, progress)
"""


def test_a_rebuild_killed_midway_leaves_the_tables_as_they_were(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A rebuild is one transaction: killed (SIGKILL, no cleanup) after it emptied the tables,
    dropped their indexes and wrote a batch, it leaves the old tables, indexes and all, and the
    store works (in process and with a fold worker)."""
    import subprocess
    import sys

    for worker_from in ("0", str(1 << 40)):
        db = str(tmp_path / f"killed-{worker_from}.db")
        wb = made_by_commands(db)
        before, schema = tables(wb), _schema(wb)
        wb.close()
        done = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, db, worker_from], capture_output=True, timeout=120)
        assert done.returncode == -9, done.stderr.decode()[-500:]
        wb = Workbench(db=db, actor="tester")
        try:
            assert tables(wb) == before and _schema(wb) == schema
            assert readmodel.first_difference(wb.log) is None
            key = wb.add_item("After the killed rebuild")
            assert wb.item(key).title == "After the killed rebuild"
        finally:
            wb.close()


def _schema(wb: Workbench) -> list[Any]:
    return wb.read.query("SELECT type, name, sql FROM sqlite_schema WHERE name LIKE 'rm_%' ORDER BY name")


def test_a_worker_reads_a_sqlite_log_itself(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On SQLite the fold worker reads the committed log through its own connection (the parent
    holds the write lock, so it is the log the parent folds): the parent sends it no event, and
    the rebuilt tables equal the ones the commands wrote."""
    from pmtui.store import foldworker

    sources: list[Any] = []
    sent: list[Any] = []
    original = foldworker.FoldWorker.__init__

    def recording(self: foldworker.FoldWorker, dashed: bool, batch: int, source: Any = None) -> None:
        sources.append(source)
        original(self, dashed, batch, source)
        put = self._outbox.put
        self._outbox.put = lambda chunk: (sent.append(chunk), put(chunk))[1]  # type: ignore[method-assign]

    monkeypatch.setattr(foldworker.FoldWorker, "__init__", recording)
    monkeypatch.setattr(readmodel, "WORKER_FROM", 0)
    wb = made_by_commands(str(tmp_path / "own.db"))
    try:
        incremental = tables(wb)
        assert readmodel.rebuild(wb.log) == len(incremental["l"])
        assert len(sources) == 1 and sources[0] is not None and sources[0][0].endswith("own.db")
        assert [chunk for chunk in sent if chunk is not None] == []
        assert tables(wb) == incremental
        assert readmodel.first_difference(wb.log) is None
    finally:
        wb.close()
