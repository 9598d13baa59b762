"""The workspace fold: events in, views out."""

from __future__ import annotations

from projections.records import EventRecord
from projections.state import Workspace, fold
from tests.projections.conftest import BOARD, DAY, PRODUCT, T0, Log, uid


def test_empty_log_folds_to_an_empty_workspace() -> None:
    ws = fold([])
    assert ws == Workspace() and ws.product is None and ws.position == 0


def test_product_board_and_key_counter(log: Log) -> None:
    log.item(1, "First")
    log.change("Product.Edited", PRODUCT, name=["Shop", "Store"], stage=["development", "growth"])
    ws = log.fold()
    assert ws.product is not None
    assert (ws.product.name, ws.product.stage, ws.product.last_number) == ("Store", "growth", 1)
    board = ws.boards[BOARD]
    assert board.column_names == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert board.column("Review") == {"name": "Review", "category": "doing", "wip": 1, "hard": True}
    assert board.column("Nope") is None
    assert board.column(" review ") is board.column("Review")  # matched as the domain matches names
    assert (ws.position, ws.count) == (len(log.records), len(log.records))


def test_item_lifecycle(log: Log) -> None:
    a = log.item(1, "Checkout", points=3, labels=["ux"], actor="bob")
    log.change("WorkItem.Edited", a, title=["Checkout", "Checkout v2"], points=[3, 5], actor="cid")
    log.change("WorkItem.Moved", a, status=["Backlog", "In progress"])
    log.change("WorkItem.Ranked", a, rank=["m001", "a"])
    log.add("WorkItem.Commented", a, {"text": "nice"}, actor="dan")
    log.change("WorkItem.Linked", a, links=[[], [["blocks", uid("i", 9)]]])
    moved_at = log.change("WorkItem.Archived", a, archived=[False, True]).occurred
    ws = log.fold()
    item = ws.item_by_key(" pm-1 ")
    assert item is not None and item.id == a and ws.keys == {"PM-1": a}
    assert (item.title, item.points, item.status, item.rank, item.labels) == ("Checkout v2", 5, "In progress", "a", ["ux"])
    assert (item.number, item.created_by, item.comments, item.archived) == (1, "bob", 1, True)
    assert item.links == [["blocks", uid("i", 9)]]
    assert item.updated == moved_at and item.created < item.updated
    assert [(c.item_id, c.actor, c.text) for c in ws.comments] == [(a, "dan", "nice")]
    assert ws.item_by_key("PM-2") is None


def test_scores(log: Log) -> None:
    log.item(1, "A", rice={"reach": 100, "impact": 2, "confidence": 0.5, "effort": 4},
             wsjf={"value": 8, "time": 5, "risk": 3, "size": 2})
    item = log.fold().item_by_key("PM-1")
    assert item is not None and item.rice_score == 25 and item.wsjf_score == 8
    log.item(2, "B")
    plain = log.fold().item_by_key("PM-2")
    assert plain is not None and plain.rice_score is None and plain.wsjf_score is None


def test_changes_for_unknown_aggregates_and_unknown_events_are_ignored(log: Log) -> None:
    log.change("WorkItem.Moved", uid("i", 99), status=["Backlog", "Done"])
    log.add("Future.Thing", uid("i", 98), {"x": 1})
    ws = log.fold()
    assert ws.items == {} and ws.position == len(log.records)


def test_fields_unknown_to_a_view_are_ignored(log: Log) -> None:
    a = log.item(1, "A")
    log.change("WorkItem.Edited", a, title=["A", "B"], colour=[None, "red"])
    item = log.fold().items[a]
    assert item.title == "B" and not hasattr(item, "colour")


def test_sprint_lifecycle(log: Log) -> None:
    a, b = log.item(1, "A", points=3), log.item(2, "B")
    s1 = log.sprint(1, "Sprint 1", "2026-10-01", "2026-10-14")
    s2 = log.sprint(2, "Sprint 2")
    log.change("Sprint.Edited", s1, goal=["", "Ship"])
    started = log.add("Sprint.Started", s1, {"committed": {a: 3, b: None}, "start": "2026-10-02", "end": "2026-10-15"})
    closed = log.add("Sprint.Closed", s1, {"done": [a], "carried": [b], "carried_to": s2})
    ws = log.fold()
    sprint = ws.sprints[s1]
    assert (sprint.name, sprint.goal, sprint.state, sprint.number) == ("Sprint 1", "Ship", "closed", 1)
    assert (sprint.start, sprint.end, sprint.committed) == ("2026-10-02", "2026-10-15", {a: 3, b: None})
    assert (sprint.done, sprint.carried, sprint.carried_to) == ([a], [b], s2)
    assert (sprint.started_at, sprint.closed_at) == (started.occurred, closed.occurred)
    assert ws.sprints[s2].number == 2 and ws.sprints[s2].state == "planned"


def test_release_roadmap_objective_kpi_and_users(log: Log) -> None:
    rel, rm, obj = uid("r", 1), uid("m", 1), uid("o", 1)
    log.add("Release.Created", rel, {"product_id": PRODUCT, "name": "1.0", "target": "2026-12-01", "description": "",
                                     "milestone": False})
    log.change("Release.Edited", rel, shipped=[False, True])
    log.add("RoadmapItem.Proposed", rm, {"product_id": PRODUCT, "title": "Pay", "description": "", "horizon": "later",
                                         "timeframe": None, "status": "proposed"})
    log.change("RoadmapItem.Edited", rm, title=["Pay", "Pay fast"])
    decided = log.change("RoadmapItem.Decided", rm, horizon=["later", "now"], reason="board call")
    log.add("Objective.Created", obj, {"product_id": PRODUCT, "title": "Grow", "period": "2026-Q4", "owner": "ann",
                                       "description": ""})
    kr = {"metric": "NPS", "unit": "", "baseline": 20.0, "target": 50.0, "current": 20.0, "confidence": 0.5}
    log.add("Objective.KeyResultEdited", obj, {"kr": 1, "changes": {"key_results": [[], [kr]]}})
    checked = log.add("Objective.CheckedIn", obj, {"kr": 1, "comment": "up", "changes": {
        "key_results": [[kr], [{**kr, "current": 35.0, "confidence": 0.8}]]}}, actor="bob")
    kpi = log.kpi(1, "NPS")
    log.change("Kpi.Edited", kpi, unit=["", "pts"])
    log.add("Kpi.Measured", kpi, {"value": 42.0, "source": "manual"}, occurred=T0 - DAY)
    user = uid("u", 1)
    log.add("User.Added", user, {"name": "bob", "role": "editor", "keys": ["k"]})
    log.change("User.Edited", user, role=["editor", "admin"])
    log.change("User.Removed", user, removed=[False, True])
    ws = log.fold()
    assert ws.releases[rel].shipped is True
    road = ws.roadmap[rm]
    assert (road.number, road.title, road.horizon, road.decided_at) == (1, "Pay fast", "now", decided.occurred)
    objective = ws.objectives[obj]
    assert objective.number == 1 and objective.key_results[0]["current"] == 35.0
    (checkin,) = ws.checkins
    assert (checkin.kr, checkin.value, checkin.confidence, checkin.comment, checkin.actor, checkin.at) == (
        1, 35.0, 0.8, "up", "bob", checked.occurred)
    assert ws.kpis[kpi].unit == "pts"
    (measurement,) = ws.measurements
    assert (measurement.value, measurement.source, measurement.at) == (42.0, "manual", T0 - DAY)
    assert ws.users[user] == {"id": user, "name": "bob", "role": "admin", "keys": ["k"], "removed": True}
    assert ws.at == log.records[-1].occurred  # the latest occurred time, not the backdated one


def test_copy_is_a_checkpoint_independent_of_later_events(log: Log) -> None:
    a = log.item(1, "A")
    ws = log.fold()
    checkpoint = ws.copy()
    assert checkpoint == ws and checkpoint is not ws
    more = Log()
    more.records = list(log.records)
    more.clock, more.versions = log.clock, dict(log.versions)
    ws.apply(more.change("WorkItem.Moved", a, status=["Backlog", "Done"]))
    ws.apply(more.add("WorkItem.Commented", a, {"text": "x"}))
    ws.apply(more.add("Release.Created", uid("r", 1), {"product_id": PRODUCT, "name": "1", "target": None,
                                                        "description": "", "milestone": False}))
    assert checkpoint.items[a].status == "Backlog" and checkpoint.comments == [] and checkpoint.releases == {}
    assert checkpoint == log.fold()


def test_apply_all_returns_the_workspace_and_records_compare_by_value() -> None:
    record = EventRecord(1, "Unknown.Event", "x", 1, T0, T0, "ann", "", {})
    ws = Workspace()
    assert ws.apply_all([record]) is ws and ws.position == 1
    assert record.aggregate == "Unknown" and not record.backdated
    assert EventRecord(1, "A.B", "x", 1, T0, T0 - 5, "ann", "", {}).backdated
