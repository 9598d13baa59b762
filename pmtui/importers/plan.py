"""An import plan: what an importer decided to write, as plain data, before anything is written.

Importers (Trello, Jira, CSV) read a file, validate all of it, and produce an ``ImportPlan``: the
board to create (name and columns) and the item steps to replay, each with the time it occurred in
the source and the person who did it. ``apply_plan`` (in ``apply.py``) then runs the steps through
ordinary Workbench commands. Planning first is what lets a malformed file write nothing: every
value has already been checked with the domain's own rules when the first event is written.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from domain.exceptions import DomainError
from domain.values import whole_name
from pmtui.errors import UserError

from domain.values import NAME_LIMIT

TITLE_LIMIT = COLUMN_LIMIT = NAME_LIMIT  # names are kept whole up to what Trello itself allows


class ImportFormatError(UserError):
    """The file is not what the importer reads; nothing was written."""


def read_json(path: str | Path, what: str) -> Any:
    """A JSON file's content, or one clear error line (``what`` names what the file should be)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ImportFormatError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path}: not {what} (not UTF-8 text)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None


@dataclass(frozen=True)
class Step:
    """One change to one imported item, at its original time, by its original author.

    ``action`` is one of create, edit, move, archive, restore, comment, rank (steps of the item
    ``ref``), or, with an empty ``ref``, a step of the board: rename_column, archive_column,
    restore_column, start_sprint, close_sprint. ``values`` holds, for create: title, kind, status
    and the item fields; for edit: the changed fields; for move: ``column``; for comment:
    ``text``; for rank: ``after`` (the ref of the item it follows); for the column steps:
    ``column`` (the column's name in the plan's ``columns``, its identity however it is renamed)
    and, for a rename, ``name``; for the sprint steps: ``sprint`` and, for a start, ``start`` and
    ``end``. ``source`` names what in the source file this replays (a Trello action type, a Jira
    changelog field), for the import's summary.
    """

    occurred: datetime
    actor: str
    ref: str
    action: str
    values: dict[str, Any]
    source: str


@dataclass
class ImportPlan:
    system: str  # "Trello", "Jira", "CSV"
    board_name: str
    columns: list[dict[str, Any]]
    product_name: str
    key_prefix: str
    started: datetime  # when the board came to be in the source: the board is created then
    started_by: str
    steps: list[Step] = field(default_factory=list)
    sprints: list[dict[str, Any]] = field(default_factory=list)  # name, start, end, occurred, actor
    replayed: Counter[str] = field(default_factory=Counter)  # source action/field -> how many replayed
    skipped: Counter[str] = field(default_factory=Counter)  # source action/field -> how many skipped
    seeded: int = 0  # items whose creation lay before the export's window: created from the snapshot
    items: int = 0
    mode: str = "kanban"  # the board's mode: scrum when the source has sprints
    note: str = ""  # the importing user's --reason, added to every event's reason
    # ref -> the item's ids in its source (trello:<card id>; jira:<issue id>, jira-key:<key>), kept
    # on the item so that importing again finds it
    sources: dict[str, list[str]] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return f"imported from {self.system}" + (f": {self.note}" if self.note else "")

    def sorted_steps(self) -> list[Step]:
        """Steps in the order they occurred (stable: same-time steps keep their planned order)."""
        return sorted(self.steps, key=lambda s: s.occurred)


# Value helpers shared by the importers ------------------------------------------------------------
def utc(text: Any, what: str) -> datetime:
    """A source timestamp (ISO 8601, ``Z`` or ``-0700`` offsets) as an aware UTC datetime."""
    if not isinstance(text, str) or not text.strip():
        raise ImportFormatError(f"{what}: expected a date-time, got {text!r}")
    moment = _parsed.get(text)
    if moment is None:
        if len(_parsed) > 200_000:  # bounded: a long-lived process may import many files
            _parsed.clear()
        moment = _parsed[text] = _utc(text, what)
    return moment


_parsed: dict[str, datetime] = {}  # an export names the same times again and again (validate, plan, steps)


def _utc(text: str, what: str) -> datetime:
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ImportFormatError(f"{what}: cannot read the date-time {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")


def whole(text: Any) -> str:
    """A source name as the domain keeps it: one line (each break one space), ends trimmed, runs of
    spaces kept, so it reads exactly as in the source."""
    return _BREAKS.sub(" ", str(text or "")).strip()


def title_of(text: Any) -> str:
    """A source title, kept whole (Trello's own limit is the domain's)."""
    words = whole(text)
    if not words:
        return "(untitled)"
    return words if len(words) <= TITLE_LIMIT else words[: TITLE_LIMIT - 1] + "…"


def short_name(text: Any, limit: int, fallback: str) -> str:
    """A board, product or sprint name: one line, cut to the domain's limit."""
    words = whole(text)
    return (words if len(words) <= limit else words[: limit - 1] + "…") or fallback


def column_name(text: Any, taken: set[str]) -> str:
    """A board column name from a source list/status name, kept whole, made unique on its board
    (case-insensitive): lists sharing a name stay distinct columns, "Done" and "Done (2)"."""
    base = whole(text)[:COLUMN_LIMIT - 8].strip() or "Unnamed"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name.lower())
    return name


def label_of(text: Any, fallback: str = "") -> str:
    """A source label as a pmtui label: one lower-case word of letters, digits, . - _ /."""
    words = "-".join(str(text or "").strip().lower().split())
    slug = re.sub(r"[^\w.\-/]", "", words)[:40].strip("-")
    if not slug and fallback:
        return label_of(fallback)
    return slug


def key_prefix_for(name: str, fallback: str) -> str:
    """A product key prefix from a name: the initials of its words, or the first letters of one."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9]*", name)
    prefix = "".join(w[0] for w in words) if len(words) > 1 else (words[0][:4] if words else "")
    prefix = prefix.upper()[:10]
    return prefix if re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", prefix) else fallback


DONE_WORDS = re.compile(r"\b(done|complete[d]?|finished|closed|shipped|released|resolved|removed|cancell?ed|"
                        r"rejected|won'?t\s*(do|fix)|archived?)\b", re.IGNORECASE)
TODO_WORDS = re.compile(r"\b(backlog|to\s*-?\s*do|todo|ideas?|inbox|open|new|next|planned|this\s+week|"
                        r"ready\s+for\s+engineering|accepted|selected)\b", re.IGNORECASE)


def category_by_name(name: str) -> str | None:
    """A column category guessed from a name: done-like words, then to-do-like words."""
    if DONE_WORDS.search(name):
        return "done"
    if TODO_WORDS.search(name):
        return "todo"
    return None


def check_item_values(values: dict[str, Any], what: str) -> dict[str, Any]:
    """Item fields validated (and normalised) by the domain's own rules, so replay cannot fail."""
    from domain.work_item import check_field  # the aggregate's rules (imported by an import only)

    checked: dict[str, Any] = {}
    for name, value in values.items():
        try:
            checked[name] = check_field(name, value)
        except DomainError as error:
            raise ImportFormatError(f"{what}: {error}") from None
    return checked


def check_column_names(columns: list[dict[str, Any]]) -> None:
    for col in columns:
        whole_name(col["name"], "column name", COLUMN_LIMIT)
