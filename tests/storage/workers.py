"""Code run in separate OS processes by the concurrency and crash tests (spawned, so each has its
own interpreter, connections and clock). Results go back as plain data."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from domain.exceptions import NothingChangedError, WipLimitExceededError
from pmtui.errors import ConflictError
from pmtui.service.workbench import Workbench

T = TypeVar("T")


def _wait(start_at: float) -> None:
    # All workers open their store first, then start together, to make the race real.
    time.sleep(max(0.0, start_at - time.time()))


def until_saved(action: Callable[[], T]) -> tuple[T, int]:
    """``action`` again each time it loses a race (a ConflictError: the bounded retries all lost), as
    a user retries; its result and how many conflicts it took."""
    conflicts = 0
    while True:
        try:
            return action(), conflicts
        except ConflictError:
            conflicts += 1


def add_items(db: str, worker: int, count: int, start_at: float) -> dict[str, Any]:
    """Add ``count`` items; a ConflictError (the bounded retries all lost) is retried like a user would."""
    wb = Workbench(db=db, actor=f"worker{worker}")
    _wait(start_at)
    keys, conflicts = [], 0
    try:
        for n in range(count):
            key, lost = until_saved(lambda: wb.add_item(f"w{worker}-{n}"))
            keys.append(key)
            conflicts += lost
    finally:
        wb.close()
    return {"keys": keys, "conflicts": conflicts}


def add_notes_and_documents(db: str, worker: int, count: int, start_at: float) -> dict[str, Any]:
    """Add ``count`` feedback notes and one document, retrying a lost race as a user would."""
    wb = Workbench(db=db, actor=f"worker{worker}")
    _wait(start_at)
    refs: list[str] = []
    try:
        for n in range(count):
            refs.append(until_saved(lambda: wb.add_note(f"w{worker}-{n}", customer=f"c{worker}"))[0])
        refs.append(until_saved(lambda: wb.add_document(f"Spec of w{worker}", "spec", text="x"))[0])
    finally:
        wb.close()
    return {"refs": refs}


def edit_and_move(db: str, worker: int, key: str, count: int, start_at: float) -> dict[str, Any]:
    """Edit one shared item ``count`` times with titles only this worker writes, and move it."""
    wb = Workbench(db=db, actor=f"worker{worker}")
    _wait(start_at)
    titles, moves, conflicts = [], 0, 0
    columns = ["To do", "In progress", "Done"]
    try:
        for n in range(count):
            title = f"w{worker}-edit{n}"
            try:
                wb.edit_item(key, title=title)
                titles.append(title)
            except ConflictError:
                conflicts += 1
            try:
                # Moving to where it already is refuses (nothing to change): pick another column.
                current = wb.now.item_by_key(key).status  # type: ignore[union-attr]
                wb.move_item(key, next(c for c in columns[(worker + n) % 3:] + columns if c != current))
                moves += 1
            except ConflictError:
                conflicts += 1
            except NothingChangedError:  # another worker moved it there meanwhile: refused, fine
                pass
    finally:
        wb.close()
    return {"titles": titles, "moves": moves, "conflicts": conflicts}


def move_into_full_column(db: str, worker: int, keys: list[str], column: str, start_at: float) -> dict[str, Any]:
    """Move each of these cards (no other worker's) into ``column``; report which got in."""
    wb = Workbench(db=db, actor=f"worker{worker}")
    wb.board_index  # noqa: B018 - built before the race, as in a TUI session that moved cards before
    _wait(start_at)
    moved, refused = [], []
    try:
        for key in keys:
            try:
                wb.move_item(key, column)
                moved.append(key)
            except WipLimitExceededError:
                refused.append(key)
    finally:
        wb.close()
    return {"moved": moved, "refused": refused}


def write_forever(db: str, batch: int) -> None:
    """Write until killed: single commands and big multi-event saves, announcing each commit on
    stdout only after it returned (so the parent knows what must survive)."""
    wb = Workbench(db=db, actor="writer")
    if wb.now.product is None:
        wb.init_product("Shop", "PM")
    print("ready", flush=True)
    n = 0
    while True:
        key = wb.add_item(f"crash {n}", points=n % 5)
        print(f"item {key}", flush=True)
        item = wb.app.repository.get(__import__("uuid").UUID(wb.item(key).id))
        for c in range(batch):
            item.comment(f"bulk {n}.{c}")
        wb.app.save(item)  # one transaction of `batch` events
        print(f"batch {key} {batch}", flush=True)
        n += 1


if __name__ == "__main__":
    write_forever(sys.argv[1], int(sys.argv[2]))
