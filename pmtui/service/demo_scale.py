"""A workspace at scale, for anyone who wants to try pmtui (and for the benchmarks): ``pmtui demo
--items N`` plays a product's life on in-memory aggregates and saves them in bulk, many aggregates
per transaction, so the log and its read model grow at tens of thousands of events a second."""

from __future__ import annotations

import gc
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import msgspec

from domain.base import attributed
from domain.board import Board
from domain.exceptions import DomainError
from domain.kpi import Kpi
from domain.objective import Objective, confidence, number
from domain.product import Product
from domain.rank import DIGITS, rank_between
from domain.sprint import Sprint
from domain.work_item import EDITABLE, WorkItem, check_field
from pmtui.errors import UserError
from pmtui.service.demo_titles import item_title, reworded
from pmtui.service.workbench import Workbench
from pmtui.store.chain_links import CHAIN_TABLE, GENESIS, Row, chain_links
from pmtui.store.storage import MsgspecMapper
from projections.records import CLASS_VERSIONS, EventRecord, event_name

ACTORS = ["ann", "bob", "cid", "dan", "eve", "fay"]
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
LABELS = ["ux", "api", "checkout", "search", "infra", "mobile", "legacy"]
LATE_SHARE = 0.01  # events recorded long after they occurred (imports)


class Clock:
    """Occurred times from ``start`` to ``end``. One bulk save writes its aggregates one after
    the other, so its events are not in time order among themselves: they all occur at the
    save's moment (``advance``), except a few that go back in time (history recorded late)."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime, items: int) -> None:
        self.rng, self.now, self.start, self.end = rng, start, start, end
        # A sprint turns every ~200 steps, ~20 new items: its dates span that much of the year.
        self.sprint_length = (end - start) * 20 / max(items, 1)

    def done(self) -> float:
        """The share of the history made so far (a check-in's progress towards its target)."""
        return (self.now - self.start) / (self.end - self.start)

    def sprint_dates(self) -> tuple[str, str]:
        return self.now.date().isoformat(), (self.now + self.sprint_length).date().isoformat()

    def check_in_value(self, key_result: dict[str, Any], noise: float) -> float:
        """A key result's value as the year goes: from its baseline towards its target, with noise."""
        baseline, target = key_result.get("baseline", 0.0), key_result["target"]
        return round(baseline + (target - baseline) * self.done() * noise, 1)

    def advance(self, done: float) -> None:
        """Time moves with the share of the items made so far: the history ends at ``end`` (now),
        however many events an item turns out to have (at a fixed step per save, the ~8 % more
        events than planned ran a month into the future)."""
        self.now = self.start + (self.end - self.start) * min(done, 1.0)

    def tick(self) -> datetime:
        if self.rng.random() < LATE_SHARE:
            return self.now - timedelta(days=self.rng.uniform(1, 60))
        return self.now


class WorkMix:
    """The mix of a year's work, the same whichever way the events are written: a new item one
    step in ten, a sprint turn every ~200 steps, check-ins, measurements, and work on items.
    Each generator makes the steps themselves (new_item, sprint_turn, check_in, measure, work)."""

    rng: random.Random
    items: list[Any]

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


class Generator(WorkMix):
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
        kind = self.rng.choice(["story", "story", "story", "bug", "task"])
        with self.by():
            item = WorkItem.create(self.product.id, self.board.id, key, item_title(self.rank_number, kind), "Backlog",
                                   rank, kind=kind,
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
                item.edit(title=reworded(item.title, self.rng.randint(1, 999)))
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
                self.sprint.begin({str(i.id): i.points for i in chosen}, *self.clock.sprint_dates())
        self.touch(self.sprint)

    def check_in(self) -> None:
        assert self.objective is not None
        with self.by():
            index = self.rng.randint(1, 2)
            value = self.clock.check_in_value(self.objective.key_results[index - 1], self.rng.uniform(0.6, 1.1))
            self.objective.check_in(index, value, 0.6, "weekly")
        self.touch(self.objective)


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
    measurements, 1 % recorded late), saved in bulk. Returns the events written. A SQLite store
    gets the events written in their stored form (``generate_stored``); others through the
    aggregates, many per save."""
    if wb.log.location.kind == "sqlite":
        return generate_stored(wb, items, seed, days, per_save, progress)
    rng = random.Random(seed)
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=days)
    with wb.recorded_as("demo", start - timedelta(days=1)):
        wb.init_product("Scale", "SC")
    clock = Clock(rng, start, end, items)
    gen = Generator(wb, rng, clock)
    gen.setup()
    written = 0
    while gen.rank_number < items:
        started = gen.events  # counts commands (a refused one counts too): close enough to size a save
        while gen.events - started < per_save and gen.rank_number < items:
            gen.step()
        written += gen.flush()
        clock.advance(gen.rank_number / items)
        if progress is not None:
            progress(min(gen.rank_number, items), items)
    written += gen.flush()
    wb.refresh()
    return written


# Writing the stored events directly --------------------------------------------------------------
# Through the aggregates every event costs a command (~90 us: the event object, its mutation, the
# save and the projection of its transaction). A demo of a million events instead writes each
# event in the stored form the app writes (the same mapper encoding, topics and class versions,
# learnt from one real event of each kind), chains them, and folds the read model once at the end
# with the rebuild's bulk fold. tests/cli/test_demo_scale.py holds the result to the service's.

_json = msgspec.json.Encoder().encode
# What projections.records.decode_rows takes out of a stored state into the record's own fields.
_NOT_DATA = ("timestamp", "originator_topic", "actor", "reason", "occurred")
# An event as the fold sees it, less its number: EventRecord's fields after ``seq``.
Made = tuple[str, str, int, float, float, str, str, dict[str, Any]]


class Templates:
    """The stored state of each kind of event the demo writes, as the domain makes it: one real
    event of each kind, made by the aggregates and mapped by the app's mapper. A generated event
    is a copy with its values replaced, so it has the same fields in the same order; a value
    for a field the template lacks is refused (the domain changed, and the demo must follow)."""

    def __init__(self, mapper: MsgspecMapper) -> None:
        self.topics: dict[str, str] = {}
        self.states: dict[str, dict[str, Any]] = {}
        with attributed("demo", "", datetime(2026, 1, 1, tzinfo=timezone.utc)):
            product_id, board_id = uuid4(), uuid4()
            item = WorkItem.create(product_id, board_id, "SC-1", "Item SC-1", "Backlog", "i0i", points=1)
            item.move("To do")
            item.comment("looks good")
            item.edit(points=2)
            item.rerank("h")
            kpi = Kpi.define(product_id, "NPS")
            kpi.measure(1.0, source="manual")
            objective = Objective.create(product_id, "Delight", "2026", number=1)
            objective.add_key_result("NPS", 50, baseline=20)
            objective.check_in(1, 30, 0.6, "weekly")
            sprint = Sprint.plan(board_id, "Sprint 1", number=1)
            sprint.begin({str(item.id): 2}, "2026-01-01", "2026-01-14")
            sprint.close([], [str(item.id)], None)
        for aggregate in (item, kpi, objective, sprint):
            for domain_event in aggregate.collect_events():
                stored = mapper.to_stored_event(domain_event)
                name = event_name(stored.topic)
                self.topics[name] = stored.topic
                self.states[name] = msgspec.json.decode(stored.state)

    def state(self, name: str, values: dict[str, Any]) -> dict[str, Any]:
        state = self.states[name].copy()
        if not values.keys() <= state.keys():
            unknown = values.keys() - state.keys()
            raise KeyError(f"{name} has no field {', '.join(sorted(unknown))} (the domain changed?)")
        state.update(values)  # existing keys keep their place
        return state


class Stream:
    """One aggregate as the generator writes it: its id (UUID text and the stored hex) and version."""

    __slots__ = ("id", "hex", "version")

    def __init__(self, aggregate_id: UUID, version: int = 0) -> None:
        self.id, self.hex, self.version = str(aggregate_id), aggregate_id.hex, version


class Card(Stream):
    """A work item's fields the demo's commands read and change."""

    __slots__ = ("key", "status", "points", "assignee", "title", "labels", "rank", "sprint")


class StoredGenerator(WorkMix):
    """``Generator``'s product life (same mix of commands, same rules: an edit that changes
    nothing writes nothing), written as stored events: ``rows`` collects (originator hex, version,
    topic, state) in log order."""

    def __init__(self, wb: Workbench, rng: random.Random, clock: Clock, kpis: list[Kpi], objective: Objective) -> None:
        self.rng, self.clock = rng, clock
        self.templates = Templates(wb.app.mapper)
        product = wb.product()
        self.product_id, self.board_id, self.prefix = product.id, wb.board().id, product.key_prefix
        self.rank_number = product.last_number
        self.kpis = [Stream(k.id, k.version) for k in kpis]
        self.objective = Stream(objective.id, objective.version)
        self.key_results: list[dict[str, Any]] = [dict(kr) for kr in objective.key_results]
        self.items: list[Card] = []
        self.sprint: Stream | None = None
        self.sprint_state = ""
        self.sprint_number = 0
        self.sprint_items: list[Card] = []
        self.rows: list[tuple[str, int, str, bytes]] = []
        # The fold's view of each row (``Made``), from the values the generator holds: what
        # decoding the row's JSON again would give (a test holds the two equal).
        self.made: list[Made] = []
        self.events = 0  # commands tried (a refused one counts too), as Generator counts them

    def emit(self, stream: Stream, event: str, reason: str = "", /, **values: Any) -> None:
        self.events += 1
        state = self.templates.state(event, values)
        state["timestamp"] = recorded = datetime.now(timezone.utc)
        state["actor"] = actor = self.rng.choice(ACTORS)
        state["reason"] = reason
        state["occurred"] = occurred = self.clock.tick()
        stream.version += 1
        topic = self.templates.topics[event]
        self.rows.append((stream.hex, stream.version, topic, _json(state)))
        # The record's data is the state less what decode_rows takes out of it (the same keys in
        # the same order). Its values are the generator's own: none is changed after this (edits
        # replace a card's fields, never change them in place; the fold's handlers copy).
        for name in _NOT_DATA:
            state.pop(name, None)
        if topic in CLASS_VERSIONS:  # upcast() takes the class version out (no older version is made)
            del state["class_version"]
        self.made.append((event, stream.id, stream.version, recorded.timestamp(), occurred.timestamp(), actor,
                          reason, state))

    def edit(self, item: Card, reason: str = "", **values: Any) -> None:
        """WorkItem.edit: the changed fields as [old, new], checked as the domain checks them."""
        changes = {}
        for name, value in values.items():
            value = check_field(name, value)
            if getattr(item, name) != value:
                changes[name] = [getattr(item, name), value]
        if not changes:
            self.events += 1  # refused: nothing changed
            return
        self.emit(item, "WorkItem.Edited", reason, changes=changes)
        for name, (_, new) in changes.items():
            setattr(item, name, new)

    def new_item(self) -> None:
        self.rank_number += 1
        key = f"{self.prefix}-{self.rank_number}"
        rank = "i" + "".join(DIGITS[(self.rank_number // 36**p) % 36] for p in range(5, -1, -1)) + "i"
        kind = self.rng.choice(["story", "story", "story", "bug", "task"])
        values = {"points": self.rng.choice([None, 1, 2, 3, 5, 8]), "labels": self.rng.sample(LABELS, self.rng.randint(0, 2))}
        fields = {name: check_field(name, values.get(name)) for name in EDITABLE if name not in ("kind", "title")}
        item = Card(WorkItem.create_id(self.product_id, key))
        item.key, item.status, item.rank = key, "Backlog", rank
        item.title = check_field("title", item_title(self.rank_number, kind))
        item.points, item.labels, item.assignee, item.sprint = fields["points"], fields["labels"], None, None
        self.emit(item, "WorkItem.Created", product_id=self.product_id, board_id=self.board_id, key=key,
                  kind=check_field("kind", kind), title=item.title, status="Backlog", rank=rank, fields=fields)
        self.items.append(item)

    def work(self) -> None:
        item = self.rng.choice(self.items)
        roll = self.rng.random()
        reason = "" if roll < 0.9 else "re-prioritised"
        if roll < 0.35:
            target = COLUMNS[min(COLUMNS.index(item.status) + 1, len(COLUMNS) - 1)]
            if target == item.status:
                self.emit(item, "WorkItem.Commented", reason, text="done and dusted")
            else:
                self.emit(item, "WorkItem.Moved", reason, changes={"status": [item.status, target]})
                item.status = target
        elif roll < 0.55:
            self.emit(item, "WorkItem.Commented", reason,
                      text=self.rng.choice(["looks good", "needs a test", "blocked on API", "LGTM", "ping"]))
        elif roll < 0.75:
            self.edit(item, reason, points=self.rng.choice([1, 2, 3, 5, 8, 13]), assignee=self.rng.choice(ACTORS))
        elif roll < 0.85:
            rank = rank_between(None, item.rank)
            if rank == item.rank:
                self.events += 1
            else:
                self.emit(item, "WorkItem.Ranked", reason, changes={"rank": [item.rank, rank]})
                item.rank = rank
        elif roll < 0.93:
            self.edit(item, reason, title=reworded(item.title, self.rng.randint(1, 999)))
        else:
            self.edit(item, reason, labels=self.rng.sample(LABELS, self.rng.randint(1, 3)))
        if item.status == "Done" and self.rng.random() < 0.5:
            self.items.remove(item)  # finished work leaves the active set (the log keeps it)

    def measure(self) -> None:
        kpi = self.rng.choice(self.kpis)
        self.emit(kpi, "Kpi.Measured", value=number(round(self.rng.uniform(0, 60), 1), "value"),
                  source=self.rng.choice(["manual", "import"]))

    def sprint_turn(self) -> None:
        if self.sprint is not None and self.sprint_state == "active":
            done = [i for i in self.sprint_items if i.status == "Done"]
            carried = [i for i in self.sprint_items if i.status != "Done"]
            self.emit(self.sprint, "Sprint.Closed", done=[i.id for i in done], carried=[i.id for i in carried],
                      carried_to=None)
            self.sprint_state = "closed"
            for item in carried:
                self.edit(item, sprint=None)
        self.sprint_number += 1
        name = f"Sprint {self.sprint_number}"
        self.sprint = Stream(Sprint.create_id(self.board_id, name))
        self.sprint_state = "planned"
        self.emit(self.sprint, "Sprint.Planned", board_id=self.board_id, name=name, goal="", start=None, end=None,
                  number=self.sprint_number)
        chosen = self.rng.sample(self.items, min(8, len(self.items)))
        self.sprint_items = chosen
        for item in chosen:
            self.edit(item, sprint=self.sprint.id)
        if chosen:
            start, end = self.clock.sprint_dates()
            self.emit(self.sprint, "Sprint.Started", committed={i.id: i.points for i in chosen}, start=start, end=end)
            self.sprint_state = "active"

    def check_in(self) -> None:
        index = self.rng.randint(1, 2)
        kr = dict(self.key_results[index - 1])
        kr["current"] = number(self.clock.check_in_value(kr, self.rng.uniform(0.6, 1.1)), "value")
        kr["confidence"] = confidence(0.6)
        updated = [kr if i == index else dict(k) for i, k in enumerate(self.key_results, 1)]
        self.emit(self.objective, "Objective.CheckedIn", kr=index, changes={"key_results": [self.key_results, updated]},
                  comment="weekly")
        self.key_results = updated



def _setup(wb: Workbench, rng: random.Random, clock: Clock) -> tuple[list[Kpi], Objective]:
    """The KPIs and the objective, made through the aggregates and saved as any command's are."""
    with attributed(rng.choice(ACTORS), "", clock.tick()):
        product_id = UUID(wb.product().id)
        kpis = [Kpi.define(product_id, name, direction=d, warn=w, alarm=a)
                for name, d, w, a in (("NPS", "higher", 30, 20), ("Churn", "lower", 3, 5), ("Conversion", "higher", 2.5, 2))]
        objective = Objective.create(product_id, "Delight buyers", "2026", number=1)
        for metric, target in (("NPS", 50), ("Conversion", 4)):
            objective.add_key_result(metric, target, baseline=20 if metric == "NPS" else 2)
    wb.app.save(*kpis, objective)
    return kpis, objective


def generate_stored(wb: Workbench, items: int, seed: int = 7, days: int = 365, per_save: int = 2000,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """``generate_at_scale`` for a SQLite store: the events written in their stored form, in one
    transaction with their chain links and the read model folded in bulk. Returns the events written."""
    from pmtui.store import readmodel

    rng = random.Random(seed)
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=days)
    with wb.recorded_as("demo", start - timedelta(days=1)):
        wb.init_product("Scale", "SC")
    clock = Clock(rng, start, end, items)
    kpis, objective = _setup(wb, rng, clock)
    gen = StoredGenerator(wb, rng, clock, kpis, objective)
    conn = sqlite3.connect(wb.log.location.target, timeout=10, isolation_level=None)
    written = [0]
    collecting = gc.isenabled()
    gc.disable()  # nothing here makes reference cycles: the collector would only rescan the cards
    try:
        with readmodel.bulk_writing(conn):
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0
                # The fold takes the events as they are made, in this process: a fold worker
                # (readmodel.refold's, for a rebuild) would be sent every event through a pipe
                # and send every row back, and the generator already keeps one core busy (the
                # demo made 16.2k events/s folding here, 12.9k with the worker, 50k items).
                # The events stored before (the product, the KPIs) are decoded; the generated ones
                # are handed to the fold as the generator made them, not decoded from their JSON.
                stored = readmodel._sqlite_stored(conn, 0, seq)
                records = chain(stored, _generated(conn, gen, seq, items, per_save, written, progress))
                readmodel.refold(readmodel.Sql(conn.cursor(), False), records)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
    finally:
        conn.close()
        if collecting:
            gc.enable()
    wb.refresh()
    return written[0] + sum(k.version for k in kpis) + objective.version  # and the setup's


def _generated(conn: sqlite3.Connection, gen: StoredGenerator, seq: int, items: int, per_save: int,
               written: list[int], progress: Callable[[int, int], None] | None) -> Iterator[EventRecord]:
    """Play the product's life one save at a time: each save's events are inserted with their
    chain links, then handed on (as records) to the fold. ``written`` counts them."""
    last = conn.execute(f"SELECT seq, hash FROM {CHAIN_TABLE} ORDER BY seq DESC LIMIT 1").fetchone()  # noqa: S608
    prev = bytes.fromhex(last[1]) if last else GENESIS
    if (last[0] if last else 0) != seq:
        raise UserError("the store's hash chain does not end at its last event: run `pmtui verify`")
    while gen.rank_number < items:
        started = gen.events
        while gen.events - started < per_save and gen.rank_number < items:
            gen.step()
        rows = [Row(seq + n, hex_id, version, topic, state) for n, (hex_id, version, topic, state) in enumerate(gen.rows, 1)]
        records = [EventRecord(seq + n, *made) for n, made in enumerate(gen.made, 1)]
        gen.rows.clear()
        gen.made.clear()
        conn.executemany("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                         "VALUES (?, ?, ?, ?, ?)", rows)
        links = chain_links(prev, rows)
        conn.executemany(f"INSERT INTO {CHAIN_TABLE} (seq, hash) VALUES (?, ?)", links)  # noqa: S608
        if links:
            prev = bytes.fromhex(links[-1][1])
            seq = links[-1][0]
        written[0] += len(rows)
        gen.clock.advance(gen.rank_number / items)
        if progress is not None:
            progress(min(gen.rank_number, items), items)
        yield from records
    gen.items.clear()  # the cards are done with: the index builds that follow have their memory
    gen.sprint_items.clear()
