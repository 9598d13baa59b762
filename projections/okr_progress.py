"""OKR progress: how far each key result has gone from baseline to target, rolled up."""

from __future__ import annotations

from typing import Any

import msgspec

from projections.state import ObjectiveView, Workspace


def kr_progress(kr: dict[str, Any]) -> float:
    span = kr["target"] - kr["baseline"]
    if span == 0:
        return 1.0
    return max(0.0, min(1.0, (kr["current"] - kr["baseline"]) / span))


class ObjectiveProgress(msgspec.Struct, frozen=True):
    objective: ObjectiveView
    progress: float
    confidence: float | None
    key_results: list[tuple[int, dict[str, Any], float]]


def objective_progress(objective: ObjectiveView) -> ObjectiveProgress:
    krs = [(n, kr, kr_progress(kr)) for n, kr in enumerate(objective.key_results, 1)]
    progress = sum(p for *_, p in krs) / len(krs) if krs else 0.0
    confidence = min((kr["confidence"] for _, kr, _ in krs), default=None)
    return ObjectiveProgress(objective, progress, confidence, krs)


def okrs(ws: Workspace, period: str | None = None, include_archived: bool = False) -> list[ObjectiveProgress]:
    return [objective_progress(o) for o in sorted(ws.objectives.values(), key=lambda o: o.number)
            if (period is None or o.period == period) and (include_archived or not o.archived)]


def find_objective(ws: Workspace, ref: str) -> ObjectiveView | None:
    text = ref.strip().upper().removeprefix("O-").removeprefix("#")
    for objective in ws.objectives.values():
        if str(objective.number) == text or objective.id == ref or objective.title.lower() == ref.strip().lower():
            return objective
    return None
