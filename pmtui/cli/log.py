"""``pmtui log``: the history, newest first: who, when, why and what changed, field by field."""

from __future__ import annotations

import argparse

from pmtui.cli.common import command, emit, table
from pmtui.service.workbench import Workbench
from pmtui.timespec import local, parse_as_of
from projections.history import history


def log(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    now = wb.now
    ids: set[str] | None = None
    if args.item:
        ids = {wb.item(key, now).id for key in args.item}
    since = parse_as_of(args.since).moment if args.since else None
    until = parse_as_of(args.until).moment if args.until else None
    records = wb.records_of(next(iter(ids))) if ids and len(ids) == 1 else wb.records(0, ws.position)
    entries = history(now, (r for r in records if r.seq <= ws.position), actor=args.by, kind=args.kind,
                      aggregate_ids=ids, since=since, until=until)
    if args.limit:
        entries = entries[: args.limit]

    def text() -> str:
        rows = [[f"#{e.seq}", local(e.occurred) + (" *" if e.backdated else ""), e.actor, e.subject,
                 e.summary[:70], e.reason] for e in entries]
        note = "\n* occurred earlier than recorded (imported or generated history)" if any(e.backdated for e in entries) else ""
        return table(rows, ["event", "occurred", "who", "what", "change", "why"]) + note
    emit(args, text, [{"event": e.seq, "occurred": e.occurred, "recorded": e.recorded,
                       "actor": e.actor, "reason": e.reason, "type": e.event, "subject": e.subject,
                       "summary": e.summary, "changes": [[c.field, c.old, c.new] for c in e.changes]}
                      for e in entries])


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "log", log, "the history: who changed what, when and why (newest first)", query=True)
    p.add_argument("--item", action="append", metavar="KEY", help="only this item (repeatable)")
    p.add_argument("--by", metavar="ACTOR", help="only this actor")
    p.add_argument("--kind", help="only events of this kind, e.g. Moved, Decided, Sprint")
    p.add_argument("--since", help="from this time (2026-11-01, -7d)")
    p.add_argument("--until", help="up to this time")
    p.add_argument("--limit", type=int, default=0, help="at most this many entries")
