"""End to end: the real ``pmtui`` in tmux at 80x24 (TERM=screen, NO_COLOR=1, --no-mouse), driven by
keys only — close the running sprint, plan and start the next, move a card, travel back two weeks
and step, return and quit — then the store is checked with a fresh Workbench."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from pmtui.service.workbench import Workbench

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]
PMTUI = str(Path(sys.executable).with_name("pmtui"))


class Tmux:
    def __init__(self, command: str) -> None:
        self.socket = f"pmtui-test-{uuid.uuid4().hex[:8]}"
        self.run("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        for key in keys:
            self.run("send-keys", "-t", "e2e", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "e2e", "-l", "--", text)
        time.sleep(0.3)

    def screen(self) -> str:
        return self.run("capture-pane", "-t", "e2e", "-p")

    def wait_for(self, check: Callable[[str], bool], seconds: float = 15) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = self.screen()
            if check(text) or time.monotonic() > deadline:
                return text
            time.sleep(0.1)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "e2e"],
                              capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_a_newcomer_runs_a_sprint_and_travels_back(store):
    env = f"TERM=screen NO_COLOR=1 PMTUI_ACTOR=newcomer"
    tmux = Tmux(f"env {env} {PMTUI} --db {store} --no-mouse; sleep 30")
    try:
        first = tmux.wait_for(lambda s: "Backlog 21" in s and "1 Board" in s)
        assert "1 Board" in first and "? Help" in first and "^p palette" in first
        assert all(len(line) <= 80 for line in first.splitlines())

        tmux.keys("2")
        assert "Sprint 4" in tmux.wait_for(lambda s: "Sprint 4" in s and "active" in s)
        tmux.keys("C")
        assert "where do they go" in tmux.wait_for(lambda s: "where do they go" in s)
        tmux.keys("b")
        tmux.wait_for(lambda s: "closed" in s)

        tmux.keys("P")
        tmux.wait_for(lambda s: "Picked 0 items" in s)  # the form is up before typing into it
        time.sleep(0.3)
        tmux.type("Loyalty goes live")
        tmux.wait_for(lambda s: "Loyalty goes live" in s)
        tmux.keys("Tab", "Tab", "Tab", "Space")
        tmux.wait_for(lambda s: "Picked 1 item," in s)
        tmux.keys("Down", "Space")
        assert "Picked 2 items" in tmux.wait_for(lambda s: "Picked 2 items" in s)
        tmux.keys("C-s")
        tmux.wait_for(lambda s: "Sprint 5" in s and "planned" in s)
        tmux.keys("S")
        tmux.wait_for(lambda s: "Start Sprint 5" in s)  # the start dialog, today's dates filled in
        tmux.keys("Enter")
        started = tmux.wait_for(lambda s: "Sprint 5  active" in s)
        assert "Sprint 5  active" in started and "committed" in started

        tmux.keys("L")  # the cursor's card, one column right
        tmux.keys("t")
        tmux.wait_for(lambda s: "As of when?" in s)
        time.sleep(0.3)
        tmux.type("-2w")
        tmux.wait_for(lambda s: "-2w" in s)
        tmux.keys("Enter")
        past = tmux.wait_for(lambda s: "AS OF" in s)
        assert "read-only" in past and "Sprint 3" in past
        event = [w for w in past.split() if w.startswith("#")][0]
        tmux.keys("]")
        stepped = tmux.wait_for(lambda s: "AS OF" in s and event not in s)
        assert event not in stepped
        tmux.keys("t")
        assert "AS OF" not in tmux.wait_for(lambda s: "AS OF" not in s)
        tmux.keys("q")
    finally:
        tmux.close()

    wb = Workbench(db=str(store), actor="check")
    try:
        assert wb.sprint("Sprint 4").state == "closed"
        sprint5 = wb.sprint("Sprint 5")
        assert sprint5.state == "active" and sprint5.goal == "Loyalty goes live" and len(sprint5.committed) == 2
        moved = [r for r in wb.records() if r.name == "WorkItem.Moved" and r.actor == "newcomer"]
        assert len(moved) == 1
    finally:
        wb.close()
