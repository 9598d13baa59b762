"""``pmtui log``: the history, newest first: who, when, why and what changed, field by field.

The order and the filters are queries of the read model's log (the TUI's History pages the same):
newest first by when each event took effect, as of the point (up to #N; at a moment, the events
that took effect by then). Only the events printed are read and decoded: a limited log of a
1M-event store read the whole log before (12-38 s). On a terminal, without ``--limit``, the newest
``ON_A_TERMINAL`` are shown (as ``git log`` pages): a pipe or ``--json`` gets every one."""

from __future__ import annotations

import argparse
import sys

from pmtui.cli.common import as_of, command, emit, table, wants_json
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.store.log_pages import PAGE
from pmtui.timespec import local, parse_as_of
from projections.history import entry

ON_A_TERMINAL = 100


def log(args: argparse.Namespace, wb: Workbench) -> None:
    point = as_of(args)
    ws = wb.view(point)
    now = wb.now
    ids: list[str] = []
    if args.item:
        ids = sorted({wb.item(key, now).id for key in args.item})
    since = parse_as_of(args.since).moment if args.since else None
    until = parse_as_of(args.until).moment if args.until else None
    limit = args.limit
    if limit is None:
        limit = ON_A_TERMINAL if sys.stdout.isatty() and not wants_json(args) else 0
    if limit < 0:
        raise UserError("--limit is a number of entries, 0 for all")
    order = wb.history_order(ws, point.moment, actor=args.by or "", kind=args.kind or "", since=since,
                             until=until, aggregates=ids, size=min(limit + 1, PAGE) if limit else PAGE)
    seqs = order.head(limit + 1) if limit else list(order)  # one more than shown: are there more?
    more = bool(limit) and len(seqs) > limit
    seqs = seqs[:limit] if limit else seqs
    records = {r.seq: r for r in wb.records_numbered(seqs)}
    entries = [entry(now, records[seq]) for seq in seqs]

    def text() -> str:
        rows = [[f"#{e.seq}", local(e.occurred) + (" *" if e.backdated else ""), e.actor, e.subject,
                 e.summary[:70], e.reason] for e in entries]
        note = "\n* occurred earlier than recorded (imported or generated history)" if any(e.backdated for e in entries) else ""
        if more:
            note += f"\n(the newest {len(entries):,} events: --limit 0 shows them all)"
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
    p.add_argument("--limit", type=int, default=None,
                   help=f"at most this many entries, 0 for all (default: all, or the newest {ON_A_TERMINAL} on a terminal)")
