"""The roadmap: Now / Next / Later lanes, a quarter timeline, and the decision log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import msgspec

from projections.records import EventRecord
from projections.state import RoadmapView, Workspace

HORIZONS = ("now", "next", "later")


def lanes(ws: Workspace, include_closed: bool = True) -> dict[str, list[RoadmapView]]:
    result: dict[str, list[RoadmapView]] = {h: [] for h in HORIZONS}
    for item in sorted(ws.roadmap.values(), key=lambda r: r.number):
        if include_closed or item.status not in ("done", "dropped"):
            result[item.horizon].append(item)
    return result


def quarter_of(timeframe: str | None) -> str | None:
    """The quarter a timeframe starts in (``2026-Q4`` or the quarter of a range's start)."""
    if not timeframe:
        return None
    if "-Q" in timeframe:
        return timeframe
    start = date.fromisoformat(timeframe.split("..")[0])
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def timeline(ws: Workspace) -> dict[str, list[RoadmapView]]:
    """Roadmap items grouped by quarter, in order; those without a timeframe under "unscheduled"."""
    groups: dict[str, list[RoadmapView]] = {}
    for item in sorted(ws.roadmap.values(), key=lambda r: r.number):
        groups.setdefault(quarter_of(item.timeframe) or "unscheduled", []).append(item)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == "unscheduled", kv[0])))


def find_roadmap_item(ws: Workspace, ref: str) -> RoadmapView | None:
    text = ref.strip().upper().removeprefix("RM-").removeprefix("#")
    for item in ws.roadmap.values():
        if str(item.number) == text or item.id == ref or item.title.lower() == ref.strip().lower():
            return item
    return None


class Decision(msgspec.Struct, frozen=True):
    seq: int
    occurred: float
    recorded: float
    actor: str
    reason: str
    roadmap_id: str
    changes: dict[str, list[str | None]]


def decisions(records: Iterable[EventRecord], roadmap_id: str | None = None) -> list[Decision]:
    """Every change of horizon, timeframe or status, oldest first, with who and why; and, when not
    asked for one roadmap item, every change of the product's lifecycle stage (``roadmap_id`` is
    then the product's id)."""
    out = []
    for r in records:
        if r.name == "Product.StageChanged" and roadmap_id is None:
            out.append(Decision(r.seq, r.occurred, r.recorded, r.actor, r.reason, r.aggregate_id, r.data["changes"]))
        elif r.name == "RoadmapItem.Decided" and (roadmap_id is None or r.aggregate_id == roadmap_id):
            out.append(Decision(r.seq, r.occurred, r.recorded, r.actor, r.reason, r.aggregate_id, r.data["changes"]))
        elif r.name == "RoadmapItem.Proposed" and (roadmap_id is None or r.aggregate_id == roadmap_id):
            d = r.data
            out.append(Decision(r.seq, r.occurred, r.recorded, r.actor, r.reason, r.aggregate_id,
                                {"horizon": [None, d["horizon"]], "status": [None, d["status"]],
                                 **({"timeframe": [None, d["timeframe"]]} if d["timeframe"] else {})}))
    return out
