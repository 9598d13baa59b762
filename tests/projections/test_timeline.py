"""Time travel: "as of event N" and "as of time T" equal a naive replay, checkpoints or not."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence

import msgspec
import pytest

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.exceptions import DomainError
from pmtui.service import Workbench
from projections.records import EventRecord
from projections.state import Workspace, fold
from projections.timeline import SavedCheckpoint, Timeline
from tests.projections.conftest import DAY, T0, Log
from tests.projections.workload import play, seeded, steps


def timeline_over(records: Sequence[EventRecord], every: int = 3) -> tuple[Timeline, list[int]]:
    """A timeline reading from an in-memory log; also returns how many reads it made (to show
    that checkpoints, not full replays, answer queries)."""
    reads: list[int] = []

    def fetch(after: int, upto: int) -> Iterable[EventRecord]:
        chosen = [r for r in records if after < r.seq <= upto]
        reads.append(len(chosen))
        return chosen

    def fetch_seqs(seqs: Sequence[int]) -> Iterable[EventRecord]:
        wanted = set(seqs)
        chosen = [r for r in records if r.seq in wanted]
        reads.append(len(chosen))
        return chosen

    return Timeline(fetch, fetch_seqs, every=every), reads


def upto_event(records: Sequence[EventRecord], seq: int) -> Workspace:
    return fold(r for r in records if r.seq <= seq)


def upto_time(records: Sequence[EventRecord], moment: float) -> Workspace:
    return fold(r for r in records if r.occurred <= moment)


def moments(records: Sequence[EventRecord]) -> list[float]:
    """Every occurred time, and just before and after each: the edges where answers change."""
    times = sorted({r.occurred for r in records})
    return [t + d for t in times for d in (-0.5, 0.0, 0.5)] + [0.0, times[-1] + DAY]


# Hand-built logs --------------------------------------------------------------------------------
def late_log() -> Log:
    log = Log()
    log.product()
    a = log.item(1, "A")
    for n in range(8):
        log.change("WorkItem.Ranked", a, rank=[f"r{n}", f"r{n + 1}"])
    # Imported history: recorded now, occurred days ago, in a jumbled order.
    log.change("WorkItem.Moved", a, status=["Backlog", "To do"], occurred=T0 - 3 * DAY, actor="importer")
    log.add("WorkItem.Commented", a, {"text": "old"}, occurred=T0 - 5 * DAY, actor="importer")
    log.change("WorkItem.Edited", a, title=["A", "B"])
    log.change("WorkItem.Moved", a, status=["To do", "Done"], occurred=T0 - 1 * DAY, actor="importer")
    return log


def test_as_of_event_uses_checkpoints_and_equals_a_replay() -> None:
    records = late_log().records
    timeline, reads = timeline_over(records, every=4)
    assert timeline.append(records) == len(records)
    assert sorted(timeline.checkpoints) == [0, 4, 8, 12, 16]
    for seq in range(0, len(records) + 2):
        reads.clear()
        assert timeline.as_of_event(seq) == upto_event(records, seq), seq
        assert sum(reads) < 4  # never more than the events since the checkpoint below
    assert timeline.as_of_event(len(records)) is timeline.now


def test_as_of_time_includes_backdated_events_that_occurred_by_then() -> None:
    records = late_log().records
    timeline, _ = timeline_over(records)
    timeline.append(records)
    assert len(timeline.late) == 3
    for moment in moments(records):
        assert timeline.as_of_time(moment) == upto_time(records, moment), moment
    before_start = timeline.as_of_time(T0 - 4 * DAY)  # only the comment from 5 days ago... of an item not yet created
    assert before_start.items == {} and before_start.count == 1


def test_append_skips_what_it_has_already_folded() -> None:
    records = late_log().records
    timeline, _ = timeline_over(records)
    timeline.append(records[:5])
    assert timeline.append(records) == len(records) - 5
    assert timeline.append(records) == 0
    assert timeline.now == fold(records) and len(timeline) == len(records)


def test_from_snapshot_folds_older_points_from_the_nearest_checkpoint_and_leaves_new_ones() -> None:
    records = late_log().records
    first, _ = timeline_over(records[:10], every=3)
    first.append(records[:10])
    restored, reads = timeline_over(records, every=3)
    resumed = Timeline.from_snapshot(first.now.copy(), first.snapshot_index(), restored._fetch, restored._fetch_seqs, every=3)
    assert not resumed.complete and resumed.position == 10
    resumed.append(records[10:])
    reads.clear()
    assert resumed.as_of_event(records[8].seq) == upto_event(records, records[8].seq)
    assert sum(reads) == 9  # no checkpoint below the snapshot yet: folded from the first event...
    reads.clear()
    assert resumed.as_of_event(records[8].seq) == upto_event(records, records[8].seq)
    assert sum(reads) < 9  # ...leaving checkpoints behind, so the same point costs less the next time
    for moment in moments(records):
        assert resumed.as_of_time(moment) == upto_time(records, moment)
    for seq in range(len(records) + 1):
        assert resumed.as_of_event(seq) == upto_event(records, seq)
    assert resumed.seq_at_time(T0 - 10 * DAY) == 0
    assert resumed.occurred_of(records[-1].seq) == records[-1].occurred and resumed.occurred_of(999) is None


def test_backfill_makes_every_missing_checkpoint_and_answers_stay_the_same() -> None:
    records = late_log().records
    first, _ = timeline_over(records[:10], every=3)
    first.append(records[:10])
    full, _ = timeline_over(records, every=3)
    full.append(records)
    resumed = Timeline.from_snapshot(first.now.copy(), first.snapshot_index(), full._fetch, full._fetch_seqs, every=3)
    resumed.append(records[10:])
    resumed.backfill()
    assert resumed.complete and {n for n in full.checkpoints if n < 10} <= set(resumed.checkpoints)
    for seq in range(len(records) + 1):
        assert resumed.as_of_event(seq) == upto_event(records, seq)


def test_saved_checkpoints_let_a_fresh_start_travel_from_the_nearest_one() -> None:
    records = late_log().records
    full, _ = timeline_over(records, every=3)
    full.append(records)
    saved = {n: SavedCheckpoint.of(n, full.state_after(n)) for n in (4, 8)}
    restored, reads = timeline_over(records, every=3)
    resumed = Timeline.from_snapshot(full.now.copy(), full.snapshot_index(), restored._fetch, restored._fetch_seqs, every=3)
    resumed.saved = {n: (lambda n=n: msgspec.msgpack.decode(msgspec.msgpack.encode(saved[n]), type=SavedCheckpoint))
                     for n in saved}
    resumed.saved[6] = lambda: None  # gone since (another process thinned it out): folded instead
    reads.clear()
    assert resumed.state_after(10) == upto_event(records, records[9].seq)
    assert sum(reads) == 2  # from the checkpoint saved after 8 events, not from the first event
    for seq in range(len(records) + 1):
        assert resumed.as_of_event(seq) == upto_event(records, seq)
    for moment in moments(records):
        assert resumed.as_of_time(moment) == upto_time(records, moment)
    assert not resumed.saved  # each was loaded (or found gone) once


# Property: random command sequences through the real workbench -----------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plan=steps, data=st.data())
def test_as_of_equals_a_naive_replay_for_random_command_sequences(plan: list, data: st.DataObject) -> None:
    wb = seeded(items=8)
    try:
        play(wb, plan)
        records = list(wb.records())
        assert [r.seq for r in records] == list(range(1, len(records) + 1))
        # Now is a fresh full rebuild, and a second workbench on the store agrees.
        assert wb.now == fold(records)
        timeline, _ = timeline_over(records, every=3)
        timeline.append(records)
        assert timeline.now == wb.now
        event(f"events: {min(len(records) // 25 * 25, 75)}+")
        event(f"late events: {bool(timeline.late)}")
        for seq in data.draw(st.lists(st.integers(0, len(records)), min_size=1, max_size=8), label="seqs"):
            expected = upto_event(records, seq)
            assert timeline.as_of_event(seq) == expected
            assert wb.timeline.as_of_event(seq) == expected
            assert wb.view(f"#{seq}") == expected
        times = moments(records)
        for moment in data.draw(st.lists(st.sampled_from(times), min_size=1, max_size=8), label="times"):
            expected = upto_time(records, moment)
            assert timeline.as_of_time(moment) == expected
            assert wb.timeline.as_of_time(moment) == expected
        # Resuming from a snapshot taken part way gives the same answers.
        cut = data.draw(st.integers(0, len(records)), label="cut")
        partial, _ = timeline_over(records[:cut], every=3)
        partial.append(records[:cut])
        resumed = Timeline.from_snapshot(partial.now.copy(), partial.snapshot_index(), timeline._fetch,
                                         timeline._fetch_seqs, every=3)
        resumed.append(records[cut:])
        assert resumed.now == wb.now
        for moment in data.draw(st.lists(st.sampled_from(times), min_size=1, max_size=4), label="times after resume"):
            assert resumed.as_of_time(moment) == upto_time(records, moment)
    finally:
        wb.close()


def test_refused_commands_write_nothing() -> None:
    wb = seeded()
    try:
        before = wb.timeline.position
        for command in (lambda: wb.move_item("PM-1", "Done"), lambda: wb.add_item(""),
                        lambda: wb.add_item("x", kind="saga"), lambda: wb.close_sprint("S1")):
            try:
                command()
            except DomainError:
                pass
            else:  # pragma: no cover
                raise AssertionError("expected a refusal")
        assert wb.timeline.position == before == len(list(wb.records()))
    finally:
        wb.close()


def test_snapshot_index_round_trips_with_or_without_the_derived_arrays() -> None:
    records = late_log().records
    full, _ = timeline_over(records)
    full.append(records)
    index = full.snapshot_index()
    old_style = type(index)(index.seqs, index.occurred)  # written before running_max/late were kept
    for saved in (index, old_style):
        resumed = Timeline.from_snapshot(full.now.copy(), saved, full._fetch, full._fetch_seqs, every=3)
        assert list(resumed.running_max) == list(full.running_max) and resumed.late == full.late
        for moment in moments(records):
            assert resumed.as_of_time(moment) == upto_time(records, moment)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plan=steps, data=st.data())
def test_on_sqlite_random_commands_keep_the_store_intact_and_time_travel_exact(plan: list, data: st.DataObject) -> None:
    """The same property on a real SQLite file: a second workbench opened on the store after the
    commands (from the snapshot the first one saved) agrees with a naive replay, now and as of."""
    from pmtui.verify import verify

    with tempfile.TemporaryDirectory() as directory:
        db = f"{directory}/prop.db"
        wb = seeded(db, items=8)
        play(wb, plan)
        wb.close()
        reopened = Workbench(db=db, actor="ann")
        try:
            records = list(reopened.records())
            assert reopened.now == fold(records)
            assert verify(reopened.log).intact
            for seq in data.draw(st.lists(st.integers(0, len(records)), min_size=1, max_size=5), label="seqs"):
                assert reopened.view(f"#{seq}") == upto_event(records, seq)
            for moment in data.draw(st.lists(st.sampled_from(moments(records)), min_size=1, max_size=5), label="times"):
                assert reopened.timeline.as_of_time(moment) == upto_time(records, moment)
        finally:
            reopened.close()


def test_checkpoints_space_out_as_the_state_grows_and_restore_exactly() -> None:
    from projections.timeline import SPACING

    log = Log()
    log.product()
    for n in range(1, 121):
        item = log.item(n, f"Item {n}")
        log.add("WorkItem.Commented", item, {"text": f"c{n}"})
        log.change("WorkItem.Moved", item, status=["Backlog", "Done"], occurred=T0 - n)  # late, all of them
    records = log.records
    timeline, reads = timeline_over(records, every=4)
    timeline.append(records)
    marks = sorted(timeline.checkpoints)
    gaps = [b - a for a, b in zip(marks, marks[1:])]
    assert gaps[0] == 4 and max(gaps) >= 120 // SPACING  # sparser once there are many items
    for seq in range(0, len(records) + 1, 7):
        reads.clear()
        assert timeline.as_of_event(seq) == upto_event(records, seq)
        assert sum(reads) <= max(gaps)
    for moment in moments(records)[::5]:
        assert timeline.as_of_time(moment) == upto_time(records, moment)
    # Restoring a checkpoint gives a workspace of its own: changing it leaves the checkpoint alone.
    restored = timeline.state_after(marks[3])
    restored.comments.append(restored.comments[0])
    restored.keys["PM-999"] = "x"
    assert timeline.state_after(marks[3]) == upto_event(records, timeline.seqs[marks[3] - 1])
