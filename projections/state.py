"""The workspace read model: one fold of the whole event stream into plain, immutable views.

Views are frozen structs replaced on change, and the maps holding them are copied shallowly, so a
checkpoint of the whole state costs a few dict copies (the structs are shared). Views never refer
to each other, so they make no reference cycles: they are kept out of the cycle collector
(``gc=False``), which otherwise rescans every one of them again and again as a big log folds. The fold is the only
place events turn into state; every screen and query reads these views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec
from msgspec.structs import replace

from projections.records import EventRecord


class ProductView(msgspec.Struct, frozen=True, gc=False):
    id: str
    name: str
    key_prefix: str
    vision: str
    stage: str
    last_number: int = 0


class BoardView(msgspec.Struct, frozen=True, gc=False):
    id: str
    product_id: str
    name: str
    mode: str
    columns: list[dict[str, Any]]
    swimlanes: str = "none"
    # Archived columns (Trello's archived lists), each with the "position" it is restored to: out of
    # ``columns``, so boards, counts and moves no longer see them nor the items whose column they are.
    archived_columns: list[dict[str, Any]] = []

    def column(self, name: str) -> dict[str, Any] | None:
        """The column of that name as the domain matches it (any case, spaces trimmed); None if none."""
        for col in self.columns:
            if col["name"] == name:
                return col
        wanted = name.strip().lower()
        return next((col for col in self.columns if col["name"].lower() == wanted), None)

    @property
    def column_names(self) -> list[str]:
        return [c["name"] for c in self.columns]


class ItemView(msgspec.Struct, frozen=True, gc=False):
    id: str
    key: str
    number: int
    product_id: str
    board_id: str
    kind: str
    title: str
    status: str
    rank: str
    created: float
    updated: float
    created_by: str
    description: str = ""
    acceptance: str = ""
    points: float | None = None
    labels: list[str] = []
    assignee: str | None = None
    parent: str | None = None
    sprint: str | None = None
    release: str | None = None
    rice: dict[str, float] | None = None
    wsjf: dict[str, float] | None = None
    moscow: str | None = None
    links: list[list[str]] = []
    archived: bool = False
    comments: int = 0
    source: list[str] = []  # ids in the system it was imported from (trello:<card id>, jira:<issue id>)

    @property
    def rice_score(self) -> float | None:
        r = self.rice
        return None if not r else r["reach"] * r["impact"] * r["confidence"] / r["effort"]

    @property
    def wsjf_score(self) -> float | None:
        w = self.wsjf
        return None if not w else (w["value"] + w["time"] + w["risk"]) / w["size"]


class SprintView(msgspec.Struct, frozen=True, gc=False):
    id: str
    board_id: str
    name: str
    goal: str
    start: str | None
    end: str | None
    state: str = "planned"
    number: int = 0
    committed: dict[str, float | None] = {}  # item id -> points at the start (None: unestimated)
    done: list[str] = []
    carried: list[str] = []
    carried_to: str | None = None
    started_at: float | None = None
    closed_at: float | None = None


class ReleaseView(msgspec.Struct, frozen=True, gc=False):
    id: str
    product_id: str
    name: str
    target: str | None
    description: str
    milestone: bool = False
    shipped: bool = False


class RoadmapView(msgspec.Struct, frozen=True, gc=False):
    id: str
    number: int
    product_id: str
    title: str
    description: str
    horizon: str
    timeframe: str | None
    status: str
    epics: list[str] = []
    objectives: list[str] = []
    decided_at: float = 0.0


class ObjectiveView(msgspec.Struct, frozen=True, gc=False):
    id: str
    number: int
    product_id: str
    title: str
    period: str
    owner: str
    description: str
    key_results: list[dict[str, Any]] = []
    archived: bool = False


class KpiView(msgspec.Struct, frozen=True, gc=False):
    id: str
    product_id: str
    name: str
    unit: str
    direction: str
    target: float | None
    warn: float | None
    alarm: float | None
    description: str = ""


class CheckIn(msgspec.Struct, frozen=True, array_like=True, gc=False):
    objective_id: str
    kr: int
    at: float
    value: float
    confidence: float
    comment: str
    actor: str


class Measurement(msgspec.Struct, frozen=True, array_like=True, gc=False):
    kpi_id: str
    at: float
    value: float
    source: str


class Comment(msgspec.Struct, frozen=True, array_like=True, gc=False):
    item_id: str
    at: float
    actor: str
    text: str


class NoteView(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A feedback note: what a customer said, and the work it was linked to (triage).

    There may be 100,000s of them in the saved read model: positional (array-like) and with tuples
    (the empty one is shared), a note decodes ~3x faster than with field names and lists."""

    id: str
    number: int
    product_id: str
    text: str
    customer: str
    company: str
    source: str
    said_at: str | None  # the date the customer said it (None: not known)
    recorded: float  # when pmtui learned of it (the event's occurred time)
    created_by: str
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()  # (target id, "item" | "roadmap", importance)
    archived: bool = False
    updated: float = 0.0

    @property
    def ref(self) -> str:
        return f"FB-{self.number}"

    @property
    def status(self) -> str:
        """inbox (to triage), linked, or archived."""
        return "archived" if self.archived else ("linked" if self.links else "inbox")


class DocumentView(msgspec.Struct, frozen=True, gc=False):
    """A document's current version (its text rebuilt from the saved diffs)."""

    id: str
    number: int
    product_id: str
    title: str
    kind: str
    owner_kind: str  # product, item, roadmap or release
    owner_id: str
    text: str
    created: float
    created_by: str
    revision: int = 1
    updated: float = 0.0
    updated_by: str = ""

    @property
    def ref(self) -> str:
        return f"DOC-{self.number}"


class Workspace(msgspec.Struct):
    """Everything the views read, as of ``position`` (the last event folded)."""

    position: int = 0
    count: int = 0
    at: float = 0.0  # occurred time of the latest event folded
    products: dict[str, ProductView] = {}
    boards: dict[str, BoardView] = {}
    items: dict[str, ItemView] = {}
    keys: dict[str, str] = {}  # item key -> id
    sprints: dict[str, SprintView] = {}
    releases: dict[str, ReleaseView] = {}
    roadmap: dict[str, RoadmapView] = {}
    objectives: dict[str, ObjectiveView] = {}
    kpis: dict[str, KpiView] = {}
    users: dict[str, dict[str, Any]] = {}
    numbers: dict[str, int] = {}  # table -> the highest display number given (S-n, RM-n, O-n)
    checkins: list[CheckIn] = []
    measurements: list[Measurement] = []
    withdrawn: list[Measurement] = []  # measurements taken back (undone); the series leave them out
    comments: list[Comment] = []
    notes: dict[str, NoteView] = {}  # feedback notes by id (projections/feedback_view.py)
    documents: dict[str, DocumentView] = {}  # documents by id (projections/document_view.py)

    def copy(self) -> Workspace:
        """A checkpoint: shallow copies of every map and list (views are immutable)."""
        return Workspace(**{
            name: (value.copy() if isinstance(value, (dict, list)) else value)
            for name, value in msgspec.structs.asdict(self).items()
        })

    def apply(self, record: EventRecord) -> None:
        handler = HANDLERS.get(record.name)
        if handler is not None:
            handler(self, record)
        self.position = record.seq
        self.count += 1
        if record.occurred > self.at:
            self.at = record.occurred

    def apply_all(self, records: Iterable[EventRecord]) -> Workspace:
        # ``apply`` in a loop, with the bookkeeping kept in locals (a rebuild's hot loop).
        handlers, position, count, at = HANDLERS, self.position, self.count, self.at
        try:
            for record in records:
                handler = handlers.get(record.name)
                if handler is not None:
                    handler(self, record)
                position = record.seq
                count += 1
                if record.occurred > at:
                    at = record.occurred
        finally:
            self.position, self.count, self.at = position, count, at
        return self

    # Convenience lookups used by queries and the service layer.
    @property
    def product(self) -> ProductView | None:
        return next(iter(self.products.values()), None)

    def item_by_key(self, key: str) -> ItemView | None:
        item_id = self.keys.get(key.strip().upper())
        return self.items.get(item_id) if item_id else None

    # Subsets of the items a view reads (a stored workspace selects them with indexed queries
    # instead of reading every item), each in order of creation.
    def cards_on_board(self, board_id: str) -> list[ItemView]:
        """The board's cards: its items that are neither archived nor epics."""
        return [i for i in self.items.values() if i.board_id == board_id and not i.archived and i.kind != "epic"]

    def cards_in_sprint(self, board_id: str, sprint_id: str) -> list[ItemView]:
        """The board's cards in the sprint."""
        return [i for i in self.cards_on_board(board_id) if i.sprint == sprint_id]

    def epics(self) -> list[ItemView]:
        """Every epic, archived ones too."""
        return [i for i in self.items.values() if i.kind == "epic"]

    def unarchived_items(self) -> list[ItemView]:
        return [i for i in self.items.values() if not i.archived]

    def number_for(self, table: str, record: EventRecord) -> int:
        """The display number of a thing created by ``record``: the one its Created event carries
        (fixed when it was made, so any order of folding names it alike), else, for events stored
        before numbers were, the next in the order they were folded."""
        given = record.data.get("number")
        number = int(given) if given else self.numbers.get(table, 0) + 1
        if number > self.numbers.get(table, 0):
            self.numbers[table] = number
        return number


Handler = Callable[[Workspace, EventRecord], None]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = fn
        return fn
    return register


def _new_values(record: EventRecord, fields: Iterable[str]) -> dict[str, Any]:
    """The new values of a ``Changed`` event, restricted to the fields a view has."""
    changes: dict[str, list[Any]] = record.data["changes"]
    return {name: pair[1] for name, pair in changes.items() if name in fields}


def _changed(table: str, view_type: type[msgspec.Struct], stamp: str | None = None) -> Handler:
    """The handler of a ``Changed`` event: the view with the new values of the fields it has,
    and with ``stamp`` (a field name, if given) set to when the event occurred."""
    fields = frozenset(view_type.__struct_fields__) - {"id", stamp}

    def apply(ws: Workspace, record: EventRecord) -> None:
        views: dict[str, Any] = getattr(ws, table)
        current = views.get(record.aggregate_id)
        if current is None:
            return
        values = {name: pair[1] for name, pair in record.data["changes"].items() if name in fields}
        if stamp is not None:
            values[stamp] = record.occurred
        views[record.aggregate_id] = replace(current, **values)

    return apply


# Product -----------------------------------------------------------------------------------------
@handles("Product.Created")
def _product_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.products[r.aggregate_id] = ProductView(r.aggregate_id, d["name"], d["key_prefix"], d["vision"], d["stage"])


handles("Product.Edited", "Product.KeyAllocated", "Product.StageChanged")(_changed("products", ProductView))


# Board -------------------------------------------------------------------------------------------
@handles("Board.Created")
def _board_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.boards[r.aggregate_id] = BoardView(r.aggregate_id, d["product_id"], d["name"], d["mode"], d["columns"])


handles("Board.Edited", "Board.ColumnArchived", "Board.ColumnRestored")(_changed("boards", BoardView))


# Work item ---------------------------------------------------------------------------------------
_ITEM_FIELDS = frozenset(ItemView.__struct_fields__)


@handles("WorkItem.Created")
def _item_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    fields = {k: v for k, v in d["fields"].items() if k in _ITEM_FIELDS}
    key = d["key"]
    number = int(key.rsplit("-", 1)[-1])
    product = ws.products.get(d["product_id"])
    if product is not None and number > product.last_number:
        ws.products[product.id] = replace(product, last_number=number)
    ws.items[r.aggregate_id] = ItemView(
        id=r.aggregate_id, key=key, number=number, product_id=d["product_id"],
        board_id=d["board_id"], kind=d["kind"], title=d["title"], status=d["status"], rank=d["rank"],
        created=r.occurred, updated=r.occurred, created_by=r.actor, **fields,
    )
    ws.keys[key] = r.aggregate_id


handles(
    "WorkItem.Edited", "WorkItem.Moved", "WorkItem.Ranked", "WorkItem.Archived",
    "WorkItem.Restored", "WorkItem.Linked",
)(_changed("items", ItemView, stamp="updated"))


@handles("WorkItem.Commented")
def _item_commented(ws: Workspace, r: EventRecord) -> None:
    item = ws.items.get(r.aggregate_id)
    if item is not None:
        ws.items[r.aggregate_id] = replace(item, comments=item.comments + 1, updated=r.occurred)
        ws.comments.append(Comment(r.aggregate_id, r.occurred, r.actor, r.data["text"]))


# Sprint ------------------------------------------------------------------------------------------
@handles("Sprint.Planned")
def _sprint_planned(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.sprints[r.aggregate_id] = SprintView(
        r.aggregate_id, d["board_id"], d["name"], d["goal"], d["start"], d["end"], number=ws.number_for("sprints", r)
    )


handles("Sprint.Edited")(_changed("sprints", SprintView))


@handles("Sprint.Started")
def _sprint_started(ws: Workspace, r: EventRecord) -> None:
    sprint = ws.sprints.get(r.aggregate_id)
    if sprint is not None:
        d = r.data
        ws.sprints[r.aggregate_id] = replace(
            sprint, state="active", committed=d["committed"], start=d["start"], end=d["end"], started_at=r.occurred
        )


@handles("Sprint.Closed")
def _sprint_closed(ws: Workspace, r: EventRecord) -> None:
    sprint = ws.sprints.get(r.aggregate_id)
    if sprint is not None:
        d = r.data
        ws.sprints[r.aggregate_id] = replace(
            sprint, state="closed", done=d["done"], carried=d["carried"], carried_to=d["carried_to"], closed_at=r.occurred
        )


# Release -----------------------------------------------------------------------------------------
@handles("Release.Created")
def _release_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.releases[r.aggregate_id] = ReleaseView(r.aggregate_id, d["product_id"], d["name"], d["target"], d["description"], d["milestone"])


handles("Release.Edited")(_changed("releases", ReleaseView))


# Roadmap -----------------------------------------------------------------------------------------
@handles("RoadmapItem.Proposed")
def _roadmap_proposed(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.roadmap[r.aggregate_id] = RoadmapView(
        r.aggregate_id, ws.number_for("roadmap", r), d["product_id"], d["title"], d["description"], d["horizon"],
        d["timeframe"], d["status"], decided_at=r.occurred,
    )


handles("RoadmapItem.Edited")(_changed("roadmap", RoadmapView))
handles("RoadmapItem.Decided")(_changed("roadmap", RoadmapView, stamp="decided_at"))


# Objectives --------------------------------------------------------------------------------------
@handles("Objective.Created")
def _objective_created(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.objectives[r.aggregate_id] = ObjectiveView(
        r.aggregate_id, ws.number_for("objectives", r), d["product_id"], d["title"], d["period"], d["owner"], d["description"]
    )


handles("Objective.Edited", "Objective.KeyResultEdited")(_changed("objectives", ObjectiveView))


@handles("Objective.CheckedIn")
def _objective_checked_in(ws: Workspace, r: EventRecord) -> None:
    _changed_objective(ws, r)
    index = r.data["kr"]
    kr = r.data["changes"]["key_results"][1][index - 1]
    ws.checkins.append(CheckIn(r.aggregate_id, index, r.occurred, kr["current"], kr["confidence"], r.data["comment"], r.actor))


_changed_objective = _changed("objectives", ObjectiveView)


# KPIs --------------------------------------------------------------------------------------------
@handles("Kpi.Defined")
def _kpi_defined(ws: Workspace, r: EventRecord) -> None:
    d = r.data
    ws.kpis[r.aggregate_id] = KpiView(
        r.aggregate_id, d["product_id"], d["name"], d["unit"], d["direction"], d["target"], d["warn"], d["alarm"], d["description"]
    )


handles("Kpi.Edited")(_changed("kpis", KpiView))


@handles("Kpi.Measured")
def _kpi_measured(ws: Workspace, r: EventRecord) -> None:
    ws.measurements.append(Measurement(r.aggregate_id, r.occurred, r.data["value"], r.data["source"]))


@handles("Kpi.MeasurementWithdrawn")
def _kpi_measurement_withdrawn(ws: Workspace, r: EventRecord) -> None:
    ws.withdrawn.append(Measurement(r.aggregate_id, r.data["measured"], r.data["value"], "withdrawn"))


# Users (team access) -----------------------------------------------------------------------------
@handles("User.Added")
def _user_added(ws: Workspace, r: EventRecord) -> None:
    fields = {k: v for k, v in r.data.items() if k not in ("undoes", "redoes")}  # event marks, not user fields
    ws.users[r.aggregate_id] = {"id": r.aggregate_id, **fields, "removed": False}


@handles("User.Edited", "User.Removed")
def _user_changed(ws: Workspace, r: EventRecord) -> None:
    user = ws.users.get(r.aggregate_id)
    if user is not None:
        ws.users[r.aggregate_id] = {**user, **_new_values(r, user.keys())}


def fold(records: Iterable[EventRecord]) -> Workspace:
    """The naive full replay: a fresh workspace with every record applied in order."""
    return Workspace().apply_all(records)


# Views of their own modules register their handlers when imported; imported last, since they
# import this module's names.
from projections import document_view, feedback_view  # noqa: E402,F401
