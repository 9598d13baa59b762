"""The hash chain finds every kind of tampering with the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

import pmtui.service.workbench as service
from pmtui.store.chain import ChainError
from pmtui.store import readmodel
from pmtui.service.workbench import Workbench
from pmtui.service.application import open_application
from pmtui.store.storage import EventLog, locate
from pmtui.store.verify import Verdict, check_read_model, parse_expect, verify
from tests.audit.conftest import RawStore, sqlite_store

# The story every store starts with (event numbers in brackets):
#   product [1] and its board [2]; item AU-1: key [3], created [4], retitled [5];
#   item AU-2: key [6], created [7]; AU-1 moved [8]; AU-2 retitled [9].
EVENTS = 9


def build(store: RawStore) -> None:
    wb = store.workbench()
    try:
        wb.init_product("Audit", "AU")  # 1 product, 2 board
        wb.add_item("Write the spec")  # 3
        wb.comment("AU-1", "a first draft is in the wiki")  # 4
        wb.edit_item("AU-1", title="Write the full spec")  # 5
        wb.add_item("Review it")  # 6
        wb.comment("AU-2", "after the spec")  # 7
        wb.move_item("AU-1", "To do")  # 8
        wb.edit_item("AU-2", title="Review the spec")  # 9
    finally:
        wb.close()


def check(store: RawStore, expect: tuple[int, str] | None = None) -> Verdict:
    location = locate(store.url)
    app = open_application(location)
    log = EventLog(app, location)
    try:
        return verify(log, expect)
    finally:
        log.close()
        app.close()


@pytest.fixture
def built(raw_store: RawStore) -> RawStore:
    build(raw_store)
    return raw_store


def test_an_untouched_store_verifies_and_counts_its_events(built: RawStore) -> None:
    verdict = check(built)
    assert verdict.intact
    assert verdict.checked == EVENTS and verdict.head_seq == EVENTS
    assert len(verdict.head_hash) == 64


def _edit_state(store: RawStore) -> None:
    state = json.loads(bytes(store.sql("SELECT state FROM {events} WHERE {seq} = 5")[0][0]))
    state["changes"]["title"][1] = "Write a shorter spec"
    store.sql("UPDATE {events} SET state = ? WHERE {seq} = 5", (json.dumps(state).encode(),))


def _edit_topic(store: RawStore) -> None:
    store.sql("UPDATE {events} SET topic = 'domain.work_item:WorkItem.Ranked' WHERE {seq} = 5")


def _swap(store: RawStore) -> None:
    # Swap the numbers of AU-1's retitle [5] and move [8]: the log now tells them in the other order.
    for old, new in ((5, 1000), (8, 5), (1000, 8)):
        store.sql("UPDATE {events} SET {seq} = ? WHERE {seq} = ?", (new, old))


def _swap_across_aggregates(store: RawStore) -> None:
    # Swap AU-1's move [8] with AU-2's retitle [9]: each aggregate's own order still holds.
    for old, new in ((8, 1000), (9, 8), (1000, 9)):
        store.sql("UPDATE {events} SET {seq} = ? WHERE {seq} = ?", (new, old))


TAMPERING: dict[str, tuple[Callable[[RawStore], None], int, str]] = {
    "edited state": (_edit_state, 5, "does not match its chain link"),
    "edited topic": (_edit_topic, 5, "does not match its chain link"),
    "state set to NULL": (lambda s: s.sql("UPDATE {events} SET state = NULL WHERE {seq} = 5"), 5,
                          "does not match its chain link"),
    "topic set to NULL": (lambda s: s.sql("UPDATE {events} SET topic = NULL WHERE {seq} = 5"), 5,
                          "does not match its chain link"),
    "removed event": (lambda s: s.sql("DELETE FROM {events} WHERE {seq} = 5"), 5, "event #5 is missing"),
    "removed last event": (lambda s: s.sql("DELETE FROM {events} WHERE {seq} = 9"), 9, "event #9 is missing"),
    "removed event and its link": (
        lambda s: (s.sql("DELETE FROM {events} WHERE {seq} = 5"), s.sql("DELETE FROM {chain} WHERE seq = 5")),
        6, "does not match its chain link"),  # #6 was chained onto the removed link
    "reordered within an aggregate": (_swap, 5, "out of place"),
    "reordered across aggregates": (_swap_across_aggregates, 8, "does not match its chain link"),
    "renumbered into a gap": (lambda s: s.sql("UPDATE {events} SET {seq} = 50 WHERE {seq} = 5"), 5, "missing"),
    "inserted event": (
        lambda s: s.sql("INSERT INTO {events} (originator_id, originator_version, topic, state) "
                        "SELECT originator_id, originator_version + 1, topic, state FROM {events} WHERE {seq} = 9"),
        10, "has no chain link"),
    "removed link": (lambda s: s.sql("DELETE FROM {chain} WHERE seq = 5"), 5, "has no chain link"),
    "extra link": (lambda s: s.sql("INSERT INTO {chain} (seq, hash) VALUES (20, ?)", ("ab" * 32,)), 20,
                   "event #20 is missing"),
    "edited link": (lambda s: s.sql("UPDATE {chain} SET hash = ? WHERE seq = 5", ("cd" * 32,)), 5,
                    "does not match its chain link"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_found_at_the_first_broken_link(built: RawStore, how: str) -> None:
    tamper, broken_at, words = TAMPERING[how]
    tamper(built)
    verdict = check(built)
    assert not verdict.intact
    assert verdict.broken_at == broken_at, verdict.problem
    assert words in verdict.problem
    intact_before = {"removed event and its link": 4, "extra link": EVENTS}.get(how, broken_at - 1)
    assert verdict.checked == intact_before


def test_the_earliest_damage_is_the_one_named(built: RawStore) -> None:
    # Edits and removals together: the earliest damage is the one named.
    _edit_state(built)
    built.sql("DELETE FROM {events} WHERE {seq} = 8")
    assert check(built).broken_at == 5


def test_cutting_off_the_end_with_its_links_needs_a_remembered_head(built: RawStore) -> None:
    head = check(built)
    built.sql("DELETE FROM {events} WHERE {seq} = 9")
    built.sql("DELETE FROM {chain} WHERE seq = 9")
    # A chain cannot know its own end: the shortened log is consistent in itself...
    assert check(built).intact
    # ...but the head a past verify printed is gone.
    verdict = check(built, (head.head_seq, head.head_hash))
    assert not verdict.intact and verdict.broken_at == 9 and "no link #9" in verdict.problem


def test_a_rewritten_log_does_not_hold_the_remembered_head(built: RawStore) -> None:
    head = check(built)
    wrong = ("0" if head.head_hash[0] != "0" else "1") + head.head_hash[1:]
    verdict = check(built, (head.head_seq, wrong))
    assert verdict.broken_at == head.head_seq and "not the expected" in verdict.problem


def test_a_remembered_head_still_holds_after_later_changes(built: RawStore) -> None:
    head = check(built)
    wb = built.workbench()
    wb.comment("AU-1", "looks good")
    wb.close()
    verdict = check(built, (head.head_seq, head.head_hash))
    assert verdict.intact and verdict.checked == EVENTS + 1


def test_writing_after_the_last_event_was_removed_is_refused_with_a_pointer_to_verify(tmp_path: Path) -> None:
    # SQLite would give the next event the removed one's number; PostgreSQL never reuses a number
    # (its next event is #10 and the chain simply goes on, leaving #9 to verify).
    store = sqlite_store(str(tmp_path / "store.db"))
    build(store)
    store.sql("DELETE FROM {events} WHERE {seq} = 9")
    wb = store.workbench()
    try:
        with pytest.raises(ChainError, match="pmtui verify"):
            wb.comment("AU-1", "this would take number 9 again")
    finally:
        wb.close()
    assert store.sql("SELECT COUNT(*) FROM {events}")[0][0] == EVENTS - 1


def test_expect_option_reads_what_verify_prints() -> None:
    assert parse_expect("#12:" + "a" * 64) == (12, "a" * 64)
    assert parse_expect("12:" + "B" * 64) == (12, "b" * 64)
    with pytest.raises(Exception, match="SEQ:HASH"):
        parse_expect("12")


def test_a_store_older_than_the_chain_is_reported_as_unvouched_and_chained_from_then_on(built: RawStore) -> None:
    built.sql("DELETE FROM {chain}")  # what a store written before pmtui kept a chain looks like
    verdict = check(built)
    assert not verdict.intact and verdict.unchained == EVENTS and verdict.broken_at == 1
    assert "written before this store kept a hash chain" in verdict.problem
    wb = built.workbench()
    wb.comment("AU-1", "written with the chain")
    wb.close()
    verdict = check(built)
    assert verdict.unchained == EVENTS and verdict.checked == 1  # the new event is chained, from nothing


def test_deleting_the_first_links_is_not_mistaken_for_an_old_store(built: RawStore) -> None:
    built.sql("DELETE FROM {chain} WHERE seq <= 2")
    verdict = check(built)
    assert verdict.broken_at == 1 and verdict.unchained == 0
    assert "#3 was chained onto earlier links" in verdict.problem


def test_a_changed_read_model_row_is_found(built: RawStore) -> None:
    # Every query reads the read model's tables; a forged row would show a board the log never held.
    location = locate(built.url)
    app = open_application(location)
    log = EventLog(app, location)
    try:
        assert check_read_model(log) is None
        built.sql("UPDATE {versions} SET body = body || body WHERE tbl = 'items' AND key = 'AU-1'")
        problem = check_read_model(log)
        assert problem is not None and "view row items" in problem and "pmtui rebuild" in problem
        assert check(built).intact  # the log itself is fine: only the derived tables lie
        readmodel.rebuild(log)
        assert check_read_model(log) is None
    finally:
        log.close()
        app.close()


def test_a_read_model_behind_or_ahead_of_its_log_is_found(built: RawStore) -> None:
    location = locate(built.url)
    app = open_application(location)
    log = EventLog(app, location)
    try:
        built.sql("UPDATE {meta} SET value = value + 5 WHERE name = 'position'")
        problem = check_read_model(log)
        assert problem is not None and "folded to #" in problem
    finally:
        log.close()
        app.close()
