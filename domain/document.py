"""A document: Markdown (PRD, spec, strategy, release notes, meeting notes, or a kind of one's own)
owned by the product or attached to an epic, a work item, a roadmap item or a release.

Every save is an event holding the change, not a copy: a compact line diff (``ops``) from the
version it was edited from. A document's history therefore grows with the size of its changes.
An edit names the version it started from (``base``); if someone saved since, the save is refused
with ``EditConflictError`` (never a silent overwrite) and ``merge`` offers the three-way merge the
user resolves.

Ops are a list of steps over the old text's lines: an int n > 0 keeps n lines, n < 0 deletes -n
lines, a list of strings inserts those lines. Lines are the text split on ``\\n`` exactly, so a
text is rebuilt byte for byte.
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import EditConflictError, NothingChangedError, ValidationError
from domain.lines import Ops, apply_ops, join_lines, line_diff, split_lines
from domain.values import non_empty

TEXT_LIMIT = 1_000_000  # characters: a document, not a data dump
KNOWN_KINDS = ("prd", "spec", "strategy", "release-notes", "meeting-notes")
OWNER_KINDS = ("product", "item", "roadmap", "release")


def kind_of(value: Any) -> str:
    text = str(value or "").strip().lower().replace(" ", "-").replace("_", "-")
    if not re.fullmatch(r"[a-z][a-z0-9\-]{0,29}", text):
        raise ValidationError(
            f"a document kind is one word like {', '.join(KNOWN_KINDS)} or one of your own (got {value!r})")
    return text


def document_text(value: Any) -> str:
    text = str(value or "").replace("\r\n", "\n")
    if len(text) > TEXT_LIMIT:
        raise ValidationError(f"a document is too long ({len(text)} characters, at most {TEXT_LIMIT})")
    return text


class Document(PmAggregate):
    class Renamed(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(product_id: UUID | str, number: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:document:{product_id}:{number}")

    @classmethod
    def write(cls, product_id: UUID | str, number: int, title: str, kind: str = "prd", owner_kind: str = "product",
              owner_id: str | None = None, text: str = "") -> Document:
        if owner_kind not in OWNER_KINDS:
            raise ValidationError(f"a document belongs to one of: {', '.join(OWNER_KINDS)} (got {owner_kind!r})")
        if owner_kind != "product" and not owner_id:
            raise ValidationError(f"a document attached to a {owner_kind} needs which one")
        return cls(product_id=str(product_id), number=number, title=non_empty(title, "document title", 120),
                   kind=kind_of(kind), owner_kind=owner_kind,
                   owner_id=str(owner_id) if owner_kind != "product" else str(product_id),
                   text=document_text(text))

    @event("Created")
    def __init__(self, product_id: str, number: int, title: str, kind: str, owner_kind: str, owner_id: str,
                 text: str) -> None:
        self.product_id = product_id
        self.number = number
        self.title = title
        self.kind = kind
        self.owner_kind = owner_kind
        self.owner_id = owner_id
        self.lines = split_lines(text)
        self.revision = 1  # version 1 is the text it was created with

    @property
    def ref(self) -> str:
        return f"DOC-{self.number}"

    @property
    def text(self) -> str:
        return join_lines(self.lines)

    def save(self, text: str, base: int) -> int:
        """Save a new version edited from version ``base``; returns the new version's number."""
        if base != self.revision:
            raise EditConflictError(
                f"{self.ref} was saved by someone else since version {base} (it is at version {self.revision} now)",
                base, self.revision)
        new = split_lines(document_text(text))
        if new == self.lines:
            raise NothingChangedError(f"{self.ref} already says exactly that: nothing to save")
        self._saved(ops=line_diff(self.lines, new), base=base, revision=base + 1)
        return self.revision

    @event("Saved")
    def _saved(self, ops: Ops, base: int, revision: int) -> None:
        self.lines = apply_ops(self.lines, ops)
        self.revision = revision

    def rename(self, title: str | None = None, kind: str | None = None) -> None:
        values: dict[str, Any] = {}
        if title is not None:
            values["title"] = non_empty(title, "document title", 120)
        if kind is not None:
            values["kind"] = kind_of(kind)
        self.trigger_event(self.Renamed, changes=self._diff(values))


# Three-way merge ---------------------------------------------------------------------------------
def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """The changed regions of ``base`` (start, end) and what ``other`` has there instead."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def merge(base: str, mine: str, theirs: str, mine_label: str = "yours",
          theirs_label: str = "theirs") -> tuple[str, int]:
    """Merge two edits of ``base``: (merged text, number of conflicts).

    Changes to different places are both kept; where both changed the same lines differently, the
    text holds both between ``<<<<<<<``, ``=======`` and ``>>>>>>>`` lines for the user to resolve."""
    old = split_lines(base)
    sides = [(h, 0) for h in _hunks(old, split_lines(mine))] + [(h, 1) for h in _hunks(old, split_lines(theirs))]
    sides.sort(key=lambda s: (s[0][0], s[0][1]))
    out: list[str] = []
    at = conflicts = 0
    i = 0
    while i < len(sides):
        group = [sides[i]]
        lo, hi = sides[i][0][0], sides[i][0][1]
        i += 1
        # Hunks touching or overlapping the region are decided together.
        while i < len(sides) and sides[i][0][0] <= hi:
            group.append(sides[i])
            hi = max(hi, sides[i][0][1])
            i += 1
        out.extend(old[at:lo])
        versions = []
        for side in (0, 1):
            hunks = [h for h, s in group if s == side]
            if not hunks:
                versions.append(None)
                continue
            region, pos = [], lo
            for start, end, lines in hunks:
                region.extend(old[pos:start])
                region.extend(lines)
                pos = end
            region.extend(old[pos:hi])
            versions.append(region)
        if versions[0] is None or versions[1] is None or versions[0] == versions[1]:
            out.extend(versions[0] if versions[0] is not None else versions[1])  # type: ignore[arg-type]
        else:
            conflicts += 1
            out += [f"<<<<<<< {mine_label}", *versions[0], "=======", *versions[1], f">>>>>>> {theirs_label}"]
        at = hi
    out.extend(old[at:])
    return join_lines(out), conflicts
