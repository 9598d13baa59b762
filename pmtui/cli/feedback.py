"""``pmtui feedback``: customer feedback notes (insights): add, list (the inbox), show, link to the
work they justify, unlink, tag, archive, import from CSV, and the evidence of an item."""

from __future__ import annotations

import argparse
from typing import Any

from pmtui.counts import counted
from pmtui.terminal import safe_text
from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.importers.csv_feedback import FEEDBACK_CSV_HELP, import_feedback_csv
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from projections.feedback_view import Evidence, note_dict, notes, target_ref
from projections.state import NoteView, Workspace

SOURCES = "support, sales, interview, survey or other"


def _who(note: NoteView) -> str:
    return " · ".join(p for p in (note.customer, note.company) if p) or "(unknown)"


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def add(args: argparse.Namespace, wb: Workbench) -> None:
    ref = wb.add_note(" ".join(args.text), args.customer or "", args.company or "", args.source, args.at,
                      args.tags or "", reason(args))
    emit(args, ref, note_dict(wb.now, wb.note(ref)))


def list_notes(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    status = "inbox" if args.inbox else args.status
    if status not in (None, "inbox", "linked", "archived", "all"):
        raise UserError(f"--status is one of inbox, linked, archived, all (got {status!r})")
    targets = None
    if args.for_:
        found = wb.target(args.for_, ws)
        from projections.feedback_view import covered_ids
        targets = covered_ids(ws, found.id)
    filtered = any((args.customer, args.company, args.tag, args.source, args.words, targets))
    if filtered:  # a search: every note is looked at
        found_notes = notes(ws, status, args.customer, args.company, args.tag, args.source,
                            " ".join(args.words) or None, targets)
        shown, total = (found_notes if args.limit <= 0 else found_notes[: args.limit]), len(found_notes)
    else:  # a page of the inbox (or of a status): the store's index
        shown, total = wb.note_page(ws, status, args.limit)

    def text() -> str:
        rows = [[n.ref, n.said_at or "", safe_text(_one_line(_who(n), 28)), n.source, n.status,
                 safe_text(_one_line(n.text, 60))] for n in shown]
        more = total - len(shown)
        tail = f"\n{total} notes" + (f" ({more} more: --limit 0 shows all)" if more else "")
        return as_of_banner(args, ws) + table(rows, ["note", "said", "who", "source", "status", "text"]) + tail
    emit(args, text, [note_dict(ws, n) for n in shown])


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    note = wb.note(args.note, ws)
    data = note_dict(ws, note)

    def text() -> str:
        lines = [f"{note.ref}  {safe_text(_who(note))}  ({note.source}, said {note.said_at or 'on an unknown day'})",
                 f"status: {note.status} · recorded {local(note.recorded)} by {safe_text(note.created_by)}"]
        if note.tags:
            lines.append("tags: " + ", ".join(note.tags))
        lines += ["", safe_text(note.text)]
        if note.links:
            lines += ["", "Linked to:"]
            for target, kind, importance in note.links:
                title = ws.items[target].title if target in ws.items else (
                    ws.roadmap[target].title if target in ws.roadmap else "")
                lines.append(f"  {target_ref(ws, target, kind):<8} {importance:<13} {safe_text(title)}")
        return as_of_banner(args, ws) + "\n".join(lines)
    emit(args, text, data)


def link(args: argparse.Namespace, wb: Workbench) -> None:
    target = wb.link_note(args.note, args.target, args.importance, reason(args))
    note = wb.note(args.note)
    emit(args, f"{note.ref} -> {target.ref} ({args.importance})", note_dict(wb.now, note))


def unlink(args: argparse.Namespace, wb: Workbench) -> None:
    target = wb.unlink_note(args.note, args.target, reason(args))
    note = wb.note(args.note)
    emit(args, f"{note.ref} unlinked from {target.ref}", note_dict(wb.now, note))


def tag(args: argparse.Namespace, wb: Workbench) -> None:
    wb.tag_note(args.note, args.tags, reason(args))
    note = wb.note(args.note)
    emit(args, f"{note.ref} tagged {', '.join(note.tags) or '(none)'}", note_dict(wb.now, note))


def archive(args: argparse.Namespace, wb: Workbench) -> None:
    (wb.restore_note if args.restore else wb.archive_note)(args.note, reason(args))
    note = wb.note(args.note)
    emit(args, f"{note.ref} {'restored' if args.restore else 'archived'}", note_dict(wb.now, note))


def evidence_dict(ws: Workspace, found: Evidence, limit: int) -> dict[str, Any]:
    return {"target": target_ref(ws, found.target_id), "customers": found.customers, "companies": found.companies,
            "customer_count": found.customer_count, "company_count": found.company_count,
            "weight": found.weight, "quotes": [
                {"ref": q.ref, "text": q.text, "customer": q.customer, "company": q.company, "source": q.source,
                 "said_at": q.said_at, "importance": q.importance, "via": target_ref(ws, q.via)}
                for q in (found.quotes if limit <= 0 else found.quotes[:limit])]}


def evidence_text(ws: Workspace, found: Evidence, limit: int = 10) -> str:
    """Customers, companies and the quotes newest first, as ``item show`` and ``feedback evidence`` print them."""
    lines = [f"Evidence: {counted(found.customer_count, 'customer')}, "
             f"{counted(found.company_count, 'company', 'companies')}, {counted(len(found.quotes), 'quote')}"]
    if found.customers:
        lines.append("  customers: " + safe_text(", ".join(found.customers)))
    for q in found.quotes[: limit if limit > 0 else None]:
        via = "" if q.via == found.target_id else f" (via {target_ref(ws, q.via)})"
        who = safe_text(" · ".join(p for p in (q.customer, q.company) if p) or "(unknown)")
        lines.append(f"  {q.said_at or '':<10} {q.ref:<7} {q.importance:<12} {who}{via}: “{safe_text(_one_line(q.text, 80))}”")
    if limit > 0 and len(found.quotes) > limit:
        lines.append(f"  … {len(found.quotes) - limit} more (--limit 0 shows all)")
    return "\n".join(lines)


def show_evidence(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    found = wb.evidence(args.target, ws)
    emit(args, lambda: as_of_banner(args, ws) + f"{target_ref(ws, found.target_id)}\n" + evidence_text(ws, found, args.limit),
         evidence_dict(ws, found, args.limit))


def import_csv(args: argparse.Namespace, wb: Workbench) -> None:
    report = import_feedback_csv(
        wb, args.file, args.text_column, args.customer_column, args.company_column, args.date_column,
        args.tags_column, args.source_column, args.source, args.date_format, args.delimiter, args.dry_run,
        reason(args))

    def text() -> str:
        verb = "would import" if report.dry_run else "imported"
        span = f" ({report.imported[0]}..{report.imported[-1]})" if report.imported else ""
        lines = [f"{verb} {report.count} notes{span} into the inbox; skipped {len(report.skipped)}"]
        lines += [f"  line {s.row}: {safe_text(s.reason)}" for s in report.skipped]
        return "\n".join(lines)
    emit(args, text, {"count": report.count, "imported": report.imported, "dry_run": report.dry_run,
                      "skipped": [{"line": s.row, "reason": s.reason} for s in report.skipped]})


def register(sub: argparse._SubParsersAction) -> None:
    fb = group(sub, "feedback", "customer feedback notes: add, list (the inbox), show, link, unlink, tag, archive, "
               "import, evidence; alone: the list", default=list_notes, query=True, words=[], inbox=False, status=None,
               customer=None, company=None, tag=None, source=None, for_=None, limit=50)
    p = command(fb, "add", add, "record what a customer said (it arrives in the inbox); prints its reference",
                write=True)
    p.add_argument("text", nargs="+", help="what they said")
    p.add_argument("--customer", help="who said it")
    p.add_argument("--company", help="their company")
    p.add_argument("--source", default="other", help=SOURCES + " (default other)")
    p.add_argument("--at", help="when they said it: 2026-10-01, or -3d (default: unknown)")
    p.add_argument("--tags", help="comma-separated tags")
    p = command(fb, "list", list_notes, "notes, newest first (archived ones only with --status)", query=True)
    p.add_argument("words", nargs="*", help="words the text must contain")
    p.add_argument("--inbox", action="store_true", help="only notes not triaged yet")
    p.add_argument("--status", help="inbox, linked, archived or all")
    p.add_argument("--customer")
    p.add_argument("--company")
    p.add_argument("--tag")
    p.add_argument("--source")
    p.add_argument("--for", dest="for_", metavar="ITEM", help="only notes that are evidence for this item")
    p.add_argument("--limit", type=int, default=50, help="at most this many (0: all; default 50)")
    p = command(fb, "show", show, "one note with its links", query=True)
    p.add_argument("note", help="FB-n")
    p = command(fb, "link", link, "link a note to a work item, epic or roadmap item", write=True)
    p.add_argument("note", help="FB-n")
    p.add_argument("target", help="an item key (AC-12) or a roadmap item (RM-3)")
    p.add_argument("--importance", default="important", help="nice-to-have, important or critical (default important)")
    p = command(fb, "unlink", unlink, "remove a note's link", write=True)
    p.add_argument("note")
    p.add_argument("target")
    p = command(fb, "tag", tag, "set a note's tags (replaces them; empty clears)", write=True)
    p.add_argument("note")
    p.add_argument("tags", help="comma-separated tags")
    p = command(fb, "archive", archive, "take a note out of the inbox without linking it", write=True)
    p.add_argument("note")
    p.add_argument("--restore", action="store_true", help="bring it back instead")
    p = command(fb, "evidence", show_evidence, "the evidence of an item, epic or roadmap item", query=True)
    p.add_argument("target")
    p.add_argument("--limit", type=int, default=10, help="quotes to show (0: all; default 10)")
    p = command(fb, "import", import_csv, "notes from a survey or support CSV; reports what was skipped and why",
                write=True)
    p.description = FEEDBACK_CSV_HELP
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("file")
    for what in ("text", "customer", "company", "date", "tags", "source"):
        p.add_argument(f"--{what}-column", metavar="NAME", help=f"the column holding the {what}")
    p.add_argument("--source", default="survey", help=SOURCES + " for rows without a source column (default survey)")
    p.add_argument("--date-format", help="strptime format of the dates, e.g. %%d/%%m/%%Y")
    p.add_argument("--delimiter", help="the column separator (default: guessed from , ; or tab)")
    p.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
