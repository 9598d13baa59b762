"""Sprint: planned -> active -> closed, and nothing else."""

from uuid import uuid4

import pytest

from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.sprint import Sprint
from tests.domain.conftest import fresh, names, refused, take

BOARD = uuid4()


@pytest.fixture
def planned() -> Sprint:
    return fresh(lambda: Sprint.plan(BOARD, "Sprint 1", "Ship checkout", "2026-11-02", "2026-11-13"))


@pytest.fixture
def active(planned: Sprint) -> Sprint:
    planned.begin({"a": 3, "b": None}, "2026-11-02", "2026-11-13")
    take(planned)
    return planned


def test_plan(planned: Sprint) -> None:
    assert (planned.name, planned.goal, planned.start, planned.end, planned.state) == (
        "Sprint 1", "Ship checkout", "2026-11-02", "2026-11-13", "planned")
    assert planned.id == Sprint.create_id(BOARD, " sprint 1 ")
    assert names(take(Sprint.plan(BOARD, "S2"))) == ["Sprint.Planned"]


@pytest.mark.parametrize(("args", "message"), [
    (("",), "sprint name must not be empty"),
    (("S", "", "2026-13-01"), "start must be a date like 2026-12-31"),
    (("S", "", "2026-11-10", "2026-11-01"), r"the sprint ends \(2026-11-01\) before it starts \(2026-11-10\)"),
])
def test_plan_refuses_bad_values(args: tuple, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Sprint.plan(BOARD, *args)


def test_begin_records_committed_scope_including_unestimated_items(planned: Sprint) -> None:
    planned.begin({"a": 3, "b": None}, "2026-11-03", "2026-11-14")
    (started,) = take(planned)
    assert names([started]) == ["Sprint.Started"]
    assert started.committed == {"a": 3, "b": None}
    assert (planned.state, planned.start, planned.end) == ("active", "2026-11-03", "2026-11-14")


def test_begin_refusals(planned: Sprint, active: Sprint) -> None:
    fresh_planned = Sprint.plan(BOARD, "Empty")
    take(fresh_planned)
    with refused(fresh_planned, InvalidTransitionError, "has no items: plan some before starting it"):
        fresh_planned.begin({}, "2026-11-01", "2026-11-02")
    with refused(fresh_planned, ValidationError, "ends"):
        fresh_planned.begin({"a": 1}, "2026-11-05", "2026-11-01")
    with refused(active, InvalidTransitionError, "is active, only a planned sprint can start"):
        active.begin({"a": 1}, "2026-11-01", "2026-11-02")


def test_close_only_an_active_sprint(planned: Sprint) -> None:
    with refused(planned, InvalidTransitionError, "is planned, only an active sprint can close"):
        planned.close([], [], None)
    planned.begin({"a": 1, "b": 2}, "2026-11-01", "2026-11-14")
    planned.close(["a"], ["b"], "next-id")
    started, closed = take(planned)
    assert names([started, closed]) == ["Sprint.Started", "Sprint.Closed"]
    assert (closed.done, closed.carried, closed.carried_to) == (["a"], ["b"], "next-id")
    assert planned.state == "closed"
    with refused(planned, InvalidTransitionError, "is closed, only an active sprint can close"):
        planned.close([], [], None)
    with refused(planned, InvalidTransitionError, "is closed, only a planned sprint can start"):
        planned.begin({"a": 1}, "2026-11-01", "2026-11-14")
    with refused(planned, InvalidTransitionError, "sprint 'Sprint 1' is closed"):
        planned.edit(goal="late change")


def test_edit(planned: Sprint, active: Sprint) -> None:
    active.edit(goal="Ship it", end="2026-11-20")
    (edited,) = take(active)
    assert edited.changes == {"goal": ["Ship checkout", "Ship it"], "end": ["2026-11-13", "2026-11-20"]}
    with refused(active, ValidationError, "a sprint has no field 'state'"):
        active.edit(state="closed")
    with refused(active, ValidationError, "ends"):
        active.edit(end="2026-10-01")
    with refused(active, NothingChangedError):
        active.edit(goal="Ship it")
