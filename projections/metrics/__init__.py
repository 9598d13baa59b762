"""Agile metrics and KPI trends from the true event history, each as of any moment.

Every metric is a pure function of the event records (and an as-of moment, and a time zone for
bucketing days): it folds them with the one workspace fold, in time order, and reads the views.
"""

from projections.metrics.cycle import ItemFlow, TimeStats, WeekCount, item_flows, percentile, throughput, time_stats
from projections.metrics.days import Zone, day_of, week_of
from projections.metrics.flow import CumulativeFlow, FlowDay, cumulative_flow
from projections.metrics.kpi import KpiPoint, KpiTrend, kpi_trend, kpi_trends, workspace_as_of
from projections.metrics.okr import OkrTrend, ProgressPoint, okr_trends
from projections.metrics.sprint import ScopeChange, SprintDay, SprintSeries, SprintVelocity, sprint_series, velocity

__all__ = [
    "CumulativeFlow", "FlowDay", "ItemFlow", "KpiPoint", "KpiTrend", "OkrTrend", "ProgressPoint", "ScopeChange",
    "SprintDay", "SprintSeries", "SprintVelocity", "TimeStats", "WeekCount", "Zone", "cumulative_flow", "day_of",
    "item_flows", "kpi_trend", "kpi_trends", "okr_trends", "percentile", "sprint_series", "throughput",
    "time_stats", "velocity", "week_of", "workspace_as_of",
]
