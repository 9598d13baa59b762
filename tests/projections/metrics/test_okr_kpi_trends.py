"""OKR progress over time from check-ins; KPI trends with thresholds, high, low and breaches."""

from __future__ import annotations

from projections.metrics import FoldedSource, kpi_trends, okr_trends
from tests.projections.metrics.conftest import Story, moment


def tell_okr(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        wb.add_objective("Checkout is effortless", "2026-Q1")
        wb.add_key_result("O-1", "conversion", 100, 0)
        wb.add_key_result("O-1", "nps", 10, 0)
    with story.at("2026-03-02 09:00") as wb:
        wb.check_in("O-1", 1, 20)
    with story.at("2026-03-03 09:00") as wb:
        wb.check_in("O-1", 2, 5)
    with story.at("2026-03-05 09:00") as wb:
        wb.check_in("O-1", 1, 50)


def test_objective_and_key_results_progress_over_time(story: Story) -> None:
    tell_okr(story)
    (trend,) = okr_trends(FoldedSource(story.records(), story.ts("2026-03-20 00:00")))
    assert (trend.ref, trend.metrics) == ("O-1", {1: "conversion", 2: "nps"})
    assert [(p.at, p.progress) for p in trend.points] == [
        (story.ts("2026-03-01 09:00"), 0.0), (story.ts("2026-03-02 09:00"), 0.1),
        (story.ts("2026-03-03 09:00"), 0.35), (story.ts("2026-03-05 09:00"), 0.5)]
    assert [(p.value, p.progress) for p in trend.key_results[1]] == [(20, 0.2), (50, 0.5)]
    assert [p.value for p in trend.key_results[2]] == [5]


def test_okr_as_of_stops_before_later_check_ins(story: Story) -> None:
    tell_okr(story)
    (trend,) = okr_trends(FoldedSource(story.records(), story.ts("2026-03-04 00:00")))
    assert trend.points[-1].progress == 0.35
    assert len(trend.key_results[1]) == 1


def test_kpi_trend_marks_high_low_and_breaches(story: Story) -> None:
    with story.at("2026-03-01 09:00") as wb:
        wb.add_kpi("Latency", "ms", "lower", 100, 150, 200)
    for day, value in ((2, 120), (3, 210), (4, 90), (5, 160)):
        story.wb.measure("Latency", value, at=moment(f"2026-03-0{day} 09:00"))
    (trend,) = kpi_trends(FoldedSource(story.records(), story.ts("2026-03-20 00:00")))
    assert [(p.value, p.status) for p in trend.points] == [(120, "ok"), (210, "alarm"), (90, "ok"), (160, "warn")]
    assert (trend.high.value, trend.low.value) == (210, 90)  # type: ignore[union-attr]
    assert [(p.value, p.status) for p in trend.breaches] == [(210, "alarm"), (160, "warn")]
    assert trend.on_target is False
    (early,) = kpi_trends(FoldedSource(story.records(), story.ts("2026-03-04 12:00")))
    assert [p.value for p in early.points] == [120, 210, 90] and early.on_target is True
