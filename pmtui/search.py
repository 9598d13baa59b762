"""Finding things by what people remember of them: an item's key or words of its title, description
or comments; roadmap items, objectives, KPIs, sprints and people by name. Used by the TUI's command
palette and go-to; pure reads of a Workspace.

The words of every thing are gathered once per workspace state (keyed by its position and size),
so each key typed in the palette is one pass of substring tests: ~10 ms at 50k items.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from projections.state import Workspace


@dataclass(frozen=True)
class Found:
    kind: str  # item, roadmap, objective, kpi, sprint, person
    ref: str  # the key, number or name that opens it (AC-37, RM-2, O-1, the KPI's or sprint's name)
    title: str
    score: float


@dataclass(frozen=True)
class _Entry:
    kind: str
    ref: str
    title: str
    words: str  # lower-cased text searched


_cache: tuple[tuple[int, int, int], list[_Entry]] | None = None


def people(ws: Workspace) -> list[str]:
    """Everyone the workspace knows: active users and anyone ever assigned, sorted by name."""
    names = {str(u["name"]) for u in ws.users.values() if not u.get("removed")}
    names |= {i.assignee for i in ws.items.values() if i.assignee}
    return sorted(names, key=str.lower)


def _entries(ws: Workspace) -> list[_Entry]:
    global _cache
    stamp = (id(ws), ws.position, len(ws.items) + len(ws.comments))
    if _cache is not None and _cache[0] == stamp:
        return _cache[1]
    said: dict[str, list[str]] = {}
    for comment in ws.comments:
        said.setdefault(comment.item_id, []).append(comment.text)
    out: list[_Entry] = []
    for item in ws.items.values():
        text = " ".join([item.key, item.title, item.description, *said.get(item.id, ())])
        out.append(_Entry("item", item.key, item.title + (" (archived)" if item.archived else ""), text.lower()))
    for rm in ws.roadmap.values():
        out.append(_Entry("roadmap", f"RM-{rm.number}", rm.title, f"rm-{rm.number} {rm.title} {rm.description}".lower()))
    for objective in ws.objectives.values():
        out.append(_Entry("objective", f"O-{objective.number}", objective.title,
                          f"o-{objective.number} {objective.title} {objective.period} {objective.owner}".lower()))
    for kpi in ws.kpis.values():
        out.append(_Entry("kpi", kpi.name, kpi.name, f"kpi {kpi.name} {kpi.unit}".lower()))
    for sprint in ws.sprints.values():
        out.append(_Entry("sprint", sprint.name, sprint.name, f"sprint {sprint.name} {sprint.goal}".lower()))
    for name in people(ws):
        out.append(_Entry("person", name, name, f"@{name} {name}".lower()))
    _cache = (stamp, out)
    return out


def find(ws: Workspace, query: str, limit: int = 30) -> list[Found]:
    """Things whose words hold every word of ``query`` (any case), best first: an exact key or
    name, then a key or name that starts with the query, then words in the title, then elsewhere."""
    words = query.lower().split()
    if not words:
        return []
    whole = " ".join(words)
    found: list[Found] = []
    for entry in _entries(ws):
        text = entry.words
        if not all(word in text for word in words):
            continue
        ref = entry.ref.lower()
        title = entry.title.lower()
        if ref == whole:
            score = 1.0
        elif ref.startswith(whole):
            score = 0.9
        elif all(word in title for word in words):
            score = 0.8 if entry.kind != "item" else 0.7
        else:
            score = 0.5
        found.append(Found(entry.kind, entry.ref, entry.title, score))
    return heapq.nlargest(limit, found, key=lambda f: f.score)  # stable: ties keep the log's order
