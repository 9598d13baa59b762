"""``pmtui`` alone opens the store once: the check for an empty store (and the demo it then makes)
and the TUI share one Workbench, closed when the TUI ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pmtui.service import workbench as service
from pmtui.cli import main
from pmtui.tui.app import PmApp


@pytest.mark.parametrize("fresh", [False, True])
def test_pmtui_alone_opens_the_store_once(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         fresh: bool) -> None:
    db = tmp_path / "new.db" if fresh else demo_db
    opened: list[Any] = []
    closed: list[Any] = []
    real_init, real_close = service.Workbench.__init__, service.Workbench.close

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        opened.append(self)

    def close(self: Any) -> None:
        closed.append(self)
        real_close(self)

    seen: dict[str, Any] = {}

    def fake_run(self: Any, **options: Any) -> int:
        seen["items"] = len(self.wb.now.items)
        seen["open"] = self.wb not in closed
        return 0

    monkeypatch.setattr(service.Workbench, "__init__", init)
    monkeypatch.setattr(service.Workbench, "close", close)
    monkeypatch.setattr(PmApp, "run", fake_run)
    monkeypatch.setattr("pmtui.tui.app.is_terminal", lambda: True)  # pytest's stdout is not a terminal
    monkeypatch.delenv("PMTUI_SSH_SESSION", raising=False)
    assert main(["--db", str(db)]) == 0
    assert len(opened) == 1 and closed == opened  # one Workbench, closed once, after the TUI
    assert seen == {"items": seen["items"], "open": True} and seen["items"] > 0  # the demo was made if empty
