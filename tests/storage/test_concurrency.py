"""Several OS processes racing on the same store: no lost update, nothing half-written."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from concurrent.futures import ProcessPoolExecutor

import pytest

from pmtui.service.workbench import Workbench
from pmtui.store.verify import verify
from tests.views import views_of
from projections.state import fold
from tests.storage import workers

PROCESSES = 4
pytestmark = pytest.mark.slow


def pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("spawn"))


def race(work: Callable[..., dict[str, Any]], store: str, *per_worker: list[Any]) -> list[dict[str, Any]]:
    """``work(store, worker, *its arguments, start_at)`` in PROCESSES processes, which open the store
    first and then start together; each list of ``per_worker`` holds one argument per worker."""
    start_at = time.time() + 3
    with pool() as executor:
        return list(executor.map(work, [store] * PROCESSES, range(PROCESSES), *per_worker, [start_at] * PROCESSES))


def check_store(db: str) -> Workbench:
    """The store after the race: a fresh rebuild equals the read model, the chain holds."""
    wb = Workbench(db=db, actor="checker")
    records = list(wb.records())
    assert [r.seq for r in records] == sorted({r.seq for r in records})
    assert views_of(wb.now) == views_of(fold(records))
    if wb.location.kind != "memory":
        verdict = verify(wb.log)
        assert verdict.intact, verdict.problem
    return wb


def test_racing_adds_lose_nothing_and_never_share_a_key(store: str) -> None:
    per_worker = 15
    setup = Workbench(db=store, actor="ann")
    setup.init_product("Shop", "PM")
    setup.close()
    results = race(workers.add_items, store, [per_worker] * PROCESSES)
    keys = [k for r in results for k in r["keys"]]
    assert len(keys) == len(set(keys)) == PROCESSES * per_worker
    wb = check_store(store)
    try:
        assert sorted(wb.now.keys) == sorted(keys)
        assert wb.product().last_number == PROCESSES * per_worker  # no key allocated without its item
        titles = Counter(i.title for i in wb.now.items.values())
        assert titles == Counter(f"w{w}-{n}" for w in range(PROCESSES) for n in range(per_worker))
        by_actor = Counter(i.created_by for i in wb.now.items.values())
        assert by_actor == {f"worker{w}": per_worker for w in range(PROCESSES)}
    finally:
        wb.close()


def test_racing_notes_and_documents_never_share_a_number(store: str) -> None:
    per_worker = 12
    setup = Workbench(db=store, actor="ann")
    setup.init_product("Shop", "PM")
    setup.close()
    results = race(workers.add_notes_and_documents, store, [per_worker] * PROCESSES)
    refs = [r for result in results for r in result["refs"]]
    notes = sorted(int(r.removeprefix("FB-")) for r in refs if r.startswith("FB-"))
    assert notes == list(range(1, PROCESSES * per_worker + 1))  # unique, and no number skipped
    wb = check_store(store)
    try:
        assert {n.text for n in wb.now.notes.values()} == {f"w{w}-{n}" for w in range(PROCESSES)
                                                             for n in range(per_worker)}
        documents = sorted(d.number for d in wb.now.documents.values())
        assert documents == list(range(1, PROCESSES + 1))
    finally:
        wb.close()


def test_racing_edits_and_moves_of_one_item_are_all_in_its_history(store: str) -> None:
    rounds = 12
    setup = Workbench(db=store, actor="ann")
    setup.init_product("Shop", "PM")
    key = setup.add_item("Shared")
    setup.close()
    results = race(workers.edit_and_move, store, [key] * PROCESSES, [rounds] * PROCESSES)
    wb = check_store(store)
    try:
        item = wb.item(key)
        history = wb.records_of(item.id)
        edited = [r.data["changes"]["title"][1] for r in history if r.name == "WorkItem.Edited"]
        moved = [r for r in history if r.name == "WorkItem.Moved"]
        written = [t for r in results for t in r["titles"]]
        assert sorted(edited) == sorted(written)  # every edit that returned is there, once
        assert len(moved) == sum(r["moves"] for r in results)
        assert [r.version for r in history] == list(range(1, len(history) + 1))
        # Each change's "old" value is the previous change's "new" one: no write was based on a stale read.
        titles = ["Shared", *edited]
        chain = [r.data["changes"]["title"] for r in history if r.name == "WorkItem.Edited"]
        assert [old for old, _ in chain] == titles[:-1]
        assert item.title == titles[-1]
        assert len(written) >= PROCESSES * rounds * 0.9, results  # conflicts are rare, and reported when they happen
    finally:
        wb.close()


def test_racing_moves_of_different_cards_never_overfill_a_hard_wip_limit(store: str) -> None:
    setup = Workbench(db=store, actor="ann")
    setup.init_product("Shop", "PM")
    setup.set_wip_limit("In progress", 3, hard=True)
    keys = [setup.add_item(f"Card {n}") for n in range(PROCESSES * 3)]
    setup.close()
    shares = [keys[n::PROCESSES] for n in range(PROCESSES)]
    results = race(workers.move_into_full_column, store, shares, ["In progress"] * PROCESSES)
    moved = [k for r in results for k in r["moved"]]
    assert len(moved) == 3 and sum(len(r["refused"]) for r in results) == len(keys) - 3
    wb = check_store(store)
    try:
        assert sorted(i.key for i in wb.now.items.values() if i.status == "In progress") == sorted(moved)
    finally:
        wb.close()
