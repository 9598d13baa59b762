"""A chart in the TUI: draws a chart builder (pmtui.charts) at the widget's own size, again on
every resize, and caches the drawing until the size or the builder changes."""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.widget import Widget

from pmtui.charts import ChartBuilder


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
