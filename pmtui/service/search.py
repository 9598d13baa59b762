"""Finding things by what people remember of them: an item's key or words of its title, description
or comments; roadmap items, objectives, KPIs, sprints and people by name. Used by the TUI's command
palette and go-to; pure reads of a Workspace.

The words of every thing are gathered into an index once (~300 ms at 50k items; the TUI does it in
a worker when it starts and when the palette opens), then kept: when the workspace moves to another
position on the log (a write, another session's change, a time-travel step) only the items the
events in between touched are read again. Each key typed is then one pass of substring tests over
the items that matched the key before (~10 ms at 50k items for the first key, less after).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from pmtui.store.readmodel import Point
from projections.state import Workspace

MOVE_LIMIT = 2000  # more aggregates touched than this between two positions: build afresh


class ItemWords(msgspec.Struct, frozen=True):
    """What search and the pickers read of an item: a body decoded into this skips the rest."""

    id: str
    key: str
    title: str
    description: str = ""
    assignee: str | None = None
    archived: bool = False


Between = Callable[[], None]  # called between slices of a long build (a worker giving way to keys)


def item_words(ws: Workspace, between: Between | None = None) -> Iterable[Any]:
    """Every item's words: narrowly decoded from the store's rows, or the in-memory items."""
    rows_as = getattr(ws, "rows_as", None)
    if rows_as is None:
        return ws.items.values()
    return rows_as("items", ItemWords, between) if between is not None else rows_as("items", ItemWords)


@dataclass(frozen=True)
class Found:
    kind: str  # item, roadmap, objective, kpi, sprint, person
    ref: str  # the key, number or name that opens it (AC-37, RM-2, O-1, the KPI's or sprint's name)
    title: str
    score: float


class _Index:
    """Parallel lists (kind, ref, title, lower-cased words) of everything searchable: list
    comprehensions over them run at C speed, and Found objects are made for the few shown."""

    def __init__(self) -> None:
        self.kinds: list[str] = []
        self.refs: list[str] = []
        self.titles: list[str] = []
        self.words: list[str] = []
        self.lower_refs: list[str] = []
        self.lower_titles: list[str] = []

    def add(self, kind: str, ref: str, title: str, words: str) -> None:
        self.kinds.append(kind)
        self.refs.append(ref)
        self.titles.append(title)
        self.words.append(words)
        self.lower_refs.append(ref.lower())
        self.lower_titles.append(title.lower())

    def __add__(self, other: _Index) -> _Index:
        joined = _Index()
        for name in vars(joined):
            setattr(joined, name, getattr(self, name) + getattr(other, name))
        return joined


class _Items(_Index):
    """The items' part, one slot per item in order of creation; a slot is overwritten when its
    item changes and blanked (no words: nothing matches it) when the item does not exist at the
    index's position (after a step back in time past its creation)."""

    def __init__(self) -> None:
        super().__init__()
        self.slots: dict[str, int] = {}
        self.assignees: list[str | None] = []

    def put(self, item: Any, said: Iterable[str]) -> None:
        text = " ".join([item.key, item.title, item.description, *said]).lower()
        title = item.title + (" (archived)" if item.archived else "")
        slot = self.slots.get(item.id)
        if slot is None:
            self.slots[item.id] = len(self.kinds)
            self.add("item", item.key, title, text)
            self.assignees.append(item.assignee)
            return
        self.refs[slot], self.titles[slot], self.words[slot] = item.key, title, text
        self.lower_refs[slot], self.lower_titles[slot] = item.key.lower(), title.lower()
        self.assignees[slot] = item.assignee

    def blank(self, item_id: str) -> None:
        slot = self.slots.get(item_id)
        if slot is not None:
            self.words[slot] = self.lower_refs[slot] = self.lower_titles[slot] = ""
            self.assignees[slot] = None


class _State:
    """The last index built, for where on the log (``place``: the read model and position) or,
    for an in-memory workspace, for which one; and the last query's matches (a longer query typed
    on from it matches a subset of them)."""

    def __init__(self, ws: Workspace, place: tuple[Any, int] | None, items: _Items, things: _Things) -> None:
        self.ws = ws if place is None else None  # (a stored one's rows are not kept alive here)
        self.place, self.position, self.items, self.things = place, ws.position, items, things
        self.index = items + things.with_people(items.assignees)
        self.query = ""
        self.matched: list[int] = []


class _Things(_Index):
    """Everything but the items and people (a few thousand things at most), and the users' names:
    gathered again only when an event between two positions touched something else than items."""

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        for rm in ws.roadmap.values():
            self.add("roadmap", f"RM-{rm.number}", rm.title, f"rm-{rm.number} {rm.title} {rm.description}".lower())
        for objective in ws.objectives.values():
            self.add("objective", f"O-{objective.number}", objective.title,
                     f"o-{objective.number} {objective.title} {objective.period} {objective.owner}".lower())
        for kpi in ws.kpis.values():
            self.add("kpi", kpi.name, kpi.name, f"kpi {kpi.name} {kpi.unit}".lower())
        for sprint in ws.sprints.values():
            self.add("sprint", sprint.name, sprint.name, f"sprint {sprint.name} {sprint.goal}".lower())
        self.users = _users(ws)
        self.products = set(ws.products)  # (a new item moves its product's key counter: not a thing)

    def with_people(self, assignees: Iterable[str | None]) -> _Index:
        people = _Index()
        for name in sorted(self.users | {a for a in assignees if a}, key=str.lower):
            people.add("person", name, name, f"@{name} {name}".lower())
        return self + people


_lock = threading.Lock()  # the TUI builds in a worker thread while the palette may be searching
_searching = 0  # searches waiting for the lock
_counting = threading.Lock()
# The workspace itself is kept (not its id): a freed workspace's id can be reused by another's.
_state: _State | None = None


def _stored_position(ws: Workspace) -> tuple[Any, int] | None:
    """(read model, position) of a workspace read from the store's tables at a point on the log
    (now or #N); None for in-memory workspaces and moments (their rows are not a prefix of the log)."""
    model, point = getattr(ws, "model", None), getattr(ws, "point", None)
    if model is None or point is None or point.moment is not None:
        return None
    return model, ws.position


SLICE = 2000  # items put in the index between two calls of ``between``


def _build_items(ws: Workspace, between: Between | None = None) -> _Items:
    model, point = getattr(ws, "model", None), getattr(ws, "point", None)
    comments = ws.comments if between is None or model is None else model.entries("comments", point, between=between)
    said: dict[str, list[str]] = {}
    for comment in comments:
        said.setdefault(comment.item_id, []).append(comment.text)
    items = _Items()
    for n, item in enumerate(item_words(ws, between)):
        items.put(item, said.get(item.id, ()))
        if between is not None and n % SLICE == SLICE - 1:
            between()
    return items


def _moved(state: _State, ws: Workspace) -> tuple[_Items, bool] | None:
    """The state's items moved to ``ws``'s position (either way on the log) by reading again only
    the items touched in between, and whether anything else was touched; None when that is not
    possible or not cheaper."""
    was, now = state.place, _stored_position(ws)
    if was is None or now is None or was[0] is not now[0]:
        return None
    model, low, high = now[0], min(was[1], now[1]), max(was[1], now[1])
    touched = model.touched_between(low, high, limit=MOVE_LIMIT)
    if touched is None:
        return None
    items = state.items
    others = touched - items.slots.keys() - state.things.products
    if touched:
        ids = sorted(touched)
        rows = {v.id: v for v in model.views("items", ws.point, f" AND id IN ({','.join('?' * len(ids))})", ids,
                                             many=False)}
        for item in sorted(rows.values(), key=lambda v: v.number):  # new ones are added in creation order
            items.put(item, [c.text for c in ws.entries_of("comments", item.id)])
        for item_id in touched - rows.keys():
            items.blank(item_id)
    return items, bool(others - items.slots.keys())  # (less the items made in between)


def _users(ws: Workspace) -> set[str]:
    return {str(u["name"]) for u in ws.users.values() if not u.get("removed")}


def people(ws: Workspace) -> list[str]:
    """Everyone the workspace knows: active users and anyone ever assigned, sorted by name."""
    return sorted(_users(ws) | {i.assignee for i in item_words(ws) if i.assignee}, key=str.lower)


def _current(ws: Workspace, between: Between | None = None) -> _State:
    """The index for ``ws`` (call with ``_lock`` held). A workspace from the store is read through
    a private one at the same position: this may run in a worker thread while the UI thread
    reads (and moves on) the workspace it shows, whose lazily loaded tables are not for sharing."""
    global _state
    state, place = _state, _stored_position(ws)
    if state is not None and (state.place == place if place is not None
                              else state.ws is ws and state.position == ws.position):
        return state
    own = ws if place is None else place[0].workspace(Point(pos=place[1]))
    moved = _moved(state, own) if state is not None else None
    if moved is None:
        _state = _State(own, place, _build_items(own, between), _Things(own))
    else:
        items, elsewhere = moved
        _state = _State(own, place, items, _Things(own) if elsewhere or state is None else state.things)
    return _state


def prepare(ws: Workspace, between: Between | None = None) -> None:
    """Build (or move) the index for ``ws`` now, so the next search does not wait for it: the TUI
    calls this in a worker thread, with ``between`` called between slices of the build (where
    the worker waits while keys come in), unless a search is waiting for the index."""
    def give_way() -> None:
        if between is not None and not _searching:
            between()

    with _lock:
        _current(ws, give_way)


def find(ws: Workspace, query: str, limit: int = 30) -> list[Found]:
    """Things whose words hold every word of ``query`` (any case), best first: an exact key or
    name, then a key or name that starts with the query, then words in the title, then elsewhere
    (each group in the log's order)."""
    words = query.lower().split()
    if not words:
        return []
    whole = " ".join(words)
    global _searching
    with _counting:
        _searching += 1  # a build under way stops giving way: this search waits for it
    try:
        _lock.acquire()
    finally:
        with _counting:
            _searching -= 1
    try:
        state = _current(ws)
        index = state.index
        texts = index.words
        # A query typed on from the last one (its last word longer, or more words) matches a
        # subset of what the last one matched: only those are tested again.
        narrower = bool(state.query) and whole.startswith(state.query)
        matched = ([n for n in state.matched if words[0] in texts[n]] if narrower
                   else [n for n, text in enumerate(texts) if words[0] in text])
        for word in words[1:]:
            matched = [n for n in matched if word in texts[n]]
        state.query, state.matched = whole, matched
    finally:
        _lock.release()
    return _ranked(index, len(state.items.kinds), matched, words, whole, limit)


def _ranked(index: _Index, items_end: int, matched: list[int], words: list[str], whole: str,
            limit: int) -> list[Found]:
    """The groups of ``find``; ``items_end``: the items come first in the index, the other things
    (fewer, and ranked above items when their title matches) after them."""
    refs, titles = index.lower_refs, index.lower_titles
    exact = [n for n in matched if refs[n] == whole]
    prefix: list[int] = []
    for n in matched:
        if len(prefix) >= limit:
            break  # (only the first ``limit`` of a group are shown)
        if refs[n] != whole and refs[n].startswith(whole):
            prefix.append(n)
    groups: list[tuple[float, list[int]]] = [(1.0, exact), (0.9, prefix)]
    if len(exact) + len(prefix) < limit:
        taken = set(exact) | set(prefix)
        things: list[int] = []
        items: list[int] = []
        elsewhere: list[int] = []
        cut = bisect_left(matched, items_end)  # (matched is in the index's order)
        for n in matched[:cut]:
            if len(items) >= limit:
                break  # (the list is full before the matches elsewhere: on to the other things)
            if n not in taken:
                if all(w in titles[n] for w in words):
                    items.append(n)
                elif len(elsewhere) < limit:
                    elsewhere.append(n)
        for n in matched[cut:]:
            if n not in taken:
                if all(w in titles[n] for w in words):
                    things.append(n)
                elif len(elsewhere) < limit:
                    elsewhere.append(n)
        groups += [(0.8, things), (0.7, items), (0.5, elsewhere)]
    found: list[Found] = []
    for score, members in groups:
        for n in members[:limit - len(found)]:
            found.append(Found(index.kinds[n], index.refs[n], index.titles[n], score))
    return found
