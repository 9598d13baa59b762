"""Service-layer stories, one per area, in the style of eventsourcing's examples: each step is a
command on the Workbench (the facade every entry point calls), and every refused command is
checked to have left the log exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import asyncssh
import pytest

from domain.exceptions import DomainError
from pmtui.service import team
from pmtui.service.workbench import Workbench
from projections.kpi_series import kpi_series


@pytest.fixture
def wb() -> Iterator[Workbench]:
    bench = Workbench(db=":memory:", actor="ann", role="admin")
    bench.init_product("Shop", "SH")
    yield bench
    bench.close()


@contextmanager
def refused(wb: Workbench, match: str) -> Iterator[None]:
    """The command in the block is refused with ``match`` in its message and writes nothing."""
    before_seq = wb.log.max_seq()
    before = list(wb.records())
    with pytest.raises(DomainError, match=match):
        yield
    assert wb.log.max_seq() == before_seq, "a refused command wrote events"
    assert list(wb.records()) == before


def test_sprint_story(wb: Workbench) -> None:
    # Ann fills the backlog: three stories and an epic.
    for title in ("Cart", "Pay", "Receipt"):
        wb.add_item(title, points=3)
    epic = wb.add_item("Checkout", kind="epic")
    # A plan naming an epic, or an item that does not exist, plans nothing at all.
    with refused(wb, "epic"):
        wb.plan_sprint("Sprint 1", items=["SH-1", epic])
    with refused(wb, "no item 'SH-99'"):
        wb.plan_sprint("Sprint 1", items=["SH-1", "SH-99"])
    # The good plan puts both items in the sprint in one go.
    wb.plan_sprint("Sprint 1", items=["SH-1", "SH-2"])
    assert [i.key for i in wb.now.items.values() if i.sprint == wb.sprint("Sprint 1").id] == ["SH-1", "SH-2"]
    # Done work does not join a sprint.
    wb.move_item("SH-3", "Done")
    with refused(wb, "done already"):
        wb.add_to_sprint("Sprint 1", ["SH-3"])
    # Starting it today records today, whatever was planned.
    wb.start_sprint("Sprint 1")
    assert wb.sprint("Sprint 1").start == datetime.now().astimezone().date().isoformat()
    with refused(wb, "only a planned sprint can start"):
        wb.start_sprint("Sprint 1")
    # Renamed while running; closed with its unfinished item carried back to the backlog.
    wb.edit_sprint("Sprint 1", name="Sprint One")
    wb.move_item("SH-1", "Done")
    assert wb.close_sprint("Sprint One") == {"done": 1, "carried": 1, "to": "backlog"}
    with refused(wb, "closed"):
        wb.add_to_sprint("Sprint One", ["SH-2"])


def test_roadmap_story(wb: Workbench) -> None:
    ref = wb.add_roadmap_item("Offline mode", horizon="later")
    # A decision says why; a plain edit need not.
    with refused(wb, "needs a reason"):
        wb.decide(ref, horizon="now")
    wb.decide(ref, title="Offline-first")
    wb.decide(ref, horizon="next", reason="customers asked")
    # Dropped, it cannot be moved (or sit in Now) unless reopened in the same decision.
    wb.decide(ref, status="dropped", reason="no demand")
    with refused(wb, "reopen it"):
        wb.decide(ref, horizon="now", reason="back on")
    wb.decide(ref, horizon="now", status="planned", reason="a big customer signed")
    assert (wb.roadmap_item(ref).horizon, wb.roadmap_item(ref).status) == ("now", "planned")


def test_okr_story(wb: Workbench) -> None:
    ref = wb.add_objective("Delight users", "2026-Q4")
    wb.add_key_result(ref, "NPS", target=50)
    wb.check_in(ref, 1, 20, comment="first survey")
    with refused(wb, "no key result 2"):
        wb.check_in(ref, 2, 10)
    with refused(wb, "must be a number"):
        wb.check_in(ref, 1, "lots")
    # A wrong check-in is undone: the key result goes back to where it was.
    wb.check_in(ref, 1, 90, comment="typo")
    wb.undo()
    assert wb.objective(ref).key_results[0]["current"] == 20


def test_kpi_story(wb: Workbench) -> None:
    wb.add_kpi("Uptime", unit="%", target=99.9)
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    wb.measure("Uptime", 99.95, at=yesterday)
    # Measurements are of the past: the service refuses a future one, whatever the entry point.
    with refused(wb, "cannot be in the future"):
        wb.measure("Uptime", 100, at=datetime.now(timezone.utc) + timedelta(days=2))
    with refused(wb, "must be a finite number"):
        wb.measure("Uptime", "inf")
    # A renamed KPI keeps its measurements.
    wb.edit_kpi("Uptime", name="Availability")
    assert [p.value for p in kpi_series(wb.now, wb.kpi("Availability").id).points] == [99.95]


def test_undo_story(wb: Workbench) -> None:
    key = wb.add_item("Spec")
    wb.edit_item(key, points=5)
    wb.comment(key, "sized it")
    # The last change is the comment: undo says it cannot take it back, and does not skip to the edit.
    with refused(wb, "a comment stays"):
        wb.undo()
    assert "comment" in wb.undo_list()[0].label
    # Bob's change of the same item blocks Ann's undo of the edit below it.
    wb.actor = "bob"
    wb.edit_item(key, title="Spec v2")
    wb.undo()  # bob's own edit
    wb.actor = "ann"
    with refused(wb, "a comment stays"):
        wb.undo()
    # Nothing to redo for Ann: she has undone nothing.
    with refused(wb, "nothing to redo"):
        wb.redo()


def test_users_story(wb: Workbench) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="bob").export_public_key().decode()
    team.add_user(wb, "bob", [key], role="editor")
    with refused(wb, "already"):
        team.add_user(wb, "bob", [key], role="editor")
    with refused(wb, "role"):
        team.set_role(wb, "bob", "overlord")
    team.set_role(wb, "bob", "viewer")
    # A viewer changes nothing.
    viewer = Workbench.__new__(Workbench)
    viewer.__dict__.update(wb.__dict__)
    viewer.actor, viewer.role = "bob", "viewer"
    with refused(wb, "changes need the editor role"):
        viewer.add_item("sneaky")


def test_column_order_story(wb: Workbench) -> None:
    """Reordering the workflow: the column moves with its WIP limit, items stay in their column,
    and a column the board lacks is refused without writing."""
    key = wb.add_item("Checkout copy", status="Review")
    wb.move_column("Review", 1)
    board = wb.board()
    assert [c["name"] for c in board.columns] == ["Backlog", "Review", "To do", "In progress", "Done"]
    assert board.columns[1]["wip"] == 3 and wb.item(key).status == "Review"
    with refused(wb, "no column 'QA'"):
        wb.move_column("QA", 0)
    with refused(wb, "nothing to change"):
        wb.move_column("Review", 1)
