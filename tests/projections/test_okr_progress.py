"""OKR progress: each key result from baseline to target, rolled up per objective."""

import pytest

from projections.okr_progress import find_objective, kr_progress, objective_progress, okrs
from tests.projections.conftest import PRODUCT, Log, uid


def kr(baseline: float, target: float, current: float, confidence: float = 0.5) -> dict:
    return {"metric": "m", "unit": "", "baseline": baseline, "target": target, "current": current,
            "confidence": confidence}


@pytest.mark.parametrize(("result", "progress"), [
    (kr(20, 50, 35), 0.5), (kr(20, 50, 20), 0.0), (kr(20, 50, 80), 1.0), (kr(20, 50, 0), 0.0),
    (kr(5, 2, 3.5), 0.5),  # lower is better: from 5 down to 2
    (kr(5, 5, 1), 1.0),
])
def test_kr_progress(result: dict, progress: float) -> None:
    assert kr_progress(result) == pytest.approx(progress)


def objective(log: Log, n: int, title: str, period: str, results: list[dict]) -> str:
    oid = uid("o", n)
    log.add("Objective.Created", oid, {"product_id": PRODUCT, "title": title, "period": period, "owner": "",
                                       "description": ""})
    for index in range(1, len(results) + 1):
        log.add("Objective.KeyResultEdited", oid, {"kr": index, "changes": {
            "key_results": [results[: index - 1], results[:index]]}})
    return oid


def test_rollup_filters_and_lookup(log: Log) -> None:
    a = objective(log, 1, "Grow", "2026-Q4", [kr(0, 10, 5, 0.9), kr(20, 50, 50, 0.4)])
    b = objective(log, 2, "Retain", "2027-Q1", [])
    c = objective(log, 3, "Old", "2026-Q4", [kr(0, 1, 1)])
    log.change("Objective.Edited", c, archived=[False, True])
    ws = log.fold()
    progress = objective_progress(ws.objectives[a])
    assert progress.progress == pytest.approx(0.75) and progress.confidence == 0.4
    assert [(n, p) for n, _, p in progress.key_results] == [(1, 0.5), (2, 1.0)]
    empty = objective_progress(ws.objectives[b])
    assert (empty.progress, empty.confidence, empty.key_results) == (0.0, None, [])
    assert [o.objective.id for o in okrs(ws)] == [a, b]
    assert [o.objective.id for o in okrs(ws, period="2026-Q4")] == [a]
    assert [o.objective.id for o in okrs(ws, include_archived=True)] == [a, b, c]
    assert find_objective(ws, "O-2").id == b and find_objective(ws, "#1").id == a  # type: ignore[union-attr]
    assert find_objective(ws, "retain").id == b and find_objective(ws, "O-7") is None  # type: ignore[union-attr]
