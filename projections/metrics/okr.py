"""OKR progress over time: each check-in moves a key result; the objective's progress (the mean of
its key results, projections.okr_progress) is taken right after every change to the objective."""

from __future__ import annotations

import msgspec

from projections.metrics.replay import Replay, in_time_order
from projections.okr_progress import kr_progress, objective_progress
from projections.records import EventRecord
from projections.state import ItemView, Workspace


class ProgressPoint(msgspec.Struct, frozen=True):
    at: float
    progress: float  # 0..1
    value: float | None = None  # the key result's current value (None for the objective)
    confidence: float | None = None


class OkrTrend(msgspec.Struct, frozen=True):
    objective_id: str
    ref: str  # O-2
    title: str
    period: str
    points: list[ProgressPoint]  # the objective
    key_results: dict[int, list[ProgressPoint]]  # by key result number (1-based)
    metrics: dict[int, str]  # key result number -> its metric name


def okr_trends(records: list[EventRecord], as_of: float, period: str | None = None) -> list[OkrTrend]:
    """Progress of every (non-archived) objective and key result over time, as of ``as_of``."""
    points: dict[str, list[ProgressPoint]] = {}
    krs: dict[str, dict[int, list[ProgressPoint]]] = {}

    def on_record(record: EventRecord, _before: ItemView | None, ws: Workspace) -> None:
        if not record.name.startswith("Objective."):
            return
        objective = ws.objectives.get(record.aggregate_id)
        if objective is None:
            return
        progress = objective_progress(objective)
        series = points.setdefault(objective.id, [])
        if not series or series[-1].progress != progress.progress:
            series.append(ProgressPoint(record.occurred, progress.progress, None, progress.confidence))
        if record.name == "Objective.CheckedIn":
            number = record.data["kr"]
            kr = objective.key_results[number - 1]
            krs.setdefault(objective.id, {}).setdefault(number, []).append(
                ProgressPoint(record.occurred, kr_progress(kr), kr["current"], kr["confidence"]))

    ws = Replay(in_time_order(records, as_of), on_record).rest()
    trends = []
    for objective in sorted(ws.objectives.values(), key=lambda o: o.number):
        if objective.archived or (period is not None and objective.period != period):
            continue
        trends.append(OkrTrend(objective.id, f"O-{objective.number}", objective.title, objective.period,
                               points.get(objective.id, []), krs.get(objective.id, {}),
                               {n: kr["metric"] for n, kr in enumerate(objective.key_results, 1)}))
    return trends
