"""OKR progress over time: each check-in moves a key result; the objective's progress (the mean of
its key results, projections.okr_progress) is taken right after every change to the objective."""

from __future__ import annotations

import msgspec

from projections.metrics.source import MetricSource
from projections.metrics.walk import at_event, chains
from projections.okr_progress import kr_progress, objective_progress


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


def okr_trends(source: MetricSource, period: str | None = None) -> list[OkrTrend]:
    """Progress of every (non-archived) objective and key result over time, as of the source's
    point: a point per version of the objective that moved its progress, and one per check-in."""
    objectives = sorted(source.rows("objectives").values(), key=lambda o: o.number)
    chosen = [o for o in objectives if not o.archived and (period is None or o.period == period)]
    if not chosen:
        return []
    versions = chains(source.versions("objectives", float("-inf"), source.moment))
    checkins = source.entries("checkins", float("-inf"), source.moment)
    trends = []
    for objective in chosen:
        chain = versions.get(objective.id, [])
        points: list[ProgressPoint] = []
        for span in chain:
            progress = objective_progress(span.view)
            if not points or points[-1].progress != progress.progress:
                points.append(ProgressPoint(span.from_t, progress.progress, None, progress.confidence))
        krs: dict[int, list[ProgressPoint]] = {}
        for stamped in checkins:
            if stamped.entry.objective_id != objective.id:
                continue
            version = at_event(chain, stamped.t, stamped.seq)
            if version is None:
                continue
            number = stamped.entry.kr
            kr = version.view.key_results[number - 1]
            krs.setdefault(number, []).append(ProgressPoint(stamped.t, kr_progress(kr), kr["current"], kr["confidence"]))
        trends.append(OkrTrend(objective.id, f"O-{objective.number}", objective.title, objective.period,
                               points, krs, {n: kr["metric"] for n, kr in enumerate(objective.key_results, 1)}))
    return trends
