"""A document's history, as pure functions of its event records (``Workbench.records_of(id)``,
cut to a point in time by the caller): its versions, the text of any version, the diff between
two versions, and blame (each line with the version, who and when wrote it).

Blame walks the saves once, carrying each line's origin through every diff: a kept line keeps its
origin, an inserted line gets the save's. That costs the total size of the changes plus the
document's size per version, so 1,000 versions of a page take milliseconds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from domain.lines import apply_ops, join_lines, split_lines
from projections.records import EventRecord


class Version(msgspec.Struct, frozen=True):
    revision: int
    seq: int
    occurred: float
    actor: str
    reason: str
    added: int  # lines inserted by this version
    removed: int  # lines deleted by it


class BlameLine(msgspec.Struct, frozen=True, array_like=True):
    number: int  # 1-based line number
    revision: int
    actor: str
    occurred: float
    text: str


def _saves(records: Iterable[EventRecord]) -> Iterator[EventRecord]:
    """The content events (created, saved), in log order."""
    for r in records:
        if r.name in ("Document.Created", "Document.Saved"):
            yield r


def versions(records: Iterable[EventRecord]) -> list[Version]:
    """Every version, oldest first."""
    out = []
    for r in _saves(records):
        if r.name == "Document.Created":
            out.append(Version(1, r.seq, r.occurred, r.actor, r.reason, len(split_lines(r.data["text"])), 0))
            continue
        ops = r.data["ops"]
        added = sum(len(op) for op in ops if isinstance(op, list))
        removed = -sum(op for op in ops if isinstance(op, int) and op < 0)
        out.append(Version(r.data["revision"], r.seq, r.occurred, r.actor, r.reason, added, removed))
    return out


def text_of(records: Iterable[EventRecord], revision: int | None = None) -> str:
    """The text of version ``revision`` (None: the last one in ``records``)."""
    lines: list[str] = []
    found = False
    for r in _saves(records):
        number = 1 if r.name == "Document.Created" else r.data["revision"]
        if revision is not None and number > revision:
            break
        lines = split_lines(r.data["text"]) if r.name == "Document.Created" else apply_ops(lines, r.data["ops"])
        found = number == revision
    if revision is not None and not found:
        raise LookupError(f"there is no version {revision}")
    return join_lines(lines)


def diff(old: str, new: str, old_label: str = "a", new_label: str = "b", context: int = 3) -> list[str]:
    """A unified diff of two texts, as lines (no trailing newlines)."""
    import difflib  # only a diff needs it

    return list(difflib.unified_diff(split_lines(old), split_lines(new), old_label, new_label, n=context,
                                     lineterm=""))


def blame(records: Iterable[EventRecord], revision: int | None = None) -> list[BlameLine]:
    """Each line of version ``revision`` (None: the last) with the version that wrote it."""
    lines: list[str] = []
    origins: list[tuple[int, str, float]] = []
    for r in _saves(records):
        number = 1 if r.name == "Document.Created" else r.data["revision"]
        if revision is not None and number > revision:
            break
        origin = (number, r.actor, r.occurred)
        if r.name == "Document.Created":
            lines = split_lines(r.data["text"])
            origins = [origin] * len(lines)
            continue
        new_lines: list[str] = []
        new_origins: list[tuple[int, str, float]] = []
        at = 0
        for op in r.data["ops"]:
            if isinstance(op, list):
                new_lines.extend(op)
                new_origins.extend([origin] * len(op))
            elif op > 0:
                new_lines.extend(lines[at:at + op])
                new_origins.extend(origins[at:at + op])
                at += op
            else:
                at -= op
        new_lines.extend(lines[at:])
        new_origins.extend(origins[at:])
        lines, origins = new_lines, new_origins
    return [BlameLine(n, rev, actor, when, text)
            for n, (text, (rev, actor, when)) in enumerate(zip(lines, origins, strict=True), 1)]


def visible(records: Iterable[EventRecord], position: int, moment: float | None = None) -> list[EventRecord]:
    """The records that had happened by a point: at or before event ``position`` and, when
    travelling by date, occurred by ``moment``."""
    return [r for r in records if r.seq <= position and (moment is None or r.occurred <= moment)]
