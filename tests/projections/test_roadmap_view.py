"""Roadmap lanes, quarter timeline and the decision log."""

from projections.roadmap_view import decisions, find_roadmap_item, lanes, quarter_of, timeline
from tests.projections.conftest import PRODUCT, Log, uid


def propose(log: Log, n: int, title: str, horizon: str, timeframe: str | None = None, status: str = "proposed") -> str:
    rid = uid("m", n)
    log.add("RoadmapItem.Proposed", rid, {"product_id": PRODUCT, "title": title, "description": "", "horizon": horizon,
                                          "timeframe": timeframe, "status": status}, reason=f"idea {n}")
    return rid


def test_lanes_and_timeline(log: Log) -> None:
    a = propose(log, 1, "Pay", "now", "2026-Q4")
    b = propose(log, 2, "Search", "next", "2027-02-01..2027-03-31")
    c = propose(log, 3, "AI", "later")
    d = propose(log, 4, "Old", "now", "2026-Q3", status="done")
    log.change("RoadmapItem.Decided", c, horizon=["later", "next"], reason="customers ask")
    ws = log.fold()
    assert {k: [r.id for r in v] for k, v in lanes(ws).items()} == {"now": [a, d], "next": [b, c], "later": []}
    assert [r.id for r in lanes(ws, include_closed=False)["now"]] == [a]
    assert {k: [r.id for r in v] for k, v in timeline(ws).items()} == {
        "2026-Q3": [d], "2026-Q4": [a], "2027-Q1": [b], "unscheduled": [c]}
    assert quarter_of(None) is None and quarter_of("2026-11-15..2027-01-01") == "2026-Q4"
    assert find_roadmap_item(ws, "rm-2").id == b  # type: ignore[union-attr]
    assert find_roadmap_item(ws, "#3").id == c  # type: ignore[union-attr]
    assert find_roadmap_item(ws, " search ").id == b  # type: ignore[union-attr]
    assert find_roadmap_item(ws, "RM-9") is None


def test_decision_log_holds_proposals_and_decisions_not_plain_edits(log: Log) -> None:
    a = propose(log, 1, "Pay", "later")
    b = propose(log, 2, "Search", "next", "2027-Q1")
    log.change("RoadmapItem.Edited", a, title=["Pay", "Pay fast"])
    log.change("RoadmapItem.Decided", a, horizon=["later", "now"], status=["proposed", "planned"],
               reason="CEO call", actor="cid")
    found = decisions(log.records)
    assert [(d.roadmap_id, d.reason) for d in found] == [(a, "idea 1"), (b, "idea 2"), (a, "CEO call")]
    assert found[0].changes == {"horizon": [None, "later"], "status": [None, "proposed"]}
    assert found[1].changes["timeframe"] == [None, "2027-Q1"]
    assert found[2].changes == {"horizon": ["later", "now"], "status": ["proposed", "planned"]}
    assert found[2].actor == "cid"
    assert [d.seq for d in decisions(log.records, a)] == [found[0].seq, found[2].seq]
