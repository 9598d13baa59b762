"""The dashboard: KPI and flow charts drawn at their widgets' size, following time travel."""

from __future__ import annotations

from collections.abc import Callable

from pmtui.timespec import parse_as_of
from pmtui.tui.app import PmApp
from pmtui.tui.screens.dashboard import DashboardScreen
from pmtui.tui.widgets.chart import ChartWidget


async def settle(app: PmApp, pilot) -> None:  # noqa: ANN001 - textual's Pilot
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def chart_text(app: PmApp, widget_id: str) -> str:
    return app.screen.query_one(f"#{widget_id}", ChartWidget).render().plain


async def test_dashboard_shows_kpis_and_flow_charts(make_app: Callable[..., PmApp]) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        ids = [w.id for w in screen.query(ChartWidget)]
        assert ids == ["chart-kpi-checkout-p95-latency", "chart-kpi-conversion-rate", "chart-kpi-weekly-active-buyers",
                       "chart-burndown", "chart-velocity", "chart-cfd", "chart-cycle-time"]
        burndown = chart_text(app, "chart-burndown")
        assert "Burndown: Sprint 4" in burndown and "ideal" in burndown
        widget = screen.query_one("#chart-velocity", ChartWidget)
        lines = widget.render().plain.splitlines()
        assert len(lines) == widget.content_size.height  # drawn at the widget's own size
        assert "target" in chart_text(app, "chart-kpi-conversion-rate")
        assert "3 KPIs" in str(screen.query_one("#dash-status").render())
        await pilot.press("m")
        await settle(app, pilot)
        assert len(list(screen.query(ChartWidget))) == 11


async def test_dashboard_follows_time_travel(make_app: Callable[..., PmApp]) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        now_burndown = chart_text(app, "chart-burndown")
        app.travel_to(parse_as_of("2026-11-10"))
        await settle(app, pilot)
        past = chart_text(app, "chart-burndown")
        assert "Burndown: Sprint 4" in now_burndown
        assert "Burndown: Sprint 3" in past  # the sprint running back then
        assert "as of" in str(app.screen.query_one("#dash-status").render())
        app.return_to_now()
        await settle(app, pilot)
        assert "Burndown: Sprint 4" in chart_text(app, "chart-burndown")


async def test_sprint_view_shows_the_shown_sprints_burndown(make_app: Callable[..., PmApp]) -> None:
    app = make_app("sprint")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        chart = app.screen.query_one("#sprint-burndown", ChartWidget)
        text = chart.render().plain
        assert "Burndown: Sprint 4" in text and "remaining" in text
        await pilot.press("comma")  # the previous sprint
        await settle(app, pilot)
        assert "Burndown: Sprint 3" in chart.render().plain


async def test_a_burst_of_time_travel_steps_ends_on_the_last_one(make_app: Callable[..., PmApp]) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        app.travel_to(parse_as_of("2026-11-10"))
        app.travel_to(parse_as_of("2026-11-19"))  # while the first is still computing
        for _ in range(50):
            await settle(app, pilot)
            if not screen._computing:
                break
        assert "Burndown: Sprint 4" in chart_text(app, "chart-burndown")
        assert "2026-11-19" in str(screen.query_one("#dash-status").render())


async def _settled(pilot) -> None:  # noqa: ANN001 - textual's Pilot
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # a refresh that came while computing runs once more
    await pilot.pause()


def test_snapshot_dashboard_80x24(snap_compare, make_app: Callable[..., PmApp]) -> None:
    assert snap_compare(make_app("dashboard"), terminal_size=(80, 24), run_before=_settled)


def test_snapshot_dashboard_160x48(snap_compare, make_app: Callable[..., PmApp]) -> None:
    assert snap_compare(make_app("dashboard"), terminal_size=(160, 48), run_before=_settled)


async def test_more_charts_are_ready_before_m_and_m_keeps_the_charts_on_show(make_app, monkeypatch) -> None:  # noqa: ANN001
    """The worker computes the more charts after the ones on show, so m only mounts them (and m
    again removes them): no computation starts, the charts already drawn stay as they are."""
    from pmtui.tui.screens import dashboard

    sources = []
    real = dashboard.ChartSource
    monkeypatch.setattr(dashboard, "ChartSource", lambda *a, **k: sources.append(1) or real(*a, **k))
    app = make_app("dashboard")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.settled
        shown = list(screen.query(ChartWidget))
        drawn = [w.render() for w in shown]
        computed = len(sources)
        await pilot.press("m")
        await pilot.pause()
        charts = list(screen.query(ChartWidget))
        assert len(charts) == 11 and charts[:7] == shown and [w.render() for w in shown] == drawn
        assert all(w.builder is not None for w in charts)  # the more charts had their data already
        assert "Throughput" in chart_text(app, "chart-throughput")
        assert "m: fewer charts" in str(screen.query_one("#dash-status").render())
        await pilot.press("m")
        await pilot.pause()
        assert list(screen.query(ChartWidget)) == shown
        assert len(sources) == computed  # m computed nothing
        assert not screen.workers or all(w.group != "dashboard" or w.is_finished for w in screen.workers)
