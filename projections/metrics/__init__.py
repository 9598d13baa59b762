"""Agile metrics and KPI trends from the true event history, each as of any moment.

Every metric is a pure function of a ``MetricSource`` standing at a point (and a time zone for
bucketing days): it reads the versions of the view rows that held in its window (a sprint, the
board's life) and walks them; nothing folds events (see projections.metrics.source).
"""

from projections.metrics.cycle import ItemFlow, TimeStats, WeekCount, item_flows, percentile, throughput, time_stats
from projections.metrics.days import Zone, day_of, week_of
from projections.metrics.flow import CumulativeFlow, FlowDay, cumulative_flow
from projections.metrics.kpi import KpiPoint, KpiTrend, kpi_trend, kpi_trends
from projections.metrics.okr import OkrTrend, ProgressPoint, okr_trends
from projections.metrics.source import FoldedSource, ItemFacts, MetricSource, Span, Stamped
from projections.metrics.sprint import ScopeChange, SprintDay, SprintSeries, SprintVelocity, sprint_series, velocity

__all__ = [
    "CumulativeFlow", "FlowDay", "FoldedSource", "ItemFacts", "MetricSource", "Span", "Stamped", "ItemFlow", "KpiPoint", "KpiTrend", "OkrTrend", "ProgressPoint", "ScopeChange",
    "SprintDay", "SprintSeries", "SprintVelocity", "TimeStats", "WeekCount", "Zone", "cumulative_flow", "day_of",
    "item_flows", "kpi_trend", "kpi_trends", "okr_trends", "percentile", "sprint_series", "throughput",
    "time_stats", "velocity", "week_of",
]
