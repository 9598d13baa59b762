"""Reopening a store: the read model comes back from its snapshot plus the events since."""

from __future__ import annotations

import pytest

import pmtui.service as service
import projections.timeline as timeline_module
from pmtui.service import SNAPSHOT_NAME, SNAPSHOT_VERSION, Workbench
from projections.state import fold


def fill(wb: Workbench, items: int) -> list[str]:
    keys = [wb.add_item(f"Item {n}", points=n % 5) for n in range(items)]
    for key in keys[::3]:
        wb.move_item(key, "In progress")
    wb.plan_sprint("S1")
    wb.add_to_sprint("S1", keys[:2])
    wb.start_sprint("S1")
    wb.add_kpi("NPS", warn=30, alarm=20)
    wb.measure("NPS", 25)
    return keys


def test_reopen_folds_only_the_tail_after_the_snapshot(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    keys = fill(wb, 6)
    saved_at = wb.timeline.position
    wb.close()  # saves the snapshot

    other = Workbench(db=store, actor="bob")  # starts from the snapshot, writes a tail
    assert other.timeline.checkpoints_from == saved_at and other.now.position == saved_at
    other.move_item(keys[1], "Done")
    other.comment(keys[1], "shipped")
    other.log.close()
    other.app.close()  # gone without saving a snapshot: the tail is only in the log

    reopened = Workbench(db=store, actor="ann")
    try:
        records = list(reopened.records())
        assert reopened.timeline.checkpoints_from == saved_at  # started from the snapshot...
        assert reopened.timeline.position == records[-1].seq == saved_at + 2  # ...and folded the tail
        assert reopened.now == fold(records)
        assert reopened.item(keys[1]).status == "Done" and reopened.item(keys[1]).comments == 1
        # Time travel before the snapshot still works (the timeline backfills its checkpoints).
        assert reopened.view(f"#{saved_at - 3}") == fold(r for r in records if r.seq <= saved_at - 3)
    finally:
        reopened.close()


def test_snapshot_of_another_version_is_ignored(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    fill(wb, 3)
    assert wb.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION) is None  # nothing saved yet: below SNAPSHOT_EVERY
    wb.close()  # saves one

    monkeypatch.setattr(service, "SNAPSHOT_VERSION", SNAPSHOT_VERSION + 1)
    reopened = Workbench(db=store, actor="ann")
    try:
        assert reopened.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION + 1) is None
        assert reopened.timeline.complete  # folded from the first event
        assert reopened.now == fold(reopened.records())
        reopened.add_item("After the upgrade")
    finally:
        reopened.close()
    again = Workbench(db=store, actor="ann")
    try:
        loaded = again.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION + 1)
        assert loaded is not None and loaded[0] == again.timeline.position
        assert not again.timeline.complete  # this time from the new-version snapshot
        assert again.now == fold(again.records())
    finally:
        again.close()


def test_unreadable_snapshot_is_only_a_cache(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    fill(wb, 2)
    position = wb.timeline.position
    wb.snapshots.save(SNAPSHOT_NAME, SNAPSHOT_VERSION, position + 1, b"\x00garbage")
    wb.log.close()
    wb.app.close()
    reopened = Workbench(db=store, actor="ann")
    try:
        assert reopened.timeline.complete and reopened.now == fold(reopened.records())
    finally:
        reopened.close()


def test_snapshot_is_saved_every_so_many_events(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 5)
    wb = Workbench(db=store, actor="ann")
    try:
        wb.init_product("Shop", "PM")
        for n in range(6):
            wb.add_item(f"Item {n}")
        loaded = wb.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION)
        assert loaded is not None and wb.timeline.position - 5 < loaded[0] <= wb.timeline.position
    finally:
        wb.close()


def test_snapshots_space_out_as_the_log_grows_and_close_saves_only_when_due(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 5)
    monkeypatch.setattr(service, "SNAPSHOT_SHARE", 2)  # due when half the log is new since the save
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    keys = [wb.add_item(f"Item {n}") for n in range(20)]
    saved = wb.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION)
    assert saved is not None and wb.timeline.position - saved[0] < wb.timeline.position // 2
    wb.close()  # a last save when less than half of the log is new would cost more than it saves
    at_close = wb.timeline.position
    again = Workbench(db=store, actor="ann")
    try:
        assert again.timeline.checkpoints_from == saved[0] < at_close  # ...so this start folds the tail
        assert again.now == fold(again.records())
        monkeypatch.setattr(service, "SNAPSHOT_EVERY", 1000)  # no saves while working...
        for key in keys * 2:
            again.comment(key, "more")
        assert again.snapshots.load(SNAPSHOT_NAME, SNAPSHOT_VERSION)[0] == saved[0]  # type: ignore[index]
        end = again.timeline.position
    finally:
        again.close()  # ...but now more than half of the log is new since the save: saved on close
    third = Workbench(db=store, actor="ann")
    try:
        assert third.timeline.checkpoints_from == third.timeline.position == end
    finally:
        third.close()


def test_saved_checkpoints_are_kept_few_and_spread_and_serve_time_travel_after_a_reopen(
        store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 4)
    monkeypatch.setattr(service, "SAVED_CHECKPOINTS", 3)
    wb = Workbench(db=store, actor="ann")
    wb.init_product("Shop", "PM")
    keys = [wb.add_item(f"Item {n}") for n in range(30)]
    for key in keys:
        wb.comment(key, "seen")
    kept = sorted(wb._saved_checkpoints())
    assert len(kept) == 3 and kept[-1] == len(wb.timeline) - (wb.timeline.position - wb._saved_position)
    assert kept[0] < len(wb.timeline) // 2  # thinned out, not just the newest three
    wb.close()
    reopened = Workbench(db=store, actor="ann")
    try:
        assert sorted(reopened.timeline.saved) == [n for n in kept if n < reopened.timeline.checkpoints_from]
        records = list(reopened.records())
        point = kept[0] + 1
        assert reopened.view(f"#{records[point - 1].seq}") == fold(records[:point])
        assert kept[0] in reopened.timeline.checkpoints  # travelled from the saved one
        for seq in (1, records[-1].seq // 3, records[-1].seq // 2, records[-1].seq - 1):
            assert reopened.view(f"#{seq}") == fold(r for r in records if r.seq <= seq)
    finally:
        reopened.close()


def test_a_first_save_after_folding_the_whole_log_keeps_checkpoints_spread_over_it(
        store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 10**6)  # no saves while writing
    monkeypatch.setattr(timeline_module, "CHECKPOINT_EVERY", 3)
    writer = Workbench(db=store, actor="ann")
    writer.init_product("Shop", "PM")
    for n in range(40):
        writer.add_item(f"Item {n}")
    writer.log.close()
    writer.app.close()  # gone without a save: the next start folds the whole log
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 4)
    wb = Workbench(db=store, actor="ann")  # folds all 42 events, so it is due to save at once
    try:
        kept = sorted(wb._saved_checkpoints())
        assert len(kept) == service.SAVED_CHECKPOINTS and kept[-1] == len(wb.timeline)
        gaps = [b - a for a, b in zip([0, *kept], kept)]
        assert max(gaps) <= 2 * len(wb.timeline) // service.SAVED_CHECKPOINTS  # spread, not bunched
    finally:
        wb.close()
    reopened = Workbench(db=store, actor="ann")
    try:
        records = list(reopened.records())
        for seq in range(1, records[-1].seq + 1, 5):
            assert reopened.view(f"#{seq}") == fold(r for r in records if r.seq <= seq)
    finally:
        reopened.close()


def test_refresh_sees_what_another_workbench_wrote(store: str) -> None:
    first = Workbench(db=store, actor="ann")
    first.init_product("Shop", "PM")
    second = Workbench(db=store, actor="bob")
    try:
        key = second.add_item("From bob")
        assert first.now.item_by_key(key) is None
        assert first.refresh() == 1  # the item's creation: its key takes no event of its own
        assert first.item(key).created_by == "bob"
        assert first.refresh() == 0
    finally:
        second.close()
        first.close()
