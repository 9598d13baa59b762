"""A workspace at scale, for anyone who wants to try pmtui (and for the benchmarks): ``pmtui demo
--items N`` plays a product's life on in-memory aggregates and saves them in bulk, many aggregates
per transaction, so the log and its read model grow at tens of thousands of events a second."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from domain.base import attributed
from domain.board import Board
from domain.exceptions import DomainError
from domain.kpi import Kpi
from domain.objective import Objective
from domain.product import Product
from domain.rank import DIGITS, rank_between
from domain.sprint import Sprint
from domain.work_item import WorkItem
from pmtui.service import Workbench

ACTORS = ["ann", "bob", "cid", "dan", "eve", "fay"]
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
LABELS = ["ux", "api", "checkout", "search", "infra", "mobile", "legacy"]
LATE_SHARE = 0.01  # events recorded long after they occurred (imports)


class Clock:
    """Occurred times from ``start`` to ``end``. One bulk save writes its aggregates one after
    the other, so its events are not in time order among themselves: they all occur at the
    save's moment (``advance``), except a few that go back in time (history recorded late)."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime, total: int, per_save: int) -> None:
        self.rng, self.now, self.step = rng, start, (end - start) / max(total / per_save, 1)

    def advance(self) -> None:
        self.now += self.step

    def tick(self) -> datetime:
        if self.rng.random() < LATE_SHARE:
            return self.now - timedelta(days=self.rng.uniform(1, 60))
        return self.now


class Generator:
    """Plays a product's life on in-memory aggregates; ``flush`` saves everything changed since
    the last flush in one ``app.save`` call (one transaction of many aggregates)."""

    def __init__(self, wb: Workbench, rng: random.Random, clock: Clock) -> None:
        self.wb, self.app, self.rng, self.clock = wb, wb.app, rng, clock
        product_view = wb.product()
        self.product: Product = self.app.repository.get(UUID(product_view.id))
        self.board: Board = self.app.repository.get(UUID(wb.board().id))
        self.items: list[WorkItem] = []  # open items still being worked on
        self.dirty: dict[UUID, Any] = {}
        self.rank_number = product_view.last_number  # keys and bottom ranks count on from here
        self.kpis: list[Kpi] = []
        self.objective: Objective | None = None
        self.sprint: Sprint | None = None
        self.sprint_number = 0
        self.sprint_items: list[WorkItem] = []
        self.events = 0
        self.saving = 0.0  # seconds spent saving

    @contextmanager
    def by(self, reason: str = "") -> Iterator[None]:
        with attributed(self.rng.choice(ACTORS), reason, self.clock.tick()):
            yield
        self.events += 1

    def touch(self, aggregate: Any) -> None:
        self.dirty[aggregate.id] = aggregate

    def setup(self) -> None:
        with self.by():
            self.kpis = [Kpi.define(self.product.id, name, direction=d, warn=w, alarm=a)
                         for name, d, w, a in (("NPS", "higher", 30, 20), ("Churn", "lower", 3, 5),
                                               ("Conversion", "higher", 2.5, 2))]
        self.events += 2  # three Defined events in one attribution block
        with self.by():
            self.objective = Objective.create(self.product.id, "Delight buyers", "2026", number=1)
        for metric, target in (("NPS", 50), ("Conversion", 4)):
            with self.by():
                self.objective.add_key_result(metric, target, baseline=20 if metric == "NPS" else 2)
        for aggregate in (*self.kpis, self.objective):
            self.touch(aggregate)

    def new_item(self) -> None:
        self.rank_number += 1
        key = f"{self.product.key_prefix}-{self.rank_number}"
        rank = "i" + "".join(DIGITS[(self.rank_number // 36**p) % 36] for p in range(5, -1, -1)) + "i"
        with self.by():
            item = WorkItem.create(self.product.id, self.board.id, key, f"Item {key}", "Backlog", rank,
                                   kind=self.rng.choice(["story", "story", "story", "bug", "task"]),
                                   points=self.rng.choice([None, 1, 2, 3, 5, 8]),
                                   labels=self.rng.sample(LABELS, self.rng.randint(0, 2)))
        self.items.append(item)
        self.touch(self.product)
        self.touch(item)

    def work(self) -> None:
        """One random thing done to an open item."""
        item = self.rng.choice(self.items)
        roll = self.rng.random()
        with self.by("" if roll < 0.9 else "re-prioritised"), suppress(DomainError):  # e.g. the same labels again
            if roll < 0.35:
                target = COLUMNS[min(COLUMNS.index(item.status) + 1, len(COLUMNS) - 1)]
                if target == item.status:
                    item.comment("done and dusted")
                else:
                    item.move(target)
            elif roll < 0.55:
                item.comment(self.rng.choice(["looks good", "needs a test", "blocked on API", "LGTM", "ping"]))
            elif roll < 0.75:
                item.edit(points=self.rng.choice([1, 2, 3, 5, 8, 13]), assignee=self.rng.choice(ACTORS))
            elif roll < 0.85:
                item.rerank(rank_between(None, item.rank))
            elif roll < 0.93:
                item.edit(title=f"{item.title.split(' (')[0]} ({self.rng.randint(1, 999)})")
            else:
                item.edit(labels=self.rng.sample(LABELS, self.rng.randint(1, 3)))
        self.touch(item)
        if item.status == "Done" and self.rng.random() < 0.5:
            self.items.remove(item)  # finished work leaves the active set (the log keeps it)

    def measure(self) -> None:
        kpi = self.rng.choice(self.kpis)
        with self.by():
            kpi.measure(round(self.rng.uniform(0, 60), 1), source=self.rng.choice(["manual", "import"]))
        self.touch(kpi)

    def sprint_turn(self) -> None:
        """Close the running sprint (if any), plan and start the next with a few open items."""
        if self.sprint is not None and self.sprint.state == "active":
            with self.by():
                done = [i for i in self.sprint_items if i.status == "Done"]
                carried = [i for i in self.sprint_items if i.status != "Done"]
                self.sprint.close([str(i.id) for i in done], [str(i.id) for i in carried], None)
            self.touch(self.sprint)
            for item in carried:
                if not item.archived:
                    with self.by():
                        item.edit(sprint=None)
                    self.touch(item)
        self.sprint_number += 1
        with self.by():
            self.sprint = Sprint.plan(self.board.id, f"Sprint {self.sprint_number}", number=self.sprint_number)
        chosen = self.rng.sample(self.items, min(8, len(self.items)))
        self.sprint_items = chosen
        for item in chosen:
            if item.sprint != str(self.sprint.id):
                with self.by():
                    item.edit(sprint=str(self.sprint.id))
                self.touch(item)
        if chosen:
            with self.by():
                self.sprint.begin({str(i.id): i.points for i in chosen}, "2026-01-01", "2026-01-14")
        self.touch(self.sprint)

    def check_in(self) -> None:
        assert self.objective is not None
        with self.by():
            self.objective.check_in(self.rng.randint(1, 2), round(self.rng.uniform(2, 50), 1), 0.6, "weekly")
        self.touch(self.objective)

    def step(self) -> None:
        roll = self.rng.random()
        if not self.items or roll < 0.10:
            self.new_item()
        elif roll < 0.105:
            self.sprint_turn()
        elif roll < 0.115:
            self.check_in()
        elif roll < 0.14:
            self.measure()
        else:
            self.work()

    def flush(self) -> int:
        if not self.dirty:
            return 0
        aggregates = list(self.dirty.values())
        self.dirty.clear()
        before = sum(len(a.pending_events) for a in aggregates)
        started = time.perf_counter()
        self.app.save(*aggregates)
        self.saving += time.perf_counter() - started
        return before


def generate_at_scale(wb: Workbench, items: int, seed: int = 7, days: int = 365, per_save: int = 2000,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """A workspace of about ``items`` work items with a year of history (about ten events an
    item: moves, edits, comments, ranks, sprints every ~200 steps, OKR check-ins, KPI
    measurements, 1 % recorded late), saved in bulk. Returns the events written."""
    rng = random.Random(seed)
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=days)
    with wb.recorded_as("demo", start - timedelta(days=1)):
        wb.init_product("Scale", "SC")
    total = items * 10
    clock = Clock(rng, start, end, total, per_save)
    gen = Generator(wb, rng, clock)
    gen.setup()
    written = 0
    while gen.rank_number < items:
        started = gen.events  # counts commands (a refused one counts too): close enough to size a save
        while gen.events - started < per_save and gen.rank_number < items:
            gen.step()
        written += gen.flush()
        clock.advance()
        if progress is not None:
            progress(min(gen.rank_number, items), items)
    written += gen.flush()
    wb.refresh()
    return written
