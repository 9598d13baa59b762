"""``pmtui demo --items N`` writes its events in their stored form, in bulk: the workspace must be
one the service could have made. Its chain and read model verify, the CLI reads it, every
aggregate is rebuilt by the eventsourcing application from its events and agrees with the read
model, and each kind of event has the fields, in the order, the service's own events have."""

from __future__ import annotations

import json
from datetime import datetime, timezone
import sqlite3
from pathlib import Path
from uuid import UUID

import msgspec
import pytest

from domain.kpi import Kpi
from domain.objective import Objective
from domain.sprint import Sprint
from domain.work_item import WorkItem
from pmtui.service.workbench import Workbench
from tests.cli.support import run


def stored_states(db: Path) -> dict[str, list[list[str]]]:
    """For each topic, the field names of its stored events (in order), distinct."""
    out: dict[str, list[list[str]]] = {}
    with sqlite3.connect(db) as conn:
        for topic, state in conn.execute("SELECT topic, state FROM stored_events ORDER BY rowid"):
            keys = list(msgspec.json.decode(state))
            if keys not in out.setdefault(topic, []):
                out[topic].append(keys)
    return out


@pytest.fixture(scope="module")
def scale_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("scale") / "scale.db"
    from pmtui.cli import main

    assert main(["--db", str(db), "demo", "--items", "400", "--json"]) == 0
    return db


def test_the_demo_verifies_and_the_cli_reads_it(scale_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "--db", str(scale_db), "verify", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["intact"] and verdict["read_model"] is None, err
    with sqlite3.connect(scale_db) as conn:
        assert verdict["checked"] == conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] > 3000
    code, out, _ = run(capsys, "--db", str(scale_db), "backlog", "--json")
    backlog = json.loads(out)
    assert code == 0 and len(backlog) > 50
    # Titles a person can read and search (they were "Item SC-12 (679)"): words, mostly distinct.
    titles = [row["title"] for row in backlog]
    assert not any(t.startswith("Item ") or "(" in t for t in titles), titles[:5]
    assert len(set(titles)) > 0.8 * len(titles) and all(len(t.split()) >= 3 for t in titles)
    code, out, _ = run(capsys, "--db", str(scale_db), "board", "--json")
    assert code == 0 and "SC-" in out
    code, out, _ = run(capsys, "--db", str(scale_db), "sprint", "list", "--json")
    assert code == 0 and len(json.loads(out)) > 3


def test_the_history_ends_now_whatever_the_events_per_item(tmp_path: Path) -> None:
    # At a fixed step per save, a demo with more events than the planned ten an item ran into
    # the future (the 50k-item demo ended a month past today).
    from pmtui.service.demo_scale import generate_at_scale

    wb = Workbench(db=str(tmp_path / "d.db"), actor="demo")
    generate_at_scale(wb, 2000, per_save=200)  # (~10.6 events an item: with the old step, 3 weeks ahead)
    # Key results move from their baseline towards their target (they were drawn from 2..50 for a
    # target of 4); a sprint's dates are its own (they were 2026-01-01..14 for every sprint).
    for objective in wb.now.objectives.values():
        for kr in objective.key_results:
            assert kr["baseline"] <= kr["current"] <= kr["target"] * 1.1, kr
    assert len({(s.start, s.end) for s in wb.now.sprints.values() if s.start}) > 10
    wb.close()
    with sqlite3.connect(tmp_path / "d.db") as conn:
        times = [datetime.fromisoformat(msgspec.json.decode(state)["occurred"].replace("Z", "+00:00"))
                 for (state,) in conn.execute("SELECT state FROM stored_events")]
    assert max(times) <= datetime.now(timezone.utc), max(times)
    assert (max(times) - min(times)).days >= 360  # still a year of it


def test_every_aggregate_is_rebuilt_by_the_application_as_the_read_model_shows_it(scale_db: Path) -> None:
    wb = Workbench(db=str(scale_db), actor="tester")
    try:
        ws = wb.now
        assert len(ws.items) == 400
        for view in ws.items.values():
            item = wb.app.load(WorkItem, view.id, "item")
            assert (item.key, item.status, item.rank, item.title, item.points, item.labels, item.assignee, item.sprint) == \
                   (view.key, view.status, view.rank, view.title, view.points, view.labels, view.assignee, view.sprint)
        for view in ws.sprints.values():
            sprint = wb.app.load(Sprint, view.id, "sprint")
            assert (sprint.name, sprint.number, sprint.state, sprint.committed) == \
                   (view.name, view.number, view.state, view.committed)
        for view in ws.kpis.values():
            assert wb.app.load(Kpi, view.id, "KPI").name == view.name
        for view in ws.objectives.values():
            assert wb.app.load(Objective, view.id, "objective").key_results == view.key_results
        assert len(ws.measurements) > 10 and len(ws.checkins) > 3 and len(ws.comments) > 100
        # A command on the demo works as on any store, and the read model follows it.
        key = next(v.key for v in ws.items.values() if v.status == "Backlog")
        wb.move_item(key, "To do")
        assert wb.item(key).status == "To do"
        assert wb.app.load(WorkItem, UUID(wb.item(key).id), "item").status == "To do"
    finally:
        wb.close()


def test_each_kind_of_event_is_stored_as_the_service_stores_it(scale_db: Path, demo_template: Path) -> None:
    """The small demo is made through the service's commands: every kind of event both have is
    stored with the same fields in the same order (the class version among them)."""
    generated, made = stored_states(scale_db), stored_states(demo_template)
    shared = generated.keys() & made.keys()
    assert {"domain.work_item:WorkItem.Created", "domain.work_item:WorkItem.Moved", "domain.kpi:Kpi.Measured",
            "domain.sprint:Sprint.Started", "domain.objective:Objective.CheckedIn"} <= shared
    for topic in shared:
        assert set(map(tuple, generated[topic])) <= set(map(tuple, made[topic])), topic


def test_a_big_demo_folds_in_process_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The demo folds its events in process as it makes them, at any size (a fold worker would be
    sent every event and send every row back while the generator keeps this process busy): no
    worker starts even where a rebuild would start one, and the tables equal a fresh fold."""
    from pmtui.cli import main
    from pmtui.store import foldworker, readmodel

    started: list[object] = []
    original = foldworker.FoldWorker.__init__

    def counting(self: foldworker.FoldWorker, *args: object) -> None:
        started.append(self)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(foldworker.FoldWorker, "__init__", counting)
    monkeypatch.setattr(readmodel, "WORKER_FROM", 0)
    db = tmp_path / "worker.db"
    assert main(["--db", str(db), "demo", "--items", "300", "--json"]) == 0
    assert started == []
    monkeypatch.undo()  # verify's fresh fold runs in process
    capsys.readouterr()
    code, out, err = run(capsys, "--db", str(db), "verify", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["intact"] and verdict["read_model"] is None, err
    with sqlite3.connect(db) as conn:
        assert verdict["checked"] == conn.execute("SELECT COUNT(*) FROM rm_log").fetchone()[0] > 2000


def test_the_fold_is_handed_the_records_decoding_the_stored_events_gives(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo hands the fold each event as the generator made it instead of decoding the JSON it
    just wrote: every record must equal the decode of its stored row (same fields, same data in
    the same key order, lists where JSON gives lists), or the tables would hold what the log does
    not say (verify compares the rows; this names the event)."""
    from pmtui.cli import main
    from pmtui.store import readmodel
    from projections.records import decode_rows

    handed: list[object] = []
    original = readmodel.refold

    def keeping(sql: readmodel.Sql, records: object, *args: object, **kwargs: object) -> int:
        def kept() -> object:
            for record in records:  # type: ignore[attr-defined]
                handed.append(record)
                yield record
        return original(sql, kept(), *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(readmodel, "refold", keeping)
    db = tmp_path / "records.db"
    assert main(["--db", str(db), "demo", "--items", "300", "--json"]) == 0
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                              "ORDER BY rowid").fetchall()
    decoded = list(decode_rows(stored, readmodel._dash))
    assert len(handed) == len(decoded) > 2000
    for made, read in zip(handed, decoded):
        assert made == read, (made, read)
        assert list(made.data) == list(read.data)  # type: ignore[attr-defined]
        assert msgspec.json.encode(made.data) == msgspec.json.encode(read.data)  # type: ignore[attr-defined]
