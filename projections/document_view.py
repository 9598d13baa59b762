"""Documents: the fold into ``Workspace.documents`` (each document's current text, rebuilt from
the saved line diffs), and lookups. History, diffs between versions and blame are pure functions
of one document's event records, in ``projections/document_history.py``."""

from __future__ import annotations

from msgspec.structs import replace

from domain.lines import apply_ops, join_lines, split_lines
from projections.records import EventRecord
from projections.state import DocumentView, Workspace, handles


@handles("Document.Created")
def _document_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.documents[r.aggregate_id] = DocumentView(
        r.aggregate_id, d["number"], d["product_id"], d["title"], d["kind"], d["owner_kind"], d["owner_id"],
        d["text"], r.occurred, r.actor, updated=r.occurred, updated_by=r.actor)


@handles("Document.Saved")
def _document_saved(ws: Workspace, r: EventRecord) -> None:
    doc = ws.documents.get(r.aggregate_id)
    if doc is not None:
        text = join_lines(apply_ops(split_lines(doc.text), r.data["ops"]))
        ws.documents[r.aggregate_id] = replace(doc, text=text, revision=r.data["revision"], updated=r.occurred,
                                               updated_by=r.actor)


@handles("Document.Renamed")
def _document_renamed(ws: Workspace, r: EventRecord) -> None:
    doc = ws.documents.get(r.aggregate_id)
    if doc is not None:
        values = {k: pair[1] for k, pair in r.data["changes"].items() if k in ("title", "kind")}
        ws.documents[r.aggregate_id] = replace(doc, **values)


def find_document(ws: Workspace, ref: str) -> DocumentView | None:
    """A document by reference (DOC-3, 3), id, or title (any case)."""
    text = ref.strip()
    number = text.upper().removeprefix("DOC-").removeprefix("#")
    if number.isdigit():
        found = next((d for d in ws.documents.values() if d.number == int(number)), None)
        if found is not None:
            return found
    if text in ws.documents:
        return ws.documents[text]
    wanted = " ".join(text.split()).casefold()
    return next((d for d in ws.documents.values() if d.title.casefold() == wanted), None)


def documents_of(ws: Workspace, owner_id: str | None = None, kind: str | None = None) -> list[DocumentView]:
    """Documents (of one owner, of one kind), newest change first."""
    found = [d for d in ws.documents.values()
             if (owner_id is None or d.owner_id == owner_id) and (kind is None or d.kind == kind)]
    found.sort(key=lambda d: (d.updated, d.number), reverse=True)
    return found


def owner_ref(ws: Workspace, doc: DocumentView) -> str:
    """What the document belongs to, as a user names it."""
    if doc.owner_kind == "item" and doc.owner_id in ws.items:
        return ws.items[doc.owner_id].key
    if doc.owner_kind == "roadmap" and doc.owner_id in ws.roadmap:
        return f"RM-{ws.roadmap[doc.owner_id].number}"
    if doc.owner_kind == "release" and doc.owner_id in ws.releases:
        return f"release {ws.releases[doc.owner_id].name}"
    return "product"
