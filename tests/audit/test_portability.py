"""Export to JSON Lines and restore into an empty store: the same projections, the same chain,
between SQLite and PostgreSQL in both directions."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import msgspec
import pytest

from tests.views import views_of
from pmtui.service.demo import generate
from pmtui.errors import PermissionDeniedError, UserError
from pmtui.store.jsonl import export_jsonl, import_jsonl
from pmtui.service.workbench import Workbench
from tests.audit.conftest import RawStore, sqlite_store
from tests.audit.test_verify import build, check

DEMO_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def export_bytes(wb: Workbench) -> bytes:
    out = io.BytesIO()
    export_jsonl(wb.log, out)
    return out.getvalue()


def projection(wb: Workbench) -> bytes:
    return msgspec.json.encode(views_of(wb.now))


def test_sqlite_to_postgresql_to_sqlite_keeps_projections_chain_and_history(tmp_path: Path, pg_store: RawStore) -> None:
    source = Workbench(db=str(tmp_path / "source.db"), actor="ann")
    generate(source, now=DEMO_NOW)
    source_file = tmp_path / "source.jsonl"
    source_file.write_bytes(export_bytes(source))
    source_view, source_past = projection(source), msgspec.json.encode(views_of(source.view("#200")))

    on_pg = pg_store.workbench()
    restored = import_jsonl(on_pg, source_file)
    pg_file = tmp_path / "pg.jsonl"
    pg_file.write_bytes(export_bytes(on_pg))

    back = Workbench(db=str(tmp_path / "back.db"), actor="ann")
    import_jsonl(back, pg_file)

    assert restored.count == source.log.max_seq() > 500
    for wb in (on_pg, back):
        assert projection(wb) == source_view
        assert msgspec.json.encode(views_of(wb.view("#200"))) == source_past  # time travel too
    # The log moved byte for byte: the exports are identical and so are the chains.
    assert pg_file.read_bytes() == source_file.read_bytes()
    heads = {check(store).head_hash for store in (sqlite_store(str(tmp_path / "source.db")), pg_store,
                                                   sqlite_store(str(tmp_path / "back.db")))}
    assert heads == {restored.head_hash}
    assert check(pg_store).checked == restored.count
    for wb in (source, on_pg, back):
        wb.close()


def test_recorded_times_stay_the_originals_and_the_restore_is_noted(tmp_path: Path, pg_store: RawStore) -> None:
    source = Workbench(db=str(tmp_path / "source.db"), actor="ann")
    build_into(source)
    target = pg_store.workbench("ops")
    import_jsonl(target, io.BytesIO(export_bytes(source)))
    assert [(r.recorded, r.occurred, r.actor) for r in target.records()] == \
           [(r.recorded, r.occurred, r.actor) for r in source.records()]
    [(at, actor, where, first, last, head)] = target.log.recorder.read_provenance()
    assert (actor, where, first, last) == ("ops", "standard input", 1, source.log.max_seq())
    assert datetime.fromisoformat(at) > max(datetime.fromtimestamp(r.recorded, timezone.utc) for r in source.records())
    source.close()
    target.close()


def build_into(wb: Workbench) -> None:
    wb.init_product("Audit", "AU")  # 1 product, 2 board
    wb.add_item("Write the spec")  # 3
    wb.comment("AU-1", "a first draft is in the wiki")  # 4
    wb.edit_item("AU-1", title="Write the full spec", reason="scope agreed")  # 5
    wb.move_item("AU-1", "To do")


def test_gaps_in_postgresql_numbering_are_kept(tmp_path: Path, pg_store: RawStore) -> None:
    # PostgreSQL skips numbers when a transaction rolls back; as-of "#n" must mean the same after a move.
    wb = pg_store.workbench()
    build_into(wb)
    pg_store.sql("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), 40)", (pg_store.events,))
    wb.comment("AU-1", "after the gap")
    numbers = [r.seq for r in wb.records()]
    assert numbers[-1] == 41
    moved = Workbench(db=str(tmp_path / "moved.db"), actor="ann")
    result = import_jsonl(moved, io.BytesIO(export_bytes(wb)))
    assert [r.seq for r in moved.records()] == numbers
    assert result.head_hash == check(pg_store).head_hash == check(sqlite_store(str(tmp_path / "moved.db"))).head_hash
    # New events go after the restored ones, and the chain goes on.
    moved.comment("AU-1", "on SQLite now")
    assert moved.log.max_seq() == 42
    assert check(sqlite_store(str(tmp_path / "moved.db"))).intact
    wb.close()
    moved.close()


def test_postgresql_numbers_new_events_after_a_restore(tmp_path: Path, pg_store: RawStore) -> None:
    source = Workbench(db=str(tmp_path / "source.db"), actor="ann")
    build_into(source)
    target = pg_store.workbench()
    import_jsonl(target, io.BytesIO(export_bytes(source)))
    target.comment("AU-1", "first words on PostgreSQL")
    assert target.log.max_seq() == source.log.max_seq() + 1
    assert check(pg_store).intact
    source.close()
    target.close()


def test_import_into_a_store_that_holds_events_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    source = Workbench(db=str(tmp_path / "source.db"), actor="ann")
    build_into(source)
    data = export_bytes(source)
    busy = Workbench(db=str(tmp_path / "busy.db"), actor="ann")
    busy.init_product("Other", "OT")
    before = busy.log.max_seq()
    with pytest.raises(UserError, match="already holds events"):
        import_jsonl(busy, io.BytesIO(data))
    assert busy.log.max_seq() == before
    source.close()
    busy.close()


@pytest.fixture
def exported(tmp_path: Path) -> list[bytes]:
    source = Workbench(db=str(tmp_path / "source.db"), actor="ann")
    build_into(source)
    lines = export_bytes(source).splitlines()
    source.close()
    return lines


def _refused(tmp_path: Path, lines: list[bytes], words: str) -> None:
    target = Workbench(db=str(tmp_path / "target.db"), actor="ann")
    with pytest.raises(UserError, match=words):
        import_jsonl(target, io.BytesIO(b"\n".join(lines) + b"\n"))
    assert target.log.max_seq() == 0
    target.close()


def test_an_export_changed_after_the_fact_is_refused(tmp_path: Path, exported: list[bytes]) -> None:
    event = json.loads(exported[4])
    event["state"]["changes"]["title"][1] = "Write no spec"
    exported[4] = json.dumps(event).encode()
    _refused(tmp_path, exported, "line 5: event #5 does not match its hash")


def test_an_export_with_a_line_left_out_is_refused(tmp_path: Path, exported: list[bytes]) -> None:
    del exported[2]
    _refused(tmp_path, exported, "line 3: event #4 does not match its hash")


def test_lines_out_of_order_are_refused(tmp_path: Path, exported: list[bytes]) -> None:
    exported[3], exported[4] = exported[4], exported[3]
    _refused(tmp_path, exported, "line 4: event #5 does not match its hash")  # the chain notices first
    unhashed = [json.dumps({**json.loads(line), "hash": None}).encode() for line in exported]
    _refused(tmp_path, unhashed, "line 5: event #4 comes after #5")  # and without hashes, the numbers do


@pytest.mark.parametrize("bad, words", [
    (b"{not json", "line 2: not an exported event"),
    (b'{"seq": 9, "topic": "nowhere:Nothing", "originator_id": "00000000-0000-0000-0000-000000000001", '
     b'"version": 1, "state": {"timestamp": "2026-01-01T00:00:00+00:00"}}', "line 2: unknown event type"),
    (b'{"seq": 9, "topic": "domain.work_item:WorkItem.Edited", "originator_id": "x", "version": 1, "state": {}}',
     "line 2: unknown event type or id"),
])
def test_malformed_lines_are_refused_with_their_line_number(tmp_path: Path, exported: list[bytes], bad: bytes,
                                                            words: str) -> None:
    _refused(tmp_path, [exported[0], bad, *exported[1:]], words)


def test_the_same_event_twice_is_refused(tmp_path: Path, exported: list[bytes]) -> None:
    twice = {**json.loads(exported[-1]), "hash": None}
    unhashed = [json.dumps({**json.loads(line), "hash": None}).encode() for line in exported]
    _refused(tmp_path, [*unhashed, json.dumps({**twice, "seq": twice["seq"] + 1}).encode()], "twice")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, [], "holds no events")


def test_restoring_needs_the_admin_role(tmp_path: Path, exported: list[bytes]) -> None:
    editor = Workbench(db=str(tmp_path / "e.db"), actor="eve", role="editor")
    with pytest.raises(PermissionDeniedError, match="admin"):
        import_jsonl(editor, io.BytesIO(b"\n".join(exported)))
    assert editor.log.max_seq() == 0
    editor.close()


def test_the_in_memory_store_exports_a_verifiable_file(tmp_path: Path) -> None:
    memory = Workbench(db=":memory:", actor="ann")
    build_into(memory)
    data = export_bytes(memory)
    assert all(json.loads(line)["hash"] for line in data.splitlines())
    disk = Workbench(db=str(tmp_path / "disk.db"), actor="ann")
    import_jsonl(disk, io.BytesIO(data))
    assert projection(disk) == projection(memory)
    assert check(sqlite_store(str(tmp_path / "disk.db"))).intact
    memory.close()
    disk.close()


def test_each_line_shows_who_when_and_why(tmp_path: Path, exported: list[bytes]) -> None:
    edited = json.loads(exported[4])
    assert edited["topic"].endswith("WorkItem.Edited")
    assert edited["actor"] == "ann" and edited["reason"] == "scope agreed"
    assert edited["recorded"] == edited["state"]["timestamp"] and edited["occurred"] is None
    assert set(edited) >= {"seq", "topic", "originator_id", "version", "state", "hash"}


def test_a_tampered_store_is_not_exported_unless_asked(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    wb = Workbench(db=db, actor="ann")
    build_into(wb)
    sqlite_store(db).sql("UPDATE {events} SET state = CAST(REPLACE(CAST(state AS TEXT), 'full', 'short') AS BLOB) "
                         "WHERE {seq} = 5")
    with pytest.raises(UserError, match="fails `pmtui verify`: event #5"):
        export_bytes(wb)
    out = io.BytesIO()
    assert export_jsonl(wb.log, out, verified=False) == 6
    assert b"Write the short spec" in out.getvalue()
    wb.close()


def test_a_store_older_than_the_chain_moves_into_a_fully_chained_one(tmp_path: Path) -> None:
    db = str(tmp_path / "old.db")
    wb = Workbench(db=db, actor="ann")
    build_into(wb)
    sqlite_store(db).sql("DELETE FROM {chain}")
    wb.comment("AU-1", "chained from here on")
    new = Workbench(db=str(tmp_path / "new.db"), actor="ann")
    import_jsonl(new, io.BytesIO(export_bytes(wb)))
    assert projection(new) == projection(wb)
    verdict = check(sqlite_store(str(tmp_path / "new.db")))
    assert verdict.intact and verdict.checked == 7
    wb.close()
    new.close()
