"""``pmtui log``: the history, newest first: who, when, why and what changed, field by field.

The order and the filters are indexed queries on the read model's log (as the History view pages
it); only the events shown are read and decoded. On a terminal, without ``--limit``, the newest
``ON_A_TERMINAL`` are shown (as ``git log`` pages): a pipe or ``--json`` gets every one."""

from __future__ import annotations

import argparse
import sys

from pmtui.cli.common import as_of, command, emit, table, wants_json
from pmtui.counts import counted
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import local, parse_as_of
from projections.history import HistoryEntry, entry, history

ON_A_TERMINAL = 100


def log(args: argparse.Namespace, wb: Workbench) -> None:
    point = as_of(args)
    ws = wb.view(point)
    now = wb.now
    since = parse_as_of(args.since).moment if args.since else None
    until = parse_as_of(args.until).moment if args.until else None
    limit = args.limit
    if limit is None:
        limit = ON_A_TERMINAL if sys.stdout.isatty() and not wants_json(args) else 0
    if limit < 0:
        raise UserError("--limit is a number of entries, 0 for all")
    entries: list[HistoryEntry]
    if args.item:  # each item's own events, read by its id
        ids = {wb.item(key, now).id for key in args.item}
        records = [r for aggregate_id in ids for r in wb.records_of(aggregate_id)
                   if r.seq <= ws.position and (point.moment is None or r.occurred <= point.moment)]
        entries = history(now, records, actor=args.by, kind=args.kind, since=since, until=until)
        total = len(entries)
        entries = entries[:limit] if limit else entries
    else:
        order = wb.history_order(ws, point.moment, actor=args.by or "", kind=args.kind or "", since=since,
                                 until=until)
        total = len(order)
        seqs = order[:limit] if limit else list(order)
        read = {r.seq: r for r in wb.records_numbered(seqs)}
        entries = [entry(now, read[seq]) for seq in seqs]

    def text() -> str:
        rows = [[f"#{e.seq}", local(e.occurred) + (" *" if e.backdated else ""), e.actor, e.subject,
                 e.summary[:70], e.reason] for e in entries]
        note = "\n* occurred earlier than recorded (imported or generated history)" if any(e.backdated for e in entries) else ""
        more = (f"\n(the newest {len(entries):,} of {counted(total, 'event')}: --limit 0 shows them all)"
                if len(entries) < total else "")
        return table(rows, ["event", "occurred", "who", "what", "change", "why"]) + note + more
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
    p.add_argument("--limit", type=int, default=None,
                   help=f"at most this many entries, 0 for all (default: all, or the newest {ON_A_TERMINAL} on a terminal)")
