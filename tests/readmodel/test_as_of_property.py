"""The read model's tables against a naive fold: for random histories, with backdated events
(imported history, generated demos) and two writers racing on one store, every view as of every
event number, and as of moments all over the history, equals folding the events up to that point
from scratch."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.exceptions import DomainError
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from projections.state import fold
from projections.versions import effective_order, fold_as_of_time
from tests.views import views_of

T0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]

step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["story", "bug", "epic"]), st.sampled_from(COLUMNS[:3])),
    st.tuples(st.just("move"), st.integers(1, 8), st.sampled_from(COLUMNS)),
    st.tuples(st.just("edit"), st.integers(1, 8), st.text("abc xyz", min_size=1, max_size=8)),
    st.tuples(st.just("rank"), st.integers(1, 8), st.sampled_from(["top", "bottom", "up", "down"])),
    st.tuples(st.just("comment"), st.integers(1, 8)),
    st.tuples(st.just("archive"), st.integers(1, 8)),
    st.tuples(st.just("sprint"), st.integers(1, 3)),
    st.tuples(st.just("join"), st.integers(1, 8), st.integers(1, 3)),
    st.tuples(st.just("roadmap"), st.sampled_from(["now", "next", "later"])),
    st.tuples(st.just("objective"),),
    st.tuples(st.just("checkin"), st.floats(0, 100, allow_nan=False)),
    st.tuples(st.just("measure"), st.floats(-5, 5, allow_nan=False)),
)
# Each step by ann or bob, now or backdated by some hours (as an import or a late entry would be).
plan = st.lists(st.tuples(st.sampled_from(["ann", "bob"]), st.integers(-72, 0), step), min_size=3, max_size=30)


def run(wb: Workbench, op: tuple[Any, ...]) -> None:
    kind, *args = op
    try:
        if kind == "add":
            wb.add_item(f"Item {len(wb.now.items)}", kind=args[0], status=args[1])
        elif kind == "move":
            wb.move_item(f"PM-{args[0]}", args[1])
        elif kind == "edit":
            wb.edit_item(f"PM-{args[0]}", title=args[1])
        elif kind == "rank":
            wb.rank_item(f"PM-{args[0]}", args[1])
        elif kind == "comment":
            wb.comment(f"PM-{args[0]}", "looked at it")
        elif kind == "archive":
            wb.archive_item(f"PM-{args[0]}")
        elif kind == "sprint":  # planned, then started, then closed (its unfinished items to the backlog)
            name = f"Sprint {args[0]}"
            sprint = next((s for s in wb.now.sprints.values() if s.name == name), None)
            if sprint is None:
                wb.plan_sprint(name)
            elif sprint.state == "planned":
                wb.start_sprint(name)
            elif sprint.state == "active":
                wb.close_sprint(name)
        elif kind == "join":
            wb.add_to_sprint(f"Sprint {args[1]}", [f"PM-{args[0]}"])
        elif kind == "roadmap":
            if wb.now.roadmap:
                wb.decide(f"RM-{len(wb.now.roadmap)}", reason="why not", horizon=args[0])
            else:
                wb.add_roadmap_item("Loyalty", horizon=args[0])
        elif kind == "objective":
            ref = wb.add_objective("Grow", "2026-Q4")
            wb.add_key_result(ref, "signups", 100)
        elif kind == "checkin":
            if wb.now.objectives:
                objective = next(iter(wb.now.objectives.values()))
                if objective.key_results:
                    wb.check_in(f"O-{objective.number}", 1, args[0])
        elif kind == "measure":
            if not wb.now.kpis:
                wb.add_kpi("NPS")
            wb.measure("NPS", args[0], at=datetime.now(timezone.utc) - timedelta(minutes=1))
    except (UserError, DomainError):
        pass  # a refused command writes nothing; the plan goes on


def play(wb: Workbench, steps: list[tuple[str, int, tuple[Any, ...]]]) -> list[Any]:
    """Every step on ``wb`` (a backdated one occurred ``hours`` away); the log's records after."""
    for who, hours, op in steps:
        if hours:
            with wb.recorded_as(who, datetime.now(timezone.utc) + timedelta(hours=hours)):
                run(wb, op)
        else:
            run(wb, op)
    wb.refresh()
    return list(wb.records())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
# Found by Hypothesis: a comment backdated before another one (its item's events take effect in
# log order up to #N, in time order at a moment).
@example([("ann", 0, ("add", "story", "Backlog"))] * 3 + [("ann", 0, ("objective",)), ("ann", 0, ("comment", 2)),
          ("ann", -1, ("comment", 1))])
def test_every_view_at_every_point_equals_a_naive_fold(steps: list[tuple[str, int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-prop-") as tmp:
        db = str(Path(tmp) / "p.db")
        ann = Workbench(db=db, actor="ann")
        ann.init_product("Shop", "PM")
        bob = Workbench(db=db, actor="bob")  # writes interleave with ann's: each sees the other's
        try:
            for who, hours, op in steps:
                wb = ann if who == "ann" else bob
                wb.refresh()
                if hours:
                    with wb.recorded_as(who, datetime.now(timezone.utc) + timedelta(hours=hours)):
                        run(wb, op)
                else:
                    run(wb, op)
            records = list(ann.records())
            ann.refresh()
            assert views_of(ann.now) == views_of(fold(records))
            for seq in range(0, records[-1].seq + 1):
                assert views_of(ann.view(AsOf(event=seq))) == views_of(fold(r for r in records if r.seq <= seq)), seq
            times = sorted({t for t, _ in effective_order(records)})
            moments = [times[0] - 1, *times, *((a + b) / 2 for a, b in zip(times, times[1:])), times[-1] + 1]
            for moment in moments:
                assert views_of(ann.view(AsOf(moment=moment))) == views_of(fold_as_of_time(records, moment)), moment
        finally:
            bob.close()
            ann.close()


def test_display_numbers_are_fixed_when_made_whatever_the_view(tmp_path: Path) -> None:
    """A backdated objective keeps the number it was given: O-2 in every view, now and in the past,
    though it occurred before O-1 (folding by time used to call it O-1 in the dashboard)."""
    wb = Workbench(db=str(tmp_path / "n.db"), actor="ann")
    wb.init_product("Shop", "PM")
    first = wb.add_objective("Grow", "2026-Q4")
    with wb.recorded_as("importer", datetime.now(timezone.utc) - timedelta(days=30)):
        second = wb.add_objective("Retain", "2026-Q4")
    assert (first, second) == ("O-1", "O-2")
    records = list(wb.records())
    assert [r.data["number"] for r in records if r.name == "Objective.Created"] == [1, 2]
    for ws in (wb.now, wb.view(AsOf(moment=datetime.now(timezone.utc).timestamp())),
               wb.view(AsOf(moment=(datetime.now(timezone.utc) - timedelta(days=10)).timestamp()))):
        numbers = {o.title: o.number for o in ws.objectives.values()}
        assert numbers.get("Retain") == 2 and numbers.get("Grow", 1) == 1
    wb.close()
