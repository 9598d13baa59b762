"""Random command sequences for property tests: a strategy of operations and a runner that plays
them against a Workbench, some attributed to other people and backdated (as imports are), so the
log holds events recorded out of their occurred order."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from domain.exceptions import DomainError
from pmtui.service.workbench import Workbench

COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done", "Nowhere"]
KEYS = st.integers(min_value=1, max_value=8).map(lambda n: f"PM-{n}")
SPRINTS = st.sampled_from(["S1", "S2", "S3"])

operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["story", "bug", "epic", "task"]), st.booleans(),
              st.none() | st.integers(0, 13)),
    st.tuples(st.just("move"), KEYS, st.sampled_from(COLUMNS)),
    st.tuples(st.just("step"), KEYS, st.sampled_from([-1, 1])),
    st.tuples(st.just("edit"), KEYS, st.sampled_from(["title", "points", "labels", "assignee", "moscow", "parent"]),
              st.sampled_from(["a", "b", "3", "", "must", "PM-1", "ux api"])),
    st.tuples(st.just("rank"), KEYS, st.sampled_from(["top", "bottom", "up", "down", "before", "after"]), KEYS),
    st.tuples(st.just("archive"), KEYS),
    st.tuples(st.just("restore"), KEYS),
    st.tuples(st.just("comment"), KEYS, st.sampled_from(["ok", "  ", "why?"])),
    st.tuples(st.just("link"), KEYS, KEYS),
    st.tuples(st.just("plan"), SPRINTS),
    st.tuples(st.just("add_to_sprint"), SPRINTS, KEYS),
    st.tuples(st.just("start"), SPRINTS),
    st.tuples(st.just("close"), SPRINTS, st.sampled_from(["backlog", "next"])),
    st.tuples(st.just("kpi"), st.sampled_from(["NPS", "Churn"])),
    st.tuples(st.just("measure"), st.sampled_from(["NPS", "Churn"]), st.integers(-5, 100), st.none() | st.integers(0, 30)),
    st.tuples(st.just("roadmap"), st.sampled_from(["now", "next", "later"])),
    st.tuples(st.just("decide"), st.integers(1, 3), st.sampled_from(["now", "next", "later", "done"])),
    st.tuples(st.just("objective"), st.just("2026-Q4")),
    st.tuples(st.just("kr"), st.integers(1, 2), st.integers(1, 100)),
    st.tuples(st.just("checkin"), st.integers(1, 2), st.integers(1, 2), st.integers(0, 100)),
    st.tuples(st.just("wip"), st.sampled_from(COLUMNS[:5]), st.none() | st.integers(1, 3), st.booleans()),
)

# Who does it and when it occurred: None = now, by the workbench's actor; otherwise backdated.
attribution = st.none() | st.tuples(st.sampled_from(["importer", "bob"]), st.integers(0, 40 * 24 * 60))

step = st.tuples(operation, attribution)
steps = st.lists(step, min_size=15, max_size=60)


def run(wb: Workbench, op: tuple[Any, ...]) -> None:
    kind, *args = op
    if kind == "add":
        item_kind, top, points = args
        wb.add_item(f"Item {len(wb.now.items) + 1}", kind=item_kind, top=top, points=points)
    elif kind == "move":
        wb.move_item(*args)
    elif kind == "step":
        wb.step_item(*args)
    elif kind == "edit":
        key, field, value = args
        wb.edit_item(key, **{field: value})
    elif kind == "rank":
        key, where, other = args
        wb.rank_item(key, where, other)
    elif kind == "archive":
        wb.archive_item(*args)
    elif kind == "restore":
        wb.restore_item(*args)
    elif kind == "comment":
        wb.comment(*args)
    elif kind == "link":
        wb.link(args[0], "blocks", args[1])
    elif kind == "plan":
        wb.plan_sprint(args[0])
    elif kind == "add_to_sprint":
        wb.add_to_sprint(args[0], [args[1]])
    elif kind == "start":
        wb.start_sprint(args[0])
    elif kind == "close":
        wb.close_sprint(args[0], carry_to=args[1])
    elif kind == "kpi":
        wb.add_kpi(args[0], direction="higher" if args[0] == "NPS" else "lower", warn=30, alarm=20 if args[0] == "NPS" else 40)
    elif kind == "measure":
        name, value, days_ago = args
        at = None if days_ago is None else datetime.now(timezone.utc) - timedelta(days=days_ago)
        wb.measure(name, value, at=at)
    elif kind == "roadmap":
        wb.add_roadmap_item(f"Idea {len(wb.now.roadmap) + 1}", horizon=args[0])
    elif kind == "decide":
        number, value = args
        wb.decide(f"RM-{number}", reason="because", **({"status": value} if value == "done" else {"horizon": value}))
    elif kind == "objective":
        wb.add_objective(f"Objective {len(wb.now.objectives) + 1}", args[0])
    elif kind == "kr":
        wb.add_key_result(f"O-{args[0]}", "metric", args[1])
    elif kind == "checkin":
        wb.check_in(f"O-{args[0]}", args[1], args[2], comment="c")
    elif kind == "wip":
        wb.set_wip_limit(*args)
    else:  # pragma: no cover - the strategy only makes the kinds above
        raise AssertionError(kind)


def play(wb: Workbench, plan: list[tuple[tuple[Any, ...], Any]]) -> int:
    """Play the steps; refused commands are part of the game (they must write nothing)."""
    refused = 0
    now = datetime.now(timezone.utc)
    for op, who in plan:
        context = nullcontext() if who is None else wb.recorded_as(who[0], now - timedelta(minutes=who[1]))
        with context:
            try:
                run(wb, op)
            except DomainError:
                refused += 1
    return refused


def seeded(db: str = ":memory:", items: int = 0) -> Workbench:
    """A workbench on a new store with a product and (so random commands find something to act
    on) a few items, an objective with a key result and a KPI."""
    wb = Workbench(db=db, actor="ann")
    wb.init_product("Shop", "PM")
    for n in range(items):
        wb.add_item(f"Seed {n + 1}", points=n % 3 or None)
    if items:
        wb.add_objective("Grow", "2026-Q4")
        wb.add_key_result("O-1", "NPS", 50, baseline=20)
        wb.add_kpi("NPS", warn=30, alarm=20)
    return wb
