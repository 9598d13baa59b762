"""Checking the hash chain: walk the events and the links in log order, recompute every link,
and name the first one that does not hold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pmtui.store import readmodel
from pmtui.store.chain_links import GENESIS, Row, canonical_id, link_hash
from pmtui.errors import UserError
from pmtui.progress import Progress
from pmtui.store.storage import EventLog
from projections.records import event_name


@dataclass(frozen=True)
class Verdict:
    checked: int  # events whose link held
    head_seq: int  # the last good link
    head_hash: str
    broken_at: int | None = None  # the event number of the first broken link
    problem: str = ""
    unchained: int = 0  # events at the start with no links at all (written before the chain existed)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _as_bytes(state: bytes | str | memoryview | None) -> bytes:
    # A state rewritten by hand may come back as text: hash its UTF-8 (same content, same hash).
    if state is None:
        return b""
    return state.encode() if isinstance(state, str) else bytes(state)


def _safe_id(originator_id: object) -> str:
    # An id rewritten by hand may not even be a UUID any more: hash it as it is.
    try:
        return canonical_id(originator_id)  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError):
        return str(originator_id)


def _describe(row: Row) -> str:
    return f"{event_name(row.topic)} of {row.originator_id[:8]} v{row.version}"


def _merged(events: Iterator[Row], links: Iterator[tuple[int, str]]) -> Iterator[tuple[int, Row | None, str | None]]:
    """(seq, event or None, link hash or None) over the union of both, in seq order."""
    event, link = next(events, None), next(links, None)
    while event is not None or link is not None:
        if link is None or (event is not None and event.seq < link[0]):
            assert event is not None
            yield event.seq, event, None
            event = next(events, None)
        elif event is None or link[0] < event.seq:
            yield link[0], None, link[1]
            link = next(links, None)
        else:
            yield event.seq, event, link[1]
            event, link = next(events, None), next(links, None)


def verify(log: EventLog, expect: tuple[int, str] | None = None, bar: Progress | None = None) -> Verdict:
    """Recompute the chain over the whole log. ``expect`` = (seq, hash) a link recorded earlier
    (say, printed by a past verify and kept elsewhere): the chain must still contain it, which
    also catches events cut off the end together with their links."""
    recorder: Any = log.chain_reader()
    if not hasattr(recorder, "read_chain"):
        raise UserError("this store keeps no hash chain (the in-memory store): nothing to verify")
    # Walk a fixed stretch of the log: events and their links commit together and in number order
    # (see pmtui.store.chain), so everything up to the highest number seen now is complete, whatever
    # writers commit while the walk reads its batches.
    upto = max(log.max_seq(), recorder.max_link())
    events = (Row(seq, _safe_id(oid), version, topic or "", _as_bytes(state))
              for seq, oid, version, topic, state in recorder.read_events(upto))
    prev, head_seq, checked = GENESIS, 0, 0
    expect_seen = expect is None
    versions: dict[str, tuple[int, int]] = {}  # aggregate -> (last version seen, at event #): spots reordering
    linked, unchained, first_unchained = False, 0, 0
    if bar is not None:
        bar.label = "verifying"
        bar.update(0, upto)
    for seq, event, stored in _merged(events, recorder.read_chain(0, upto)):
        if bar is not None:
            bar.advance()
        if event is None:
            return Verdict(checked, head_seq, prev.hex(), seq,
                           f"event #{seq} is missing: its chain link exists, so the event was removed or renumbered "
                           "directly in the database")
        if stored is None and not linked:
            unchained += 1  # a store older than the chain: its first events were never linked
            first_unchained = first_unchained or seq
            continue
        if stored is None:
            return Verdict(checked, head_seq, prev.hex(), seq,
                           f"event #{seq} ({_describe(event)}) has no chain link: it was inserted or renumbered "
                           "directly in the database")
        linked = True
        computed = link_hash(prev, event)
        if computed.hex() != stored and unchained:
            return Verdict(checked, head_seq, prev.hex(), first_unchained,
                           f"event #{first_unchained} has no chain link (nor have the {unchained - 1} after it), yet "
                           f"#{seq} was chained onto earlier links: links were deleted directly in the database")
        if computed.hex() != stored:
            seen = versions.get(event.originator_id)
            expected = seen[0] + 1 if seen else 1
            if event.version != expected:  # an aggregate's versions follow each other in the log
                before = f"its v{seen[0]} is at #{seen[1]}" if seen else "none of its earlier versions came before"
                return Verdict(checked, head_seq, prev.hex(), seq,
                               f"event #{seq} ({_describe(event)}) is out of place: {before}, so v{expected} "
                               "should come first; events were reordered, renumbered or removed in the database")
            return Verdict(checked, head_seq, prev.hex(), seq,
                           f"event #{seq} ({_describe(event)}) does not match its chain link: it was edited, "
                           "reordered or renumbered, or an event before it was removed, or the link was changed")
        versions[event.originator_id] = (event.version, seq)
        if expect is not None and seq == expect[0]:
            if stored != expect[1]:
                return Verdict(checked, head_seq, prev.hex(), seq,
                               f"link #{seq} is not the expected {expect[1][:16]}...: the log was rewritten up to "
                               "there")
            expect_seen = True
        prev, head_seq, checked = computed, seq, checked + 1
    if not expect_seen:
        assert expect is not None
        return Verdict(checked, head_seq, prev.hex(), expect[0],
                       f"the log holds no link #{expect[0]} any more (it ends at #{head_seq}): events were "
                       "removed, at its end or together with their links")
    if unchained:
        return Verdict(checked, head_seq, prev.hex(), first_unchained,
                       f"{unchained} events from #{first_unchained} on have no chain links: they were written before "
                       "this store kept a hash chain (or all their links were deleted), so nothing vouches for them; "
                       "to chain them, export the store and import it into a new one", unchained)
    return Verdict(checked, head_seq, prev.hex())


def check_tail(log: EventLog, reach: int = 64) -> str | None:
    """A quick look at the chain's end, made on every open: whether the last event still matches
    its link and the links end where the events do. Returns what is wrong (for one warning line),
    or None. ``pmtui verify`` checks the whole chain."""
    recorder: Any = log.chain_reader()
    if not hasattr(recorder, "read_chain"):
        return None  # the in-memory store keeps no chain
    last_seq, last_link = log.max_seq(), recorder.max_link()
    if last_link == 0:
        return None  # empty, or a store older than the chain (verify says so)
    if last_link > last_seq:
        return f"the hash chain has links up to #{last_link} but the log ends at #{last_seq}: events were removed"
    if last_link < last_seq:
        return f"event #{last_seq} has no chain link: it was written outside pmtui"
    links = list(recorder.read_chain(max(0, last_seq - reach), last_seq))
    events = list(recorder.read_events(last_seq, 1, last_seq - 1))
    if not events or not links or links[-1][0] != last_seq:
        return f"event #{last_seq} or its chain link cannot be read"
    prev = bytes.fromhex(links[-2][1]) if len(links) > 1 else (GENESIS if last_seq == links[0][0] == 1 else None)
    if prev is None:
        return None  # the link before is too far back to look at on every open; verify walks it
    seq, oid, version, topic, state = events[0]
    if link_hash(prev, Row(seq, _safe_id(oid), version, topic or "", _as_bytes(state))).hex() != links[-1][1]:
        return f"the last event #{last_seq} does not match its chain link: the log was changed outside pmtui"
    return None


def parse_expect(text: str) -> tuple[int, str]:
    """``#SEQ:HASH`` or ``SEQ:HASH`` (as printed by ``pmtui verify``)."""
    seq, _, digest = text.strip().lstrip("#").partition(":")
    digest = digest.strip().lower()
    if not seq.isdigit() or len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        raise UserError(f"--expect wants SEQ:HASH as printed by `pmtui verify` (like 42:3fa9...), got {text!r}")
    return int(seq), digest


def check_read_model(log: EventLog) -> str | None:
    """The read model's tables are derived from the log (they are not chained): compare them with
    a fresh fold of the (verified) log; returns what is wrong, or None."""
    problem = readmodel.first_difference(log)
    if problem is None:
        return None
    return f"{problem}: it was changed outside pmtui; `pmtui rebuild` folds it again from the log"
