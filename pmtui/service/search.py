"""Finding things by what people remember of them: an item's key or words of its title, description
or comments; roadmap items, objectives, KPIs, sprints and people by name. Used by the TUI's command
palette and go-to; pure reads of a Workspace.

The words of every thing are gathered once per workspace state (keyed by its position and size),
so each key typed in the palette is one pass of substring tests: ~10 ms at 50k items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from projections.state import Workspace


class ItemWords(msgspec.Struct, frozen=True):
    """What search and the pickers read of an item: a body decoded into this skips the rest."""

    id: str
    key: str
    title: str
    description: str = ""
    assignee: str | None = None
    archived: bool = False


def item_words(ws: Workspace) -> Iterable[Any]:
    """Every item's words: narrowly decoded from the store's rows, or the in-memory items."""
    rows_as = getattr(ws, "rows_as", None)
    return rows_as("items", ItemWords) if rows_as is not None else ws.items.values()


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


# The workspace itself is kept (not its id): a freed workspace's id can be reused by another's.
_cache: tuple[Workspace, int, _Index] | None = None


def people(ws: Workspace) -> list[str]:
    """Everyone the workspace knows: active users and anyone ever assigned, sorted by name."""
    names = {str(u["name"]) for u in ws.users.values() if not u.get("removed")}
    names |= {i.assignee for i in item_words(ws) if i.assignee}
    return sorted(names, key=str.lower)


def _index(ws: Workspace) -> _Index:
    global _cache
    if _cache is not None and _cache[0] is ws and _cache[1] == ws.position:
        return _cache[2]
    said: dict[str, list[str]] = {}
    for comment in ws.comments:
        said.setdefault(comment.item_id, []).append(comment.text)
    index = _Index()
    for item in item_words(ws):
        text = " ".join([item.key, item.title, item.description, *said.get(item.id, ())])
        index.add("item", item.key, item.title + (" (archived)" if item.archived else ""), text.lower())
    for rm in ws.roadmap.values():
        index.add("roadmap", f"RM-{rm.number}", rm.title, f"rm-{rm.number} {rm.title} {rm.description}".lower())
    for objective in ws.objectives.values():
        index.add("objective", f"O-{objective.number}", objective.title,
                  f"o-{objective.number} {objective.title} {objective.period} {objective.owner}".lower())
    for kpi in ws.kpis.values():
        index.add("kpi", kpi.name, kpi.name, f"kpi {kpi.name} {kpi.unit}".lower())
    for sprint in ws.sprints.values():
        index.add("sprint", sprint.name, sprint.name, f"sprint {sprint.name} {sprint.goal}".lower())
    for name in people(ws):
        index.add("person", name, name, f"@{name} {name}".lower())
    _cache = (ws, ws.position, index)
    return index


def find(ws: Workspace, query: str, limit: int = 30) -> list[Found]:
    """Things whose words hold every word of ``query`` (any case), best first: an exact key or
    name, then a key or name that starts with the query, then words in the title, then elsewhere
    (each group in the log's order)."""
    words = query.lower().split()
    if not words:
        return []
    whole = " ".join(words)
    index = _index(ws)
    texts = index.words
    matched = [n for n, text in enumerate(texts) if words[0] in text]
    for word in words[1:]:
        matched = [n for n in matched if word in texts[n]]
    refs, titles = index.lower_refs, index.lower_titles
    exact = [n for n in matched if refs[n] == whole]
    prefix = [n for n in matched if refs[n] != whole and refs[n].startswith(whole)]
    chosen = exact + prefix
    groups: list[tuple[float, list[int]]] = [(1.0, exact), (0.9, prefix)]
    if len(chosen) < limit:
        taken = set(chosen)
        in_title = [n for n in matched if n not in taken and all(w in titles[n] for w in words)]
        groups.append((0.8, [n for n in in_title if index.kinds[n] != "item"]))
        groups.append((0.7, [n for n in in_title if index.kinds[n] == "item"]))
        taken.update(in_title)
        if len(chosen) + len(in_title) < limit:
            groups.append((0.5, [n for n in matched if n not in taken][:limit]))
    found: list[Found] = []
    for score, members in groups:
        for n in members[:limit - len(found)]:
            found.append(Found(index.kinds[n], index.refs[n], index.titles[n], score))
    return found
