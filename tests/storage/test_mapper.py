"""The msgspec mapper: every aggregate saved and loaded back through the application's
repository is the aggregate it was; stored rows are the JSON projections read."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import msgspec

from domain.base import attributed
from domain.board import Board
from domain.kpi import Kpi
from domain.objective import Objective
from domain.product import Product
from domain.release import Release
from domain.roadmap import RoadmapItem
from domain.sprint import Sprint
from domain.user import User
from domain.work_item import WorkItem
from pmtui.service.application import open_application
from pmtui.store.storage import EventLog, MsgspecMapper, locate


def state_of(aggregate: Any) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in vars(aggregate).items() if k != "_pending_events"}


def build() -> list[Any]:
    """One of every aggregate, each taken through its commands."""
    past = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)
    with attributed("ann", "set-up"):
        product = Product.create("Shop", "PM", "Sell", "growth")
        product.edit(vision="Sell more")
        board = Board.create(product.id, "Main")
        board.set_wip_limit("In progress", 2, hard=True)
        board.set_swimlanes("epic")
        item = WorkItem.create(product.id, board.id, "PM-1", "Checkout ünïcødé ✓", "Backlog", "i", kind="bug",
                               points=2.5, labels=["ux"], rice={"reach": 10, "impact": 2, "confidence": 0.5, "effort": 1})
        item.edit(description="multi\nline", wsjf={"value": 1, "time": 2, "risk": 3, "size": 4}, moscow="must")
        item.move("In progress")
        item.link("blocks", "00000000-0000-0000-0000-000000000001", "PM-2")
        item.comment("a comment")
        item.archive()
        sprint = Sprint.plan(board.id, "S1", "goal", "2026-03-01", "2026-03-14")
        sprint.begin({str(item.id): 2.5, "other": None}, "2026-03-02", "2026-03-15")
        sprint.close([str(item.id)], ["other"], None)
        release = Release.create(product.id, "1.0", "2026-04-01", milestone=True)
        release.edit(shipped=True)
        road = RoadmapItem.propose(product.id, "Pay", "later", timeframe_="2026-Q3")
        road.edit(horizon="now", title="Pay fast")
        road.link("epics", str(item.id))
        objective = Objective.create(product.id, "Grow", "2026-Q2")
        objective.add_key_result("NPS", 50, 20, "pts", 0.6)
        objective.check_in(1, 35, 0.7, "half way")
        objective.edit_key_result(1, target=55)
        kpi = Kpi.define(product.id, "NPS", "pts", "higher", 50, 30, 20)
        kpi.measure(31.5, source="survey")
        user = User.add("bob", "editor", ["ssh-ed25519 AAAA bob"])
        user.change_role("admin")
    with attributed("importer", "from Jira", past):
        kpi.measure(12)
        user.remove()
    return [product, board, item, sprint, release, road, objective, kpi, user]


def test_every_aggregate_round_trips_through_the_repository(store: str) -> None:
    location = locate(store)
    app = open_application(location)
    aggregates = build()
    expected = {a.id: state_of(a) for a in aggregates}
    app.save(*aggregates)
    app.close()

    reopened = open_application(location)  # a new application: nothing cached
    try:
        for aggregate_id, state in expected.items():
            loaded = reopened.repository.get(aggregate_id)
            assert state_of(loaded) == state, type(loaded).__name__
    finally:
        reopened.close()


def test_stored_events_keep_attribution_and_decode_as_records(store: str) -> None:
    location = locate(store)
    app = open_application(location)
    try:
        aggregates = build()
        app.save(*aggregates)
        kpi = aggregates[7]
        domain_events = list(app.repository.event_store.get(kpi.id))
        assert [type(e).__name__ for e in domain_events] == ["Defined", "Measured", "Measured"]
        last = domain_events[-1]
        assert (last.actor, last.reason, last.value, last.source) == ("importer", "from Jira", 12.0, "manual")
        assert last.occurred == datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)
        records = list(EventLog(app, location).records())
        assert len(records) == sum(a.version for a in aggregates)
        assert [r.seq for r in records] == list(range(1, len(records) + 1))
        measured = [r for r in records if r.name == "Kpi.Measured"]
        assert [(r.actor, r.data) for r in measured] == [
            ("ann", {"value": 31.5, "source": "survey", "undoes": None, "redoes": None}),
            ("importer", {"value": 12.0, "source": "manual", "undoes": None, "redoes": None})]  # no undo, no redo
        assert measured[1].occurred == last.occurred.timestamp() and measured[1].backdated
        assert not measured[0].backdated
    finally:
        app.close()


def test_mapper_writes_class_version_only_past_v1() -> None:
    mapper = MsgspecMapper(transcoder=None)  # type: ignore[arg-type]
    kpi = Kpi.define(Product.create_id("PM"), "NPS")
    kpi.measure(3)
    defined, measured = kpi.collect_events()
    assert "class_version" not in msgspec.json.decode(mapper.to_stored_event(defined).state)
    stored = mapper.to_stored_event(measured)
    assert msgspec.json.decode(stored.state)["class_version"] == 2
    assert mapper.to_domain_event(stored) == measured
