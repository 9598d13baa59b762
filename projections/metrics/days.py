"""Local days: events are stored with UTC epoch times; charts bucket them by the user's calendar day.

``tz`` is injectable everywhere (tests pin a zone); ``None`` means the machine's local zone, with its
daylight-saving rules, which is what a user sitting at the terminal expects.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

Zone = tzinfo | None


def day_of(moment: float, tz: Zone = None) -> date:
    """The local calendar day a moment falls on."""
    return datetime.fromtimestamp(moment, tz).date()


def day_start(day: date, tz: Zone = None) -> float:
    """The first instant of a local day (a DST change makes some days 23 or 25 hours long)."""
    midnight = datetime.combine(day, time())
    return (midnight.replace(tzinfo=tz) if tz is not None else midnight).timestamp()


def day_end(day: date, tz: Zone = None) -> float:
    """The first instant after a local day: events before it belong to the day."""
    return day_start(day + timedelta(days=1), tz)


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included (none if last < first)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def week_of(day: date, start: int = 0) -> date:
    """The first day of the week a day belongs to; weeks start on ``start`` (0 Monday ... 6 Sunday)."""
    return day - timedelta(days=(day.weekday() - start) % 7)
