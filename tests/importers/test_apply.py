"""Applying an import plan: a plan the domain would refuse halfway writes nothing at all."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pmtui.importers.apply import apply_plan
from pmtui.importers.plan import ImportFormatError, ImportPlan, Step

T0 = datetime(2021, 5, 1, tzinfo=timezone.utc)


def plan_with(*steps: Step) -> ImportPlan:
    return ImportPlan(system="Trello", board_name="Board", columns=[{"name": "A", "category": "todo"},
                                                                    {"name": "B", "category": "done"}],
                      product_name="Board", key_prefix="BO", started=T0, started_by="ann", steps=list(steps))


def test_a_plan_refused_halfway_is_found_in_rehearsal_and_writes_nothing(wb) -> None:
    plan = plan_with(
        Step(T0 + timedelta(minutes=1), "ann", "c1", "create", {"title": "One", "kind": "task", "status": "A"}, "createCard"),
        Step(T0 + timedelta(minutes=2), "ann", "c1", "move", {"column": "Nowhere"}, "updateCard"),
    )
    with pytest.raises(ImportFormatError, match="cannot be imported .*no column 'Nowhere'.*nothing was written"):
        apply_plan(wb, plan)
    assert wb.now.position == 0


def test_steps_replay_in_occurred_order_whatever_order_they_were_planned_in(wb) -> None:
    plan = plan_with(
        Step(T0 + timedelta(minutes=3), "bob", "c1", "move", {"column": "B"}, "updateCard"),
        Step(T0 + timedelta(minutes=1), "ann", "c1", "create", {"title": "One", "kind": "task", "status": "A"}, "createCard"),
        Step(T0 + timedelta(minutes=2), "cy", "c1", "comment", {"text": "on it"}, "commentCard"),
    )
    report = apply_plan(wb, plan)
    records = [r for r in wb.records() if r.name.startswith("WorkItem.")]
    assert [(r.name, r.actor) for r in records] == [
        ("WorkItem.Created", "ann"), ("WorkItem.Commented", "cy"), ("WorkItem.Moved", "bob")]
    assert wb.item(report.keys["c1"]).status == "B"
