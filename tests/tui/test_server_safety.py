"""In an SSH session (PMTUI_SSH_SESSION set), nothing in the app writes files on the server or starts
another program there; run locally, Textual's own commands stay."""

from __future__ import annotations

import io
import webbrowser
from pathlib import Path

import pytest


async def test_the_palette_has_no_screenshot_in_a_session(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)):
        local = [c.title for c in app.get_system_commands(app.screen)]
        monkeypatch.setenv("PMTUI_SSH_SESSION", "1")
        remote = [c.title for c in app.get_system_commands(app.screen)]
    assert "Screenshot" in local
    assert "Screenshot" not in remote
    assert set(local) - set(remote) == {"Screenshot"}  # everything else is still offered


async def test_files_and_browsers_are_refused_in_a_session(make_app, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    monkeypatch.setenv("PMTUI_SSH_SESSION", "1")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.action_screenshot()
        assert app.deliver_text(io.StringIO("x"), save_directory=home, save_filename="a.txt") is None
        assert app.deliver_binary(io.BytesIO(b"x"), save_directory=home, save_filename="b.bin") is None
        app.open_url("https://example.com")
        await pilot.pause(0.3)
    assert not [p for p in home.rglob("*") if p.is_file()]
    assert opened == []
