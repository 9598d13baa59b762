"""Feedback notes from CSV: the shape survey and support tools export (a text column, optional
customer / company / date / tags / source columns), mapped with options. Rows that cannot become a
note are skipped, each with its reason, in the report; the rest are recorded in the inbox.

Column names are matched in any case; without an option the usual names are guessed (a text column
named text, feedback, comment, response…). A named column that is not in the file is a mistake:
one line, nothing written."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from domain.exceptions import DomainError
from pmtui.errors import UserError
from pmtui.service.evidence import said_date

if TYPE_CHECKING:
    from pmtui.service.workbench import Workbench

GUESSES = {
    "text": ("text", "feedback", "comment", "comments", "response", "answer", "note", "quote", "message",
             "what did they say"),
    "customer": ("customer", "name", "respondent", "contact", "person", "customer name", "user"),
    "company": ("company", "organisation", "organization", "account", "company name"),
    "date": ("date", "said at", "submitted at", "submitted", "created", "created at", "timestamp", "when"),
    "tags": ("tags", "labels", "tag"),
    "source": ("source", "channel"),
}
FEEDBACK_CSV_HELP = """\
Feedback notes from CSV (`pmtui feedback import FILE`): UTF-8, the first row the headers.
  --text-column NAME      what the customer said (guessed: text, feedback, comment, response…)
  --customer-column NAME  who said it (guessed: customer, name, respondent…)
  --company-column NAME   their company (guessed: company, organisation, account…)
  --date-column NAME      when they said it: 2026-10-01, an ISO date-time, or --date-format
  --tags-column NAME      tags separated by commas or semicolons
  --source-column NAME    support, sales, interview, survey or other per row; else --source
Rows without text, with a date or source that cannot be read, or already imported (same text,
customer and date) are skipped and listed with the reason."""


class Skipped(msgspec.Struct, frozen=True):
    row: int  # the line of the file (the headers are line 1)
    reason: str


class FeedbackImport(msgspec.Struct):
    count: int = 0  # notes imported (with --dry-run: that would be)
    imported: list[str] = []  # the new notes' references
    skipped: list[Skipped] = []
    dry_run: bool = False


def _tags(value: str) -> list[str]:
    out = []
    for part in re.split(r"[,;]", value or ""):
        tag = re.sub(r"[^\w.\-/]", "", "-".join(part.strip().lower().split()))[:40]
        if tag and tag not in out:
            out.append(tag)
    return out


def _column(headers: list[str], name: str | None, what: str, required: bool = False) -> str | None:
    by_lower = {h.strip().lower(): h for h in headers}
    if name:
        found = by_lower.get(name.strip().lower())
        if found is None:
            raise UserError(f"the CSV has no column {name!r} for the {what} (columns: {', '.join(headers)})")
        return found
    for guess in GUESSES[what]:
        if guess in by_lower:
            return by_lower[guess]
    if required:
        raise UserError(f"which column holds the {what}? give --{what}-column NAME (columns: {', '.join(headers)})")
    return None


def _date(value: str, date_format: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if date_format:
        try:
            return datetime.strptime(text, date_format).date().isoformat()
        except ValueError:
            pass
    try:
        return said_date(text)
    except (DomainError, ValueError):
        raise UserError(f"date {text!r} cannot be read" + ("" if date_format else " (give --date-format, e.g. %d/%m/%Y)")) from None


def import_feedback_csv(wb: Workbench, path: str | Path, text_column: str | None = None,
                        customer_column: str | None = None, company_column: str | None = None,
                        date_column: str | None = None, tags_column: str | None = None,
                        source_column: str | None = None, source: str = "survey", date_format: str | None = None,
                        delimiter: str | None = None, dry_run: bool = False, reason: str = "") -> FeedbackImport:
    from domain.feedback import FeedbackNote

    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text: save it from the survey tool as UTF-8 CSV") from None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(raw.splitlines(keepends=True), delimiter=delimiter)
    try:
        headers = next(reader)
    except (StopIteration, csv.Error):
        raise UserError(f"{path} is empty: a CSV needs a first row of column names") from None
    columns = {
        "text": _column(headers, text_column, "text", required=True),
        "customer": _column(headers, customer_column, "customer"),
        "company": _column(headers, company_column, "company"),
        "date": _column(headers, date_column, "date"),
        "tags": _column(headers, tags_column, "tags"),
        "source": _column(headers, source_column, "source"),
    }
    index = {what: headers.index(col) for what, col in columns.items() if col is not None}
    FeedbackNote.record("check", 1, "check", source=source)  # a bad --source: one line, before reading rows
    product = wb.product()
    seen = {(n.text, n.customer.casefold(), n.said_at): n.ref for n in wb.now.notes.values()}
    report = FeedbackImport(dry_run=dry_run)
    rows: list[dict[str, Any]] = []
    next_start = reader.line_num + 1
    for row in reader:
        # The file line the row starts on (a quoted cell may span lines).
        line, next_start = next_start, reader.line_num + 1

        def cell(what: str) -> str:
            at = index.get(what)
            return row[at].strip() if at is not None and at < len(row) else ""
        if not any(c.strip() for c in row):
            continue  # blank lines are not rows
        fields: dict[str, Any] = {"text": cell("text"), "customer": cell("customer"), "company": cell("company"),
                                  "source": cell("source").lower() or source, "tags": _tags(cell("tags"))}
        if not fields["text"]:
            report.skipped.append(Skipped(line, "no text"))
            continue
        try:
            fields["said_at"] = _date(cell("date"), date_format)
            note = FeedbackNote.record(product.id, 1, **fields)
        except DomainError as error:
            report.skipped.append(Skipped(line, str(error)))
            continue
        key = (note.text, note.customer.casefold(), note.said_at)
        if key in seen:
            report.skipped.append(Skipped(line, f"already there as {seen[key]} (same text, customer and date)"))
            continue
        seen[key] = f"line {line}"
        rows.append(fields)
    report.count = len(rows)
    if not dry_run and rows:
        report.imported = [f"FB-{n}" for n in wb.import_notes(rows, reason or f"imported from {Path(path).name}")]
    return report
