"""A chart in the TUI: draws a chart builder (pmtui.charts) at the widget's own size, again on
every resize, and caches the drawing until the size or the builder changes."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.events import Resize
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from pmtui.service.chart_sources import ChartSource
from pmtui.charts import ChartBuilder, burndown_chart
from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from projections.metrics import sprint_series


class ChartWidget(Widget):
    DEFAULT_CSS = """
    ChartWidget { height: 16; min-height: 6; width: 1fr; }
    """

    def __init__(self, builder: ChartBuilder | None = None, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._builder = builder
        self._drawn: tuple[int, int, Text] | None = None

    @property
    def builder(self) -> ChartBuilder | None:
        return self._builder

    def show(self, builder: ChartBuilder | None) -> None:
        """Draw another chart (or the same one from fresh data)."""
        self._builder = builder
        self._drawn = None
        self.refresh()

    @property
    def settled(self) -> bool:
        """The chart on show is drawn at the widget's size (nothing left to compute or draw)."""
        size = (self.content_size.width, self.content_size.height)
        return self._builder is not None and self._drawn is not None and self._drawn[:2] == size

    def on_resize(self, _event: Resize) -> None:
        self._drawn = None
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        if self._builder is None or width < 10 or height < 4:
            return Text("")
        if self._drawn is None or self._drawn[:2] != (width, height):
            self._drawn = (width, height, Text.from_ansi(self._builder(width, height, True), no_wrap=True))
        return self._drawn[2]


class BurndownChart(ChartWidget):
    """The Sprint view's burndown: ``show_sprint(id)`` draws that sprint as of the app's time-travel
    point. The series is computed in a worker thread, one computation at a time (a burst of moves
    ends in one more run with the latest state); each computation reads the sprint's window from the store."""

    DEFAULT_CSS = """
    BurndownChart { height: 1fr; width: 1fr; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.sprint_id: str | None = None
        self._computing = False
        self._again = False

    def show_sprint(self, sprint_id: str) -> None:
        self.sprint_id = sprint_id
        if self._computing:
            self._again = True
            return
        app = self.app
        self._computing = True
        self._compute(app.wb, app.as_of, sprint_id)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="burndown", exit_on_error=False)
    def _compute(self, wb: Workbench, point: AsOf, sprint_id: str) -> None:
        source = ChartSource(wb, point)
        series = sprint_series(source.source, sprint_id, source.tz)
        builder: ChartBuilder = lambda w, h, c: burndown_chart(series, w, h, c)  # noqa: E731
        self.app.call_from_thread(self.show, builder)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "burndown" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._computing = False
        if self._again and self.sprint_id is not None:
            self._again = False
            self.show_sprint(self.sprint_id)
