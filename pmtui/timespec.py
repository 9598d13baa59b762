"""Reading "as of" points: ``2026-11-10``, ``2026-11-10 14:30``, ``-3d``, ``-2w``, ``-6h``,
``#1234`` (an event number), ``now``. Times without a zone are the user's local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pmtui.errors import UserError

_RELATIVE = re.compile(r"^-(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Times outside these years are mistakes (and near year 1 or 9999 the local-time arithmetic overflows).
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000
EARLIEST = datetime(EARLIEST_YEAR, 1, 2, tzinfo=timezone.utc).timestamp()


@dataclass(frozen=True)
class AsOf:
    """A point in the log: an event number or a moment (epoch seconds, UTC)."""

    event: int | None = None
    moment: float | None = None
    text: str = ""

    @property
    def is_now(self) -> bool:
        return self.event is None and self.moment is None


NOW = AsOf(text="now")


def parse_as_of(text: str | None, now: datetime | None = None) -> AsOf:
    if text is None or not text.strip() or text.strip().lower() == "now":
        return NOW
    spec = text.strip()
    if spec.startswith("#"):
        try:
            number = int(spec[1:])
        except ValueError:
            raise UserError(f"an event number looks like #1234 (got {text!r})") from None
        if number < 0:
            raise UserError(f"an event number is 0 or more (got {text!r})")
        return AsOf(event=number, text=spec)
    current = now or datetime.now(timezone.utc)
    match = _RELATIVE.match(spec.lower())
    if match:
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
        try:
            moment = (current - timedelta(seconds=seconds)).timestamp()
        except (OverflowError, ValueError):
            moment = None
        if moment is None or moment < EARLIEST:
            raise UserError(f"{text!r} goes back before {EARLIEST_YEAR}: give a nearer time") from None
        return AsOf(moment=moment, text=spec)
    moment = parse_moment(spec)
    return AsOf(moment=moment, text=spec)


def parse_moment(spec: str) -> float:
    """A date or date-time; a bare date means the end of that day (everything that happened on it)."""
    text = spec.strip().replace("T", " ")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.fromisoformat(text) + timedelta(days=1) - timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(text)
    except OverflowError:  # the end of 9999-12-31
        raise UserError(f"the time {spec!r} is out of range (years {EARLIEST_YEAR} to {LATEST_YEAR})") from None
    except ValueError:
        raise UserError(
            f"cannot read the time {spec!r}: use 2026-11-10, '2026-11-10 14:30', -3d, -2w, -6h or #1234"
        ) from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise UserError(f"the time {spec!r} is out of range (years {EARLIEST_YEAR} to {LATEST_YEAR})")
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return moment.timestamp()


def iso(moment: float | None) -> str | None:
    """A moment for ``--json``: ISO 8601 with the zone (UTC), the one date format of every command."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, timezone.utc).isoformat()


def local(moment: float, with_seconds: bool = False) -> str:
    """A moment shown in the user's local time."""
    return datetime.fromtimestamp(moment).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")
