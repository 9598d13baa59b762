"""The workbench's commands and queries for customer evidence (feedback notes) and documents.

A mixin of ``Workbench`` (pmtui/service/workbench.py), kept in its own module so the facade stays one class
while its parts stay readable. It uses only the facade's public plumbing: ``now``, ``view``,
``records_of``, the lookups, and ``_run``/``_change`` (attribution, permissions, retries)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from domain.exceptions import EditConflictError
from domain.values import iso_date
from pmtui.errors import NotFoundError, UserError
from pmtui.timespec import AsOf, parse_as_of
from projections import document_history as history
from projections.document_view import find_document
from projections.feedback_view import Evidence, evidence, find_note, notes, reach_suggestion
from projections.records import EventRecord
from projections.versions import decode_view
from projections.roadmap_view import find_roadmap_item
from projections.state import DocumentView, NoteView, Workspace

if TYPE_CHECKING:
    from pmtui.service.workbench import Workbench as _Base
else:
    _Base = object

IMPORT_CHUNK = 500  # notes per save when importing: one transaction each


class Target(msgspec.Struct, frozen=True):
    """What a note links to, or a document belongs to: its id, kind and the name users type."""

    id: str
    kind: str  # item, roadmap, release or product
    ref: str


class DocumentConflict(msgspec.Struct, frozen=True):
    """A save refused because someone saved since ``base``: the merge of both edits to resolve."""

    ref: str
    base: int
    current: int
    merged: str
    conflicts: int  # regions both changed differently, marked <<<<<<< ======= >>>>>>>
    saved_by: str


def said_date(value: str | date | None) -> str | None:
    """When the customer said it: a date (2026-10-01), a date-time (its date), or -3d / -2w."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("-"):
        point = parse_as_of(text)
        assert point.moment is not None
        return datetime.fromtimestamp(point.moment).date().isoformat()
    if len(text) > 10 and text[4:5] == "-":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
    return iso_date(text, "the date it was said")


class EvidenceCommands(_Base):
    # Lookups -----------------------------------------------------------------------------------
    def note(self, ref: str, ws: Workspace | None = None) -> NoteView:
        found = find_note(ws or self.now, str(ref))
        if found is None:
            raise NotFoundError(f"no feedback note {ref!r} (notes are FB-1, FB-2…; see `pmtui feedback list`)")
        return found

    def target(self, ref: str, ws: Workspace | None = None, releases: bool = False) -> Target:
        """A work item (key), a roadmap item (RM-n or its title) or, with ``releases``, a release."""
        ws = ws or self.now
        text = str(ref).strip()
        item = ws.item_by_key(text)
        if item is not None:
            return Target(item.id, "item", item.key)
        found = find_roadmap_item(ws, text)
        if found is not None:
            return Target(found.id, "roadmap", f"RM-{found.number}")
        if releases:
            name = text.removeprefix("release ").strip().lower()
            release = next((r for r in ws.releases.values() if r.name.lower() == name), None)
            if release is not None:
                return Target(release.id, "release", f"release {release.name}")
        what = "work item, roadmap item or release" if releases else "work item or roadmap item"
        raise NotFoundError(f"no {what} {ref!r} (use a key like AC-12 or RM-3)")

    def document(self, ref: str, ws: Workspace | None = None) -> DocumentView:
        found = find_document(ws or self.now, str(ref))
        if found is None:
            raise NotFoundError(f"no document {ref!r} (use its title or DOC-n; see `pmtui doc list`)")
        return found

    # Feedback commands -------------------------------------------------------------------------
    def add_note(self, text: str, customer: str = "", company: str = "", source: str = "other",
                 said_at: str | date | None = None, tags: list[str] | str = (), reason: str = "") -> str:
        """Record what a customer said; it arrives in the inbox. Returns its reference (FB-n)."""
        from domain.feedback import FeedbackNote
        fields = {"text": text, "customer": customer, "company": company, "source": source or "other",
                  "said_at": said_date(said_at), "tags": tags}
        FeedbackNote.record(UUID(self.product().id), 1, **fields)  # a bad value: refused before any lookup
        (number,) = self._record_notes([fields], reason)
        return f"FB-{number}"

    def _record_notes(self, notes: list[dict[str, Any]], reason: str = "") -> list[int]:
        product_id = UUID(self.product().id)
        return self.execute(lambda: self.app.record_notes(product_id, self.read.next_number("notes"), notes), reason)

    def link_note(self, ref: str, target: str, importance: str = "important", reason: str = "") -> Target:
        from domain.feedback import FeedbackNote
        note, found = self.note(ref), self.target(target)
        self._change(FeedbackNote, note.id, "feedback note", FeedbackNote.link, found.id, found.kind, importance, reason=reason)
        return found

    def unlink_note(self, ref: str, target: str, reason: str = "") -> Target:
        from domain.feedback import FeedbackNote
        note, found = self.note(ref), self.target(target)
        self._change(FeedbackNote, note.id, "feedback note", FeedbackNote.unlink, found.id, found.ref, reason=reason)
        return found

    def tag_note(self, ref: str, tags: list[str] | str, reason: str = "") -> None:
        from domain.feedback import FeedbackNote
        self._change(FeedbackNote, self.note(ref).id, "feedback note", FeedbackNote.tag, tags, reason=reason)

    def archive_note(self, ref: str, reason: str = "") -> None:
        from domain.feedback import FeedbackNote
        self._change(FeedbackNote, self.note(ref).id, "feedback note", FeedbackNote.archive, reason=reason)

    def restore_note(self, ref: str, reason: str = "") -> None:
        from domain.feedback import FeedbackNote
        self._change(FeedbackNote, self.note(ref).id, "feedback note", FeedbackNote.restore, reason=reason)

    def import_notes(self, rows: list[dict[str, Any]], reason: str = "imported from CSV") -> list[int]:
        """Record checked notes (``FeedbackNote.record``'s fields) in chunks; returns their numbers."""
        numbers: list[int] = []
        for start in range(0, len(rows), IMPORT_CHUNK):
            numbers += self._record_notes(rows[start:start + IMPORT_CHUNK], reason)
        return numbers

    def note_page(self, ws: Workspace, status: str | None = None, limit: int = 50) -> tuple[list[NoteView], int]:
        """The newest notes of a status (None: all but archived; "all": every one), at most
        ``limit`` (0: all), and how many there are: read from the store's index of notes, so the
        inbox of 100,000 notes costs a page, not a scan."""
        statuses = ["inbox", "linked"] if status is None else ([] if status == "all" else [status])
        model, point = getattr(ws, "model", None), getattr(ws, "point", None)
        if model is None or point is None:  # an in-memory workspace: filter it
            found = notes(ws, status)
            return (found if limit <= 0 else found[:limit]), len(found)
        where = " AND tbl = 'notes'" + (f" AND status IN ({','.join('?' * len(statuses))})" if statuses else "")
        # As of a point the rows come from the current table and the history (a UNION ALL).
        text, values = point.versions("COUNT(*)", where, statuses)
        total = sum(row[0] for row in model.query(text, values))
        text, values = point.versions("ord, body", where, statuses)
        limit_sql = f" LIMIT {int(limit)}" if limit > 0 else ""
        rows = model.query(f"SELECT body FROM ({text}) AS page ORDER BY ord DESC{limit_sql}", values)
        return [decode_view("notes", bytes(row[0])) for row in rows], total

    # Evidence queries --------------------------------------------------------------------------
    def evidence(self, target: str, ws: Workspace | None = None) -> Evidence:
        ws = ws or self.now
        return evidence(ws, self.target(target, ws).id)

    def reach_suggestion(self, key: str, ws: Workspace | None = None) -> int:
        """RICE reach suggested by the evidence: how many distinct customers asked for it."""
        ws = ws or self.now
        return reach_suggestion(ws, self.item(key, ws).id)

    def accept_reach(self, key: str, reason: str = "") -> int:
        """Set the item's RICE reach to the suggestion; returns it. The other parts stay."""
        from domain.work_item import WorkItem
        item = self.item(key)
        reach = self.reach_suggestion(key)
        if not reach:
            raise UserError(f"{item.key} has no customer evidence yet: link feedback to it first")
        if item.rice is None:
            raise UserError(f"{item.key} has no RICE score yet: give all four parts once "
                            f"(--rice {reach},IMPACT,CONFIDENCE,EFFORT)")
        self._change(WorkItem, item.id, "item", WorkItem.edit, reason=reason or f"reach from {reach} customers' evidence",
                     rice={**item.rice, "reach": reach})
        return reach

    # Product lifecycle ---------------------------------------------------------------------------
    def change_stage(self, stage: str, reason: str = "") -> None:
        """Move the product to another lifecycle stage; a decision, in the decision log with its reason."""
        from domain.product import Product
        self._change(Product, self.product().id, "product", Product.change_stage, stage, reason=reason)

    # Document commands -------------------------------------------------------------------------
    def add_document(self, title: str, kind: str = "prd", for_: str | None = None, text: str = "",
                     reason: str = "") -> str:
        from domain.document import Document
        product = self.product()
        ws = self.now
        wanted = " ".join(str(title).split()).casefold()
        if any(d.title.casefold() == wanted for d in ws.documents.values()):
            raise UserError(f"there is a document titled {title!r} already: edit it, or choose another title")
        owner = Target(product.id, "product", "product") if for_ in (None, "", "product") else \
            self.target(str(for_), releases=True)
        fields = {"title": title, "kind": kind, "owner_kind": owner.kind, "owner_id": owner.id, "text": text}
        Document.write(product.id, 1, **fields)  # a bad value: refused before writing
        number = self.execute(lambda: self.app.create_document(UUID(product.id), self.read.next_number("documents"), **fields), reason)
        return f"DOC-{number}"

    def edit_document(self, ref: str, text: str, base: int | None = None, reason: str = "") -> int:
        """Save a new version edited from version ``base`` (default: the current one); returns its
        number. Someone else's save since ``base`` raises EditConflictError: nothing is written."""
        from domain.document import Document
        doc = self.document(ref)
        start = doc.revision if base is None else int(base)
        return self._change(Document, doc.id, "document", Document.save, text, start, reason=reason)

    def rename_document(self, ref: str, title: str | None = None, kind: str | None = None, reason: str = "") -> None:
        from domain.document import Document
        self._change(Document, self.document(ref).id, "document", Document.rename, title, kind, reason=reason)

    def try_save_document(self, ref: str, text: str, base: int, reason: str = "") -> int | DocumentConflict:
        """Save, or on a conflict return the three-way merge of the user's text with the newer
        version, for the user to resolve and save from ``current``."""
        from domain.document import merge
        try:
            return self.edit_document(ref, text, base, reason)
        except EditConflictError as conflict:
            self.refresh()
            doc = self.document(ref)
            records = self.records_of(doc.id)
            theirs = history.text_of(records, conflict.current)
            last = history.versions(records)[-1]
            merged, count = merge(history.text_of(records, conflict.base), text, theirs,
                                  "yours", f"version {conflict.current} by {last.actor}")
            return DocumentConflict(doc.ref, conflict.base, conflict.current, merged, count, last.actor)

    # Document queries (as of any point) ----------------------------------------------------------
    def document_records(self, ref: str, as_of: AsOf | str | None = None) -> tuple[DocumentView, list[EventRecord]]:
        """The document as of a point, and its records up to then (for history, diff, blame)."""
        point = as_of if isinstance(as_of, AsOf) else parse_as_of(as_of)
        ws = self.view(point)
        doc = self.document(ref, ws)
        if ws is self.now:
            return doc, self.records_of(doc.id)
        return doc, history.visible(self.records_of(doc.id), ws.position, point.moment)

    def document_version_text(self, ref: str, version: int | None = None, as_of: AsOf | str | None = None) -> str:
        if version is None:  # the read model holds the text of then: no need to read the history
            return self.document(ref, self.view(as_of)).text
        doc, records = self.document_records(ref, as_of)
        return self._version_text(doc, records, version)

    @staticmethod
    def _version_text(doc: DocumentView, records: list[EventRecord], version: int | None) -> str:
        if version is None:
            return doc.text
        try:
            return history.text_of(records, version)
        except LookupError:
            raise NotFoundError(f"{doc.ref} has no version {version} (versions 1 to {doc.revision})") from None

    def document_diff(self, ref: str, a: int | None = None, b: int | None = None,
                      as_of: AsOf | str | None = None) -> tuple[int, int, list[str]]:
        """(a, b, unified diff lines) between two versions; default the last two."""
        doc, records = self.document_records(ref, as_of)
        if b is None:
            b = doc.revision if a is None else doc.revision
        if a is None:
            a = max(1, b - 1)
        old, new = self._version_text(doc, records, a), self._version_text(doc, records, b)
        return a, b, history.diff(old, new, f"{doc.ref} version {a}", f"{doc.ref} version {b}")

    def document_blame(self, ref: str, version: int | None = None,
                       as_of: AsOf | str | None = None) -> list[history.BlameLine]:
        doc, records = self.document_records(ref, as_of)
        if version is not None:
            self._version_text(doc, records, version)  # an unknown version: one clear line
        return history.blame(records, version)

    def document_versions(self, ref: str, as_of: AsOf | str | None = None) -> list[history.Version]:
        return history.versions(self.document_records(ref, as_of)[1])


__all__ = ["DocumentConflict", "EvidenceCommands", "Target", "said_date"]
