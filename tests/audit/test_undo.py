"""Undo and redo: compensating events that the history shows, refused when they would overwrite
someone else's work or have no inverse."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmtui.errors import PermissionDeniedError, UserError
from pmtui.service.workbench import Workbench
from pmtui.service.undo import newest_first
from projections.records import EventRecord


def last(wb: Workbench) -> EventRecord:
    return list(wb.records())[-1]


def events_of(wb: Workbench, aggregate_id: str) -> list[EventRecord]:
    return [r for r in wb.records() if r.aggregate_id == aggregate_id]


def as_actor(wb: Workbench, actor: str) -> Workbench:
    wb.actor = actor
    return wb


def test_undo_reverses_the_last_change_with_a_new_event(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Write the spec")
    wb.edit_item(key, title="Write the full spec")
    edit = last(wb)
    message = wb.undo()
    assert wb.item(key).title == "Write the spec"
    undo = last(wb)
    assert undo.seq == edit.seq + 1 and undo.name == "WorkItem.Edited"
    assert undo.reason == f"undo of #{edit.seq}" and undo.actor == "ann"
    assert undo.data["changes"] == {"title": ["Write the full spec", "Write the spec"]}
    assert f"undo of #{edit.seq}" in message and key in message
    # Nothing was removed: the history holds the change and its undo.
    assert [r.seq for r in events_of(wb, wb.item(key).id)][-2:] == [edit.seq, undo.seq]


def test_undo_again_walks_further_back_and_redo_comes_back_in_order(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, points=3)
    wb.move_item(key, "In progress")
    wb.undo()
    wb.undo()
    assert (wb.item(key).status, wb.item(key).points) == ("Backlog", None)
    wb.redo()
    assert (wb.item(key).status, wb.item(key).points) == ("Backlog", 3)
    wb.redo()
    assert (wb.item(key).status, wb.item(key).points) == ("In progress", 3)
    with pytest.raises(UserError, match="nothing to redo"):
        wb.redo()


def test_a_redo_can_be_undone_again(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    wb.undo()
    wb.redo()
    redo = last(wb)
    wb.undo()
    assert wb.item(key).title == "Spec"
    assert last(wb).reason == f"undo of #{redo.seq}"


def test_a_new_change_ends_the_redo_chain(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    wb.undo()
    wb.edit_item(key, points=5)
    with pytest.raises(UserError, match="nothing to redo"):
        wb.redo()


def test_undoing_the_creation_of_an_item_archives_it_and_redo_restores_it(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.undo()
    assert wb.item(key).archived and last(wb).name == "WorkItem.Archived"
    wb.redo()
    assert not wb.item(key).archived and last(wb).name == "WorkItem.Restored"


def test_undoing_an_archive_restores_with_a_restore_event(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.archive_item(key)
    wb.undo()
    assert not wb.item(key).archived and last(wb).name == "WorkItem.Restored"


def test_undo_is_refused_when_someone_else_changed_it_since(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    as_actor(wb, "bob").move_item(key, "To do")
    moved = last(wb)
    as_actor(wb, "ann")
    with pytest.raises(UserError, match=f"bob changed {key} since \\(#{moved.seq}\\)"):
        wb.undo()
    assert last(wb).seq == moved.seq  # nothing written
    assert wb.item(key).title == "Spec v2"


def test_someone_elses_comment_does_not_block_an_undo(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    as_actor(wb, "bob").comment(key, "nice")
    as_actor(wb, "ann").undo()
    assert wb.item(key).title == "Spec"


def test_undo_never_skips_a_comment_to_reach_an_older_change(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    wb.comment(key, "renamed it")
    before = wb.log.max_seq()
    with pytest.raises(UserError, match=r"cannot undo #\d+ \(.*comment.*\): a comment stays"):
        wb.undo()
    assert wb.item(key).title == "Spec v2" and wb.log.max_seq() == before


def test_each_actor_undoes_only_their_own_changes(memory_wb: Workbench) -> None:
    wb = memory_wb
    mine = wb.add_item("Mine")
    as_actor(wb, "bob")
    theirs = wb.add_item("Theirs")
    wb.undo()
    assert wb.item(theirs).archived and not wb.item(mine).archived
    as_actor(wb, "carol")
    with pytest.raises(UserError, match="nothing to undo: carol has made no change"):
        wb.undo()
    as_actor(wb, "bob")  # bob made a change and undid it: "made no change" would not be true
    with pytest.raises(UserError, match="nothing to undo: bob has undone every change they made here"):
        wb.undo()


def test_changes_without_an_inverse_are_refused_with_the_reason(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.plan_sprint("Sprint 1")
    with pytest.raises(UserError, match="only a new work item can be un-created"):
        wb.undo()
    key = wb.add_item("Spec", points=3)
    wb.add_to_sprint("Sprint 1", [key])
    wb.start_sprint("Sprint 1")
    before = last(wb).seq
    with pytest.raises(UserError, match="starting a sprint cannot be undone"):
        wb.undo()
    assert last(wb).seq == before


def test_an_item_carried_out_of_a_closed_sprint_is_not_put_back(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.plan_sprint("Sprint 1")
    key = wb.add_item("Spec")
    wb.add_to_sprint("Sprint 1", [key])
    wb.start_sprint("Sprint 1")
    wb.close_sprint("Sprint 1")
    with pytest.raises(UserError, match="back into sprint 'Sprint 1', which is closed"):
        wb.undo()


def test_a_roadmap_decision_is_undone_and_both_stay_in_the_decision_history(memory_wb: Workbench) -> None:
    wb = memory_wb
    ref = wb.add_roadmap_item("Offline mode", horizon="later")
    wb.decide(ref, horizon="next", reason="customers asked")
    wb.undo(reason="decided too early")
    item = wb.roadmap_item(ref)
    assert item.horizon == "later"
    decisions = [r for r in events_of(wb, item.id) if r.name == "RoadmapItem.Decided"]
    assert [r.reason for r in decisions] == ["customers asked", f"undo of #{decisions[0].seq}: decided too early"]


def test_a_key_result_edit_is_undone(memory_wb: Workbench) -> None:
    wb = memory_wb
    ref = wb.add_objective("Delight users", "2026-Q4")
    wb.add_key_result(ref, "NPS", target=50)
    wb.edit_key_result(ref, 1, target=60)
    wb.undo()
    assert wb.objective(ref).key_results[0]["target"] == 50


def test_a_measurement_is_undone_by_withdrawing_it_and_redo_measures_it_again(memory_wb: Workbench) -> None:
    from projections.kpi_series import kpi_series
    wb = memory_wb
    wb.add_kpi("Uptime", unit="%")
    wb.edit_kpi("Uptime", target=99.9)
    wb.measure("Uptime", 99.5)
    measured = last(wb)
    message = wb.undo()
    assert message.endswith(f"(KPI Uptime: measured 99.5) recorded as #{measured.seq + 1}")
    assert wb.kpi("Uptime").target == 99.9  # the edit before it stays
    withdrawn = last(wb)
    assert withdrawn.name == "Kpi.MeasurementWithdrawn" and withdrawn.data["undoes"] == measured.seq
    assert kpi_series(wb.now, wb.kpi("Uptime").id).points == []
    # Said as a PM would say it, in the redo's message and the history alike (not the class name).
    assert "(KPI Uptime: withdrew the measurement 99.5)" in wb.redo()
    points = kpi_series(wb.now, wb.kpi("Uptime").id).points
    assert [(p.value, round(p.at, 3)) for p in points] == [(99.5, round(measured.occurred, 3))]
    assert last(wb).data["redoes"] == withdrawn.seq


def test_a_check_in_is_undone(memory_wb: Workbench) -> None:
    wb = memory_wb
    ref = wb.add_objective("Delight users", "2026-Q4")
    wb.add_key_result(ref, "NPS", target=50)
    wb.check_in(ref, 1, 20, comment="first survey")
    wb.undo()
    assert wb.objective(ref).key_results[0]["current"] == 0
    assert last(wb).name == "Objective.KeyResultEdited"


def test_undo_takes_the_last_change_of_any_kind_not_an_older_decision(memory_wb: Workbench) -> None:
    # The story: a roadmap decision, a check-in, a measurement; undo took the decision.
    from projections.kpi_series import kpi_series
    wb = as_actor(memory_wb, "bob")
    rm = wb.add_roadmap_item("Offline mode", horizon="later")
    ref = wb.add_objective("Delight users", "2026-Q4")
    wb.add_key_result(ref, "NPS", target=50)
    wb.add_kpi("Uptime")
    as_actor(wb, "ann")
    wb.decide(rm, horizon="next", reason="board approved")
    wb.check_in(ref, 1, 20)
    wb.measure("Uptime", 99.5)
    wb.undo()  # the measurement
    assert kpi_series(wb.now, wb.kpi("Uptime").id).points == []
    assert wb.objective(ref).key_results[0]["current"] == 20 and wb.roadmap_item(rm).horizon == "next"
    wb.undo()  # the check-in
    assert wb.objective(ref).key_results[0]["current"] == 0 and wb.roadmap_item(rm).horizon == "next"
    wb.undo()  # and only now the decision
    assert wb.roadmap_item(rm).horizon == "later"


def test_a_typed_reason_cannot_pose_as_an_undo(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    edit = last(wb)
    wb.edit_item(key, points=3, reason=f"undo of #{edit.seq}")  # a reason, not an undo
    wb.undo()
    assert wb.item(key).points is None and wb.item(key).title == "Spec v2"
    assert last(wb).data["undoes"] == edit.seq + 1


def test_old_undos_marked_only_in_the_reason_are_still_read() -> None:
    from pmtui.service.undo import compensates
    old = EventRecord(9, "WorkItem.Edited", "x", 3, 0.0, 0.0, "ann", "undo of #7", {"changes": {"title": ["b", "a"]}})
    new = EventRecord(9, "WorkItem.Edited", "x", 3, 0.0, 0.0, "ann", "undo of #7",
                      {"undoes": None, "redoes": None, "changes": {"title": ["b", "a"]}})
    assert compensates(old) == ("undo", 7) and compensates(new) is None


def test_undo_list_shows_what_undo_would_take_and_changes_nothing(memory_wb: Workbench) -> None:
    wb = memory_wb
    key = wb.add_item("Spec")
    wb.comment(key, "hm")
    before = wb.log.max_seq()
    queue = wb.undo_list()
    assert wb.log.max_seq() == before
    assert "comment" in queue[0].label and queue[0].refusal
    assert key in queue[1].label and queue[1].refusal is None


def test_viewers_cannot_undo(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="ann")
    wb.init_product("Audit", "AU")
    wb.add_item("Spec")
    wb.close()
    viewer = Workbench(db=str(tmp_path / "s.db"), actor="ann", role="viewer")
    with pytest.raises(PermissionDeniedError):
        viewer.undo()
    viewer.close()


def test_the_stacks_live_in_the_log_so_redo_works_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    wb = Workbench(db=db, actor="ann")
    wb.init_product("Audit", "AU")
    key = wb.add_item("Spec")
    wb.edit_item(key, title="Spec v2")
    wb.undo()
    wb.close()
    again = Workbench(db=db, actor="ann")
    again.redo()
    assert again.item(key).title == "Spec v2"
    again.close()


def test_the_log_is_read_backwards_in_batches_without_losing_an_event(memory_wb: Workbench) -> None:
    wb = memory_wb
    for n in range(4):
        wb.add_item(f"item {n}")
    seen: list[EventRecord] = []
    backwards = [r.seq for r in newest_first(wb, seen, batch=3)]
    assert backwards == [r.seq for r in reversed(list(wb.records()))] == list(range(wb.log.max_seq(), 0, -1))
    assert [r.seq for r in seen] == backwards
