"""The event-sourced core under load: builds a realistic log in a temporary SQLite file, then
prints, in one run, append throughput (bulk and one command at a time), full rebuild throughput of
the workspace fold, as-of latency at random points, peak memory, and the raw sqlite3 + msgspec
read/decode baseline with the ratio rebuild/raw.

    python bench/core.py                    # 100k events
    python bench/core.py --events 1000000

Targets (reported, not asserted): rebuild >= 0.5x raw; as-of within 100 ms at 1M events; one
interactive command, projections updated, within 5 ms in process. The machine may be shared:
throughputs are given in wall time and in CPU time of this process.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from domain.base import attributed
from domain.board import Board
from domain.kpi import Kpi
from domain.objective import Objective
from domain.product import Product
from domain.exceptions import DomainError
from domain.rank import DIGITS, rank_between
from domain.sprint import Sprint
from domain.work_item import WorkItem
from pmtui.service import Workbench
from projections.state import fold
from projections.timeline import Timeline

ACTORS = ["ann", "bob", "cid", "dan", "eve", "fay"]
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
LABELS = ["ux", "api", "checkout", "search", "infra", "mobile", "legacy"]
LATE_SHARE = 0.01  # events recorded long after they occurred (imports): exercise the late list


# Measuring -------------------------------------------------------------------------------------
@dataclass
class Span:
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed(span: Span) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        span.wall += time.perf_counter() - wall
        span.cpu += time.process_time() - cpu


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """The high-water mark of this process's memory (VmHWM: unlike getrusage's ru_maxrss, which a
    child started by ``subprocess`` inherits from its parent at the fork, it starts anew at exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rate(count: int, span: Span) -> str:
    return f"{count / span.wall:>10,.0f} ev/s wall  {count / max(span.cpu, 1e-9):>10,.0f} ev/s cpu"


def latency(samples: list[tuple[float, float]]) -> str:
    """(wall, cpu) seconds per call -> percentiles in ms."""
    wall = [w * 1000 for w, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    return (f"p50 {percentile(wall, 50):7.2f} ms   p99 {percentile(wall, 99):7.2f} ms   max {max(wall):7.2f} ms wall"
            f"   | cpu p50 {percentile(cpu, 50):6.2f} p99 {percentile(cpu, 99):6.2f} ms")


@contextmanager
def sample(samples: list[tuple[float, float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        samples.append((time.perf_counter() - wall, time.process_time() - cpu))


# Building a realistic log in bulk ----------------------------------------------------------------
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
        self.saving = Span()

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
            self.objective = Objective.create(self.product.id, "Delight buyers", "2026")
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
            self.sprint = Sprint.plan(self.board.id, f"Sprint {self.sprint_number}")
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
        with timed(self.saving):
            self.app.save(*aggregates)
        return before


def build_bulk(wb: Workbench, total: int, rng: random.Random, start: datetime, end: datetime,
               per_save: int) -> tuple[int, Span, Span]:
    clock = Clock(rng, start, end, total, per_save)
    gen = Generator(wb, rng, clock)
    gen.setup()
    written, overall = 0, Span()
    with timed(overall):
        while written < total:
            started = gen.events  # counts commands (a refused one counts too): close enough to size a save
            while gen.events - started < min(per_save, total - written):
                gen.step()
            written += gen.flush()
            clock.advance()
    return written, gen.saving, overall


# Reading back ---------------------------------------------------------------------------------
def raw_baseline(db: str) -> tuple[int, Span]:
    """The floor: read every row with sqlite3 and decode its JSON with msgspec, nothing else."""
    decode = msgspec.json.Decoder().decode
    span, count = Span(), 0
    with timed(span):
        conn = sqlite3.connect(db)
        for _seq, _oid, _version, _topic, state in conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"):
            decode(state)
            count += 1
        conn.close()
    return count, span


def rebuild_and_travel(db: str, queries: int, seed: int) -> None:
    """Steps 4 and 5, run in a fresh interpreter (as a user's start is): the building and the
    commands above leave a gigabyte of freed, scattered memory behind that slows a fold ~40%."""
    rng = random.Random(seed)
    from pmtui.storage import EventLog, locate, open_application

    # 4. Full rebuild of the fold from the log ---------------------------------------------------
    location = locate(db)
    app = open_application(location)
    log = EventLog(app, location)
    gc.collect()
    rss_before = rss_mb()
    timeline = Timeline(lambda a, u: log.records(a, u), log.records_by_seq)
    rebuild = Span()
    with timed(rebuild):
        folded = timeline.append(log.records())
    timeline_rss = rss_mb() - rss_before
    decode_only = Span()
    with timed(decode_only):
        for _ in log.records():
            pass
    records = list(log.records())
    fold_only = Span()
    with timed(fold_only):
        check = fold(records)
    assert check == timeline.now, "the timeline's now must equal a naive fold"
    del records, check
    gc.collect()
    raw_count, raw_span = raw_baseline(db)
    print(f"timeline.append(log.records())  {rate(folded, rebuild)}   (RSS +{timeline_rss:,.0f} MB, "
          f"{len(timeline.checkpoints)} checkpoints, {len(timeline.late):,} late events)")
    print(f"  of which decode to records    {rate(folded, decode_only)}")
    print(f"  of which fold (pre-decoded)   {rate(folded, fold_only)}")
    print(f"raw sqlite3 + msgspec decode    {rate(raw_count, raw_span)}")
    print(f"ratio rebuild / raw             {raw_span.wall / rebuild.wall:10.2f} x wall   "
          f"{raw_span.cpu / rebuild.cpu:.2f} x cpu   (target >= 0.5)")

    # 5. As-of latency ---------------------------------------------------------------------------
    first, last = timeline.occurred[0], max(timeline.running_max[-1], timeline.occurred[0])
    event_times: list[tuple[float, float]] = []
    time_times: list[tuple[float, float]] = []
    for _ in range(queries):
        seq = rng.randint(1, timeline.position)
        with sample(event_times):
            timeline.as_of_event(seq)
    for _ in range(queries):
        moment = rng.uniform(first, last)
        with sample(time_times):
            timeline.as_of_time(moment)
    print(f"\n# as of ({queries} random points each; target: within 100 ms at 1M events)")
    print(f"as_of_event(#N)                 {latency(event_times)}")
    print(f"as_of_time(T)                   {latency(time_times)}")

    print(f"peak RSS of this process        {peak_rss_mb():8,.0f} MB (the rebuild and the as-of queries)")
    log.close()
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to write in bulk (default 100000)")
    parser.add_argument("--commands", type=int, default=1000, help="commands one at a time through the workbench")
    parser.add_argument("--queries", type=int, default=200, help="random as-of queries of each kind")
    parser.add_argument("--per-save", type=int, default=2000, help="events per bulk app.save call")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="SQLite file to build (default: a temporary file, removed after)")
    parser.add_argument("--reuse", action="store_true", help="--db exists: skip building, measure the rest on it")
    parser.add_argument("--rebuild-only", action="store_true", help=argparse.SUPPRESS)  # steps 4 and 5, run by main
    args = parser.parse_args()
    if args.rebuild_only:
        rebuild_and_travel(args.db, args.queries, args.seed)
        return
    rng = random.Random(args.seed)

    tmp = None if args.db else tempfile.TemporaryDirectory(prefix="pmtui-bench-")
    db = args.db or str(Path(tmp.name) / "bench.db")  # type: ignore[union-attr]
    if Path(db).exists() != args.reuse:
        raise SystemExit(f"{db} exists: give a new file" if not args.reuse else f"{db} does not exist")
    built = "the log already in" if args.reuse else f"{args.events:,} bulk events in"
    print(f"pmtui core bench: {built} SQLite {db}, + {args.commands:,} commands")
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=365)

    # 1. Bulk append ----------------------------------------------------------------------------
    if not args.reuse:
        wb = Workbench(db=db, actor="bench")
        with wb.recorded_as("bench", start - timedelta(days=1)):
            wb.init_product("Bench", "BN")
        bulk_events, save_span, bulk_span = build_bulk(wb, args.events, rng, start, end, args.per_save)
        wb.close()
        print("\n# append")
        print(f"bulk app.save ({args.per_save} ev/call)   {rate(bulk_events, save_span)}   "
              f"(incl. deciding: {bulk_events / bulk_span.wall:,.0f} ev/s wall)")
    else:  # drop the saved read model, so the open below is measured without it
        from pmtui.service import SNAPSHOT_NAME

        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM pmtui_projections WHERE name = ?", [SNAPSHOT_NAME])

    # 2. Open without a snapshot: the full fold of the product's read model ----------------------
    gc.collect()
    rss_before = rss_mb()
    opening = Span()
    with timed(opening):
        wb = Workbench(db=db, actor="bench")
    total = wb.position
    print(f"\n# rebuild ({total:,} events in the log)")
    print(f"workbench open, no snapshot     {rate(total, opening)}   "
          f"(RSS +{rss_mb() - rss_before:,.0f} MB: read model + checkpoints)")

    # 3. One command at a time, projections updated ---------------------------------------------
    keys = list(wb.now.keys)
    command_times: list[tuple[float, float]] = []
    command_span = Span()
    count_before = wb.position
    commands: dict[str, Callable[[], Any]] = {
        "item move": lambda: wb.move_item(rng.choice(keys), rng.choice(COLUMNS[:3])),
        "item edit": lambda: wb.edit_item(rng.choice(keys), points=rng.choice([1, 2, 3, 5, 8, 13, 21])),
        "item comment": lambda: wb.comment(rng.choice(keys), "from the bench"),
        "item add": lambda: keys.append(wb.add_item("bench item", points=3)),
        "item rank top": lambda: wb.rank_item(rng.choice(keys), "top"),
    }
    by_kind: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    refused = 0
    for _ in range(args.commands):
        name = rng.choice(list(commands))
        with timed(command_span), sample(command_times), sample(by_kind[name]):
            try:
                commands[name]()
            except DomainError:  # refused (e.g. the same value again): still a command a user made
                refused += 1
    written = wb.position - count_before
    print("\n# one command at a time (Workbench: decide, save, refresh the read model)")
    print(f"{args.commands} commands ({written} events, {refused} refused)   {latency(command_times)}   "
          f"{written / command_span.wall:,.0f} ev/s wall")
    for name, samples in by_kind.items():
        print(f"  {name:<14} {latency(samples)}")
    wb.close()  # saves the snapshot

    reopen = Span()
    with timed(reopen):
        wb = Workbench(db=db, actor="bench")
    print(f"workbench reopen from snapshot  {reopen.wall * 1000:8.1f} ms wall   {reopen.cpu * 1000:8.1f} ms cpu")
    # No checkpoints below the snapshot yet: a point far into the log folds from the first event
    # (the worst case), leaving checkpoints behind for the points after it.
    first_travel = Span()
    with timed(first_travel):
        wb.view(f"#{wb.timeline.checkpoints_from * 9 // 10}")
    then: list[tuple[float, float]] = []
    for _ in range(20):
        with sample(then):
            wb.view(f"#{rng.randint(1, wb.position)}")
    print(f"first as-of at 90% after that   {first_travel.wall * 1000:8.1f} ms wall   {first_travel.cpu * 1000:8.1f} ms cpu"
          f"   (then {latency(then)})")
    wb.close()
    del wb  # its read model is not part of what follows
    gc.collect()

    # 4 and 5 in a fresh process, on the log at rest ---------------------------------------------
    with sqlite3.connect(db) as conn:  # as after the last writer closed: the WAL folded into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--db", db, "--reuse", "--queries", str(args.queries),
                    "--seed", str(args.seed), "--rebuild-only"], check=True)
    print(f"peak RSS, the other process     {peak_rss_mb():8,.0f} MB (building the log, the commands)")
    if tmp is not None:
        print(f"log file size                   {Path(db).stat().st_size / 2**20:8,.1f} MB")
        tmp.cleanup()


if __name__ == "__main__":
    main()
