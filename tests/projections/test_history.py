"""History: who, when (occurred and recorded), why, and what changed field by field."""

from projections.history import entry, history, matches, subject_of
from tests.projections.conftest import BOARD, DAY, PRODUCT, T0, Log, uid


def test_field_diffs_show_names_not_ids(log: Log) -> None:
    s1 = log.sprint(1, "Sprint 1")
    epic = log.item(1, "Payments", kind="epic")
    a = log.item(2, "Checkout")
    edit = log.change("WorkItem.Edited", a, sprint=[None, s1], parent=[None, epic], title=["Checkout", "Pay"],
                      labels=[["a"], ["b", "c"]], reason="planning", actor="bob")
    ws = log.fold()
    e = entry(ws, edit)
    assert (e.subject, e.event, e.actor, e.reason, e.seq) == ("PM-2", "WorkItem.Edited", "bob", "planning", edit.seq)
    assert [(c.field, c.old, c.new) for c in e.changes] == [
        ("sprint", None, "Sprint 1"), ("parent", None, "PM-1"), ("title", "Checkout", "Pay"),
        ("labels", ["a"], ["b", "c"])]
    assert e.summary == "sprint: ∅ -> Sprint 1, parent: ∅ -> PM-1, title: Checkout -> Pay, labels: +b +c -a"


def test_summaries_of_each_kind(log: Log) -> None:
    a = log.item(1, "Checkout")
    s1 = log.sprint(1, "Sprint 1")
    kpi = log.kpi(1, "NPS")
    oid = uid("o", 1)
    records = [
        log.add("WorkItem.Commented", a, {"text": "a  long\ncomment " + "x" * 80}),
        log.add("Sprint.Started", s1, {"committed": {a: 3, "b": None}, "start": "2026-10-01", "end": "2026-10-14"}),
        log.add("Sprint.Closed", s1, {"done": [a], "carried": [], "carried_to": None}),
        log.add("Kpi.Measured", kpi, {"value": 42.5, "source": "manual"}),
        log.add("Objective.Created", oid, {"product_id": PRODUCT, "title": "Grow", "period": "2026", "owner": "",
                                           "description": ""}),
    ]
    kr = {"metric": "NPS", "unit": "pts", "baseline": 20.0, "target": 50.0, "current": 20.0, "confidence": 0.5}
    records.append(log.add("Objective.KeyResultEdited", oid, {"kr": 1, "changes": {"key_results": [[], [kr]]}}))
    records.append(log.add("Objective.CheckedIn", oid, {"kr": 1, "comment": "going well", "changes": {
        "key_results": [[kr], [{**kr, "current": 30.0}]]}}))
    records.append(log.change("Board.Edited", BOARD, swimlanes=["none", "epic"]))
    records.append(log.add("Kpi.MeasurementWithdrawn", kpi, {"value": 42.5, "measured": T0}))
    records.append(log.add("Kpi.SomethingNew", kpi, {}))
    ws = log.fold()
    entries = [entry(ws, r) for r in records]
    assert entries[0].summary.startswith("comment: a long comment xxx") and entries[0].summary.endswith("…")
    assert entries[1].summary == "started with 2 items, 3 points"
    assert entries[2].summary == "closed: 1 done, 0 carried over"
    assert entries[3].summary == "measured 42.5" and entries[3].subject == "KPI NPS"
    assert entries[4].summary == "created Grow" and entries[4].subject == "O-1"
    assert [(c.field, c.old, c.new) for c in entries[5].changes] == [("KR1", None, "NPS 20 -> 50 pts")]
    assert [(c.field, c.old, c.new) for c in entries[6].changes] == [("KR1.current", 20.0, 30.0)]
    assert entries[6].summary == "KR1.current: 20.0 -> 30.0 — going well"
    assert entries[7].subject == "board Main" and entries[7].summary == "swimlanes: none -> epic"
    assert entries[8].summary == "withdrew the measurement 42.5"
    assert entries[9].summary == "something new"  # an event without words yet: never its class name


def test_subjects(log: Log) -> None:
    log.item(1, "A")
    ws = log.fold()
    assert subject_of(ws, PRODUCT) == "PM"
    assert subject_of(ws, uid("s", 9)) == uid("s", 9)[:8]
    gone = log.add("Release.Created", uid("r", 1), {"product_id": PRODUCT, "name": "1.0", "target": None,
                                                      "description": "", "milestone": False})
    assert subject_of(ws, gone.aggregate_id, gone) == "1.0"  # not in this (older) workspace: from the event


def test_backdated_events_are_flagged_and_sorted_by_occurred_time(log: Log) -> None:
    a = log.item(1, "A")
    late = log.change("WorkItem.Moved", a, status=["Backlog", "Done"], occurred=T0 - 10 * DAY, actor="importer")
    now = log.change("WorkItem.Edited", a, title=["A", "B"], actor="bob")
    ws = log.fold()
    entries = history(ws, log.records, aggregate_ids={a})
    assert [e.seq for e in entries] == [now.seq, log.records[3].seq, late.seq]  # newest occurred first
    assert entry(ws, late).backdated and not entry(ws, now).backdated
    assert [e.seq for e in history(ws, log.records, actor="IMPORTER")] == [late.seq]
    assert [e.seq for e in history(ws, log.records, kind="moved")] == [late.seq]
    assert [e.seq for e in history(ws, log.records, until=T0)] == [late.seq]
    assert all(e.occurred >= now.occurred for e in history(ws, log.records, since=now.occurred))


def test_matches_combines_filters(log: Log) -> None:
    a = log.item(1, "A")
    record = log.change("WorkItem.Moved", a, status=["Backlog", "Done"], actor="bob")
    assert matches(record, actor="bob", kind="WorkItem", aggregate_ids={a}, since=record.occurred, until=record.occurred)
    assert not matches(record, actor="ann")
    assert not matches(record, kind="Sprint")
    assert not matches(record, aggregate_ids=set())
    assert not matches(record, since=record.occurred + 1)
    assert not matches(record, until=record.occurred - 1)
