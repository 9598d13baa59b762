"""Backup and restore of the whole event log as JSON Lines, and the way a team moves a store
(SQLite -> PostgreSQL and back).

One event per line::

    {"seq": 12, "topic": "domain.work_item:WorkItem.Moved", "originator_id": "…", "version": 3,
     "recorded": "2026-11-10T14:30:00.1+00:00", "occurred": null, "actor": "ana", "reason": "",
     "state": {…the stored event…}, "hash": "…its chain link…"}

``state`` is the event exactly as stored (it holds the recorded ``timestamp``, actor, reason and
occurred time); ``recorded``, ``occurred``, ``actor`` and ``reason`` repeat it for people and
scripts reading the file, and are ignored on import. ``hash`` is the event's link in the file's
hash chain (the same links as the store's), so the file is tamper-evident too: an import
recomputes every link and refuses a file whose events were changed, left out or reordered. A
store that fails ``pmtui verify`` is not exported (unless asked), so a move cannot launder damage.

A restore writes the events verbatim, with their original numbers, into an empty store, so the
restored store has the same projections and the same chain (the same head hash) as the source:
that is the proof the move lost nothing. The original recorded times stay what they were: they
are part of each event, not a clock reading of the restore. The restore itself is not an event
(that would make the restored log differ from its source); it is noted in the store's provenance
table, which ``pmtui verify`` prints: when, by whom, from which file, which events, which head.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import resolve_topic

from pmtui.store.chain import GENESIS, Row, canonical_id, chain_links, link_hash
from pmtui.errors import PermissionDeniedError, UserError
from pmtui.progress import Progress, track
from pmtui.store.storage import EventLog
from pmtui.store.verify import verify

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


class ExportedEvent(msgspec.Struct):
    seq: int
    topic: str
    originator_id: str
    version: int
    state: dict[str, Any]
    recorded: str | None = None
    occurred: str | None = None
    actor: str | None = None
    reason: str | None = None
    hash: str | None = None


@dataclass(frozen=True)
class ImportResult:
    count: int
    head_seq: int
    head_hash: str


def exported_events(log: EventLog, verified: bool = True, bar: Progress | None = None) -> Iterator[ExportedEvent]:
    """The log as export lines, each with its link in the file's chain (the same as the store's
    when the store was chained from its first event). A store that fails ``verify`` is not
    exported unless ``verified`` is False: moving it would carry the damage on unmarked."""
    if verified and hasattr(log.chain_reader(), "read_chain"):
        verdict = verify(log, bar=bar)
        if not verdict.intact and not verdict.unchained:  # events older than the chain are fine
            raise UserError(f"the store fails `pmtui verify`: {verdict.problem}; nothing was exported "
                            "(--unverified exports it anyway)")
    prev = GENESIS
    if bar is not None:
        bar.label, bar.done = "exporting", 0
    for seq, oid, version, topic, state in log.rows(0):
        if bar is not None:
            bar.advance()
        prev = link_hash(prev, Row(seq, canonical_id(oid), version, topic, bytes(state)))
        data = _decode(state)
        yield ExportedEvent(seq, topic, str(UUID(str(oid))), version, data, data.get("timestamp"), data.get("occurred"),
                            data.get("actor"), data.get("reason"), prev.hex())


def export_jsonl(log: EventLog, out: IO[bytes], verified: bool = True, bar: Progress | None = None) -> int:
    """Write the whole log to ``out``; returns how many events. ``bar`` shows how far (it checks
    the chain first, then writes)."""
    count = 0
    for event in exported_events(log, verified, bar):
        out.write(_encode(event) + b"\n")
        count += 1
    return count


def _parse_line(number: int, line: bytes, where: str) -> ExportedEvent:
    try:
        event = msgspec.json.decode(line, type=ExportedEvent)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise UserError(f"{where} line {number}: not an exported event ({error}); nothing was imported") from None
    try:
        resolve_topic(event.topic)
        UUID(event.originator_id)
    except Exception:  # noqa: BLE001 - any failure means the same thing to the user
        raise UserError(f"{where} line {number}: unknown event type or id ({event.topic}, {event.originator_id}); "
                        "nothing was imported") from None
    if event.seq < 1 or event.version < 1 or not isinstance(event.state.get("timestamp"), str):
        raise UserError(f"{where} line {number}: event #{event.seq} lacks a number, version or recorded time; "
                        "nothing was imported")
    return event


def read_jsonl(lines: Iterable[bytes], where: str) -> list[Row]:
    """Parse and check a whole export before anything is written: numbers must increase and every
    link given must match the recomputed chain."""
    rows: list[Row] = []
    prev = GENESIS
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        event = _parse_line(number, line, where)
        if rows and event.seq <= rows[-1].seq:
            raise UserError(f"{where} line {number}: event #{event.seq} comes after #{rows[-1].seq}: the lines are "
                            "out of order; nothing was imported")
        row = Row(event.seq, canonical_id(event.originator_id), event.version, event.topic, _encode(event.state))
        prev = link_hash(prev, row)
        if event.hash is not None and event.hash != prev.hex():
            raise UserError(f"{where} line {number}: event #{event.seq} does not match its hash: the file was changed "
                            "after export (or exported from a tampered store); nothing was imported")
        rows.append(row)
    if not rows:
        raise UserError(f"{where} holds no events; nothing was imported")
    return rows


def import_jsonl(wb: Any, source: str | Path | IO[bytes], bar: Progress | None = None) -> ImportResult:
    """Restore an export into the workbench's store, which must be empty. Nothing is written if
    the store holds events or the file is not a sound export."""
    if wb.role != "admin":
        raise PermissionDeniedError(f"{wb.actor} is a {wb.role}: restoring a store needs the admin role")
    where = "standard input" if not isinstance(source, (str, Path)) or str(source) == "-" else str(source)
    held = wb.log.max_seq()
    if held:
        raise UserError(f"the store at {wb.location.describe()} already holds events (up to #{held}): import "
                        "restores into an empty store only; nothing was imported")
    if isinstance(source, (str, Path)) and str(source) != "-":
        try:
            with open(source, "rb") as handle:
                rows = read_jsonl(handle if bar is None else track(handle, bar), where)
        except OSError as error:
            raise UserError(f"cannot read {source}: {error.strerror or error}") from None
    else:
        stream = source if not isinstance(source, (str, Path)) else sys.stdin.buffer
        rows = read_jsonl(stream if bar is None else track(stream, bar), where)
    recorder: Any = wb.app.recorder
    try:
        if hasattr(recorder, "insert_numbered"):
            noted = (datetime.now(timezone.utc).isoformat(), wb.actor, where)
            head = recorder.insert_numbered(rows, provenance=noted)
        else:  # the in-memory store numbers events itself and keeps no chain
            recorder.insert_events([StoredEvent(UUID(r.originator_id), r.version, r.topic, r.state) for r in rows])
            head = chain_links(GENESIS, rows)[-1][1]
    except IntegrityError:
        raise UserError(f"{where} holds the same version of something twice; nothing was imported") from None
    wb.refresh()
    return ImportResult(len(rows), rows[-1].seq, head)
