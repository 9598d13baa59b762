"""Time travel stays in the past and inside a sprint's days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from pmtui.tui.travel import parse_point, step_day


def test_stepping_a_day_past_now_returns_to_now() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc).timestamp()
    wb = Workbench(db=":memory:", actor="ann")
    past = wb.now
    yesterday = AsOf(moment=now - 86400 - 60, text="yesterday")
    assert step_day(yesterday, past, +1, now=now).moment == now - 60
    assert step_day(AsOf(moment=now - 3600, text="an hour ago"), past, +1, now=now).is_now
    assert step_day(AsOf(moment=now - 3600, text="an hour ago"), past, -1, now=now).moment == now - 3600 - 86400
    wb.close()


def test_a_sprint_day_beyond_its_length_or_in_the_future_is_refused() -> None:
    wb = Workbench(db=":memory:", actor="ann")
    wb.init_product("Shop", "SH")
    wb.add_item("one")
    start = date(2026, 11, 2)
    wb.plan_sprint("Sprint 3", start=start.isoformat(), end=(start + timedelta(days=13)).isoformat(), items=["SH-1"])
    now = datetime(2026, 11, 10, 12).astimezone()
    assert parse_point("Sprint 3 day 2", wb, now).text == "Sprint 3 day 2"
    with pytest.raises(UserError, match="has 14 days"):
        parse_point("Sprint 3 day 99", wb, now)
    with pytest.raises(UserError, match="in the future"):
        parse_point("Sprint 3 day 12", wb, now)
    wb.close()
