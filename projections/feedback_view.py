"""Feedback notes: the fold of their events into ``Workspace.notes``, the inbox and its filters,
and the evidence behind a work item, an epic or a roadmap item (who asked, how many distinct
customers and companies, the quotes newest first).

A customer is counted by name (any case, spaces trimmed); a note with no customer name counts its
company as the customer; a note with neither is a quote but counts no one. An epic's evidence
includes its children's; a roadmap item's includes its epics' (and theirs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import msgspec
from msgspec.structs import replace

from domain.ids import note_id
from projections.records import EventRecord
from projections.state import NoteView, Workspace, handles

IMPORTANCE_WEIGHT = {"nice to have": 1, "important": 2, "critical": 3}


@handles("FeedbackNote.Recorded")
def _note_recorded(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.notes[r.aggregate_id] = NoteView(
        r.aggregate_id, d["number"], d["product_id"], d["text"], d["customer"], d["company"], d["source"],
        d["said_at"], r.occurred, r.actor, tuple(d["tags"]), updated=r.occurred)


_NOTE_FIELDS = frozenset(("links", "tags", "archived"))


@handles("FeedbackNote.Linked", "FeedbackNote.Tagged", "FeedbackNote.Archived", "FeedbackNote.Restored")
def _note_changed(ws: Workspace, r: EventRecord) -> None:
    note = ws.notes.get(r.aggregate_id)
    if note is not None:
        values = {k: pair[1] for k, pair in r.data["changes"].items() if k in _NOTE_FIELDS}
        if "links" in values:
            values["links"] = tuple(tuple(link) for link in values["links"])
        if "tags" in values:
            values["tags"] = tuple(values["tags"])
        ws.notes[r.aggregate_id] = replace(note, updated=r.occurred, **values)


# Queries -----------------------------------------------------------------------------------------
def customer_key(note: NoteView) -> str | None:
    """Who said it, for counting distinct customers: the person, else the company."""
    name = note.customer or note.company
    return " ".join(name.split()).casefold() or None


def company_key(note: NoteView) -> str | None:
    return " ".join(note.company.split()).casefold() or None


def said_day(said_at: str | None, recorded: float) -> str:
    """The day a note was said: its date, or (not known) the day pmtui learned of it."""
    return said_at or datetime.fromtimestamp(recorded, timezone.utc).date().isoformat()


def find_note(ws: Workspace, ref: str) -> NoteView | None:
    """A note by its reference (FB-12, 12) or id."""
    text = ref.strip().upper().removeprefix("FB-").removeprefix("#")
    product = ws.product
    if text.isdigit() and product is not None:
        return ws.notes.get(str(note_id(product.id, int(text))))
    return ws.notes.get(ref.strip())


def notes(ws: Workspace, status: str | None = None, customer: str | None = None, company: str | None = None,
          tag: str | None = None, source: str | None = None, words: str | None = None,
          target_ids: set[str] | None = None) -> list[NoteView]:
    """Notes matching every filter given, newest first (by when they came in)."""
    status = (status or "").lower() or None
    who = customer.casefold() if customer else None
    firm = company.casefold() if company else None
    tag = tag.lower() if tag else None
    text = words.casefold() if words else None
    out = []
    for note in ws.notes.values():
        if status and status != "all" and note.status != status:
            continue
        if status is None and note.archived:
            continue
        if who and who not in note.customer.casefold():
            continue
        if firm and firm not in note.company.casefold():
            continue
        if tag and tag not in note.tags:
            continue
        if source and note.source != source:
            continue
        if text and text not in note.text.casefold():
            continue
        if target_ids is not None and not any(link[0] in target_ids for link in note.links):
            continue
        out.append(note)
    out.sort(key=lambda n: (n.recorded, n.number), reverse=True)
    return out


class Quote(msgspec.Struct, frozen=True):
    note_id: str
    ref: str
    text: str
    customer: str
    company: str
    source: str
    said_at: str | None
    recorded: float
    importance: str
    via: str  # the id the note is linked to (the item itself, a child, an epic of the roadmap item)


class Evidence(msgspec.Struct, frozen=True):
    target_id: str
    customers: list[str]  # distinct, as first written
    companies: list[str]
    quotes: list[Quote]  # newest first
    weight: int  # sum over distinct customers of their highest importance (1-3)

    @property
    def customer_count(self) -> int:
        return len(self.customers)

    @property
    def company_count(self) -> int:
        return len(self.companies)


def covered_ids(ws: Workspace, target_id: str) -> set[str]:
    """The ids whose notes count as evidence for ``target_id``: itself, an epic's children, a
    roadmap item's epics and their children."""
    ids = {target_id}
    epics: list[str] = []
    if target_id in ws.roadmap:
        epics = list(ws.roadmap[target_id].epics)
        ids.update(epics)
    elif target_id in ws.items and ws.items[target_id].kind == "epic":
        epics = [target_id]
    if epics:
        wanted = set(epics)
        ids.update(i.id for i in ws.items.values() if i.parent in wanted and not i.archived)
    return ids


def linked_notes(ws: Workspace) -> Iterable[NoteView]:
    """The notes that are evidence: linked and not archived. A workspace read from the store
    answers from its status index (a tenth of 100k notes, not all of them); an in-memory one is
    filtered here."""
    with_status = getattr(ws, "rows_with_status", None)
    if with_status is not None:  # in the notes' order, as the in-memory table keeps them
        return sorted(with_status("notes", "linked"), key=lambda note: note.number)
    return [note for note in ws.notes.values() if note.status == "linked"]


def evidence(ws: Workspace, target_id: str, notes_: Iterable[NoteView] | None = None) -> Evidence:
    ids = covered_ids(ws, target_id)
    quotes: list[Quote] = []
    customers: dict[str, str] = {}
    companies: dict[str, str] = {}
    best: dict[str, int] = {}
    for note in (linked_notes(ws) if notes_ is None else notes_):
        if note.archived:
            continue
        for link in note.links:
            if link[0] not in ids:
                continue
            quotes.append(Quote(note.id, note.ref, note.text, note.customer, note.company, note.source,
                                note.said_at, note.recorded, link[2], link[0]))
            key = customer_key(note)
            if key is not None:
                customers.setdefault(key, note.customer or note.company)
                best[key] = max(best.get(key, 0), IMPORTANCE_WEIGHT.get(link[2], 1))
            firm = company_key(note)
            if firm is not None:
                companies.setdefault(firm, note.company)
    # Newest first by the day it was said; the same day, by when it came in.
    quotes.sort(key=lambda q: (said_day(q.said_at, q.recorded), q.recorded, q.ref), reverse=True)
    # A note linked to several covered ids (a story and its epic) is one quote.
    seen: set[str] = set()
    unique = [q for q in quotes if not (q.note_id in seen or seen.add(q.note_id))]  # type: ignore[func-returns-value]
    return Evidence(target_id, list(customers.values()), list(companies.values()), unique, sum(best.values()))


def evidence_counts(ws: Workspace) -> dict[str, tuple[int, int]]:
    """(distinct customers, quotes) per work item, in one pass over the notes (the backlog's sort
    by evidence); an epic's count includes its children's, as ``evidence`` does."""
    who: dict[str, set[str]] = {}
    quotes: dict[str, set[str]] = {}
    items = ws.items
    for note in linked_notes(ws):
        if note.archived or not note.links:
            continue
        key = customer_key(note)
        for link in note.links:
            item = items.get(link[0])
            if item is None:
                continue
            for target in (item.id, item.parent) if item.parent else (item.id,):
                quotes.setdefault(target, set()).add(note.id)
                if key is not None:
                    who.setdefault(target, set()).add(key)
    return {target: (len(who.get(target, ())), len(ids)) for target, ids in quotes.items()}


def reach_suggestion(ws: Workspace, item_id: str) -> int:
    """RICE reach suggested from the evidence: the number of distinct customers asking."""
    return evidence(ws, item_id).customer_count


def tags_in_use(ws: Workspace) -> dict[str, int]:
    counts: dict[str, int] = {}
    for note in ws.notes.values():
        for tag in note.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def note_dict(ws: Workspace, note: NoteView) -> dict[str, Any]:
    """A note for JSON output, its links named by key (AC-12, RM-3)."""
    return {"ref": note.ref, "text": note.text, "customer": note.customer, "company": note.company,
            "source": note.source, "said_at": note.said_at, "tags": list(note.tags), "status": note.status,
            "recorded_by": note.created_by,
            "links": [{"target": target_ref(ws, t, kind), "kind": kind, "importance": imp}
                      for t, kind, imp in note.links]}


def target_ref(ws: Workspace, target_id: str, kind: str = "item") -> str:
    if target_id in ws.items:
        return ws.items[target_id].key
    if target_id in ws.roadmap:
        return f"RM-{ws.roadmap[target_id].number}"
    return "(gone)"
