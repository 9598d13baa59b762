"""Value types of the domain: the words of the product brief, as enumerations and small checks."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Any

from domain.exceptions import ValidationError


class Choice(str, Enum):
    """A string enumeration whose parse error lists the accepted words."""

    @classmethod
    def parse(cls, value: str) -> str:
        text = str(value).strip().lower()
        for member in cls:
            if member.value == text:
                return member.value
        words = ", ".join(m.value for m in cls)
        raise ValidationError(f"{cls.label()} must be one of: {words} (got {value!r})")

    @classmethod
    def label(cls) -> str:
        return re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()


class ItemKind(Choice):
    EPIC = "epic"
    STORY = "story"
    BUG = "bug"
    TASK = "task"
    SPIKE = "spike"


class Moscow(Choice):
    MUST = "must"
    SHOULD = "should"
    COULD = "could"
    WONT = "wont"


class Stage(Choice):
    DEVELOPMENT = "development"
    GROWTH = "growth"
    MATURITY = "maturity"
    DECLINE = "decline"


class ColumnCategory(Choice):
    """What a column means for flow metrics, like Jira's status categories."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class SprintState(Choice):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class Horizon(Choice):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


class RoadmapStatus(Choice):
    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in progress"
    DONE = "done"
    DROPPED = "dropped"


class Direction(Choice):
    HIGHER = "higher"
    LOWER = "lower"


class Role(Choice):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


class LinkKind(Choice):
    BLOCKS = "blocks"
    RELATES = "relates"


# Names from other tools are kept whole: Trello allows 16,384 characters in a card's, list's or
# board's name, Jira 255 in a summary. Screens shorten what does not fit; the log keeps it all.
NAME_LIMIT = 16384
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")


def whole_name(value: str, what: str, limit: int = NAME_LIMIT) -> str:
    """A name kept as written: ends trimmed, each line break or tab made one space (a name is one
    line), runs of spaces kept, so an imported name reads exactly as in its source."""
    text = _LINE_BREAKS.sub(" ", str(value)).strip()
    if not text:
        raise ValidationError(f"{what} must not be empty")
    if len(text) > limit:
        raise ValidationError(f"{what} is too long ({len(text)} characters, at most {limit})")
    return text


def non_empty(value: str, what: str, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise ValidationError(f"{what} must not be empty")
    if len(text) > limit:
        raise ValidationError(f"{what} is too long ({len(text)} characters, at most {limit})")
    return text


def non_negative(value: float | int | None, what: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a number (got {value!r})") from None
    if number != number or number < 0 or number == float("inf"):
        raise ValidationError(f"{what} must be a number of 0 or more (got {value!r})")
    return int(number) if number.is_integer() else number


def iso_date(value: str | date | None, what: str) -> str | None:
    text = value.isoformat() if isinstance(value, date) else str(value or "").strip()
    if not text:  # blank form fields clear the date
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError(f"{what} must be a date like 2026-12-31 (got {value!r})") from None


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def timeframe(value: str | None) -> str | None:
    """A quarter (``2026-Q4``) or a date range (``2026-11-01..2027-01-31``)."""
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    if _QUARTER.match(text):
        return text
    if ".." in text:
        start, end = (iso_date(part, "timeframe") for part in text.split("..", 1))
        if start and end and start <= end:
            return f"{start}..{end}"
    raise ValidationError(
        f"timeframe must be a quarter like 2026-Q4 or dates like 2026-11-01..2027-01-31 "
        f"(got {value!r})"
    )


def period(value: str) -> str:
    text = str(value).strip().upper()
    if _QUARTER.match(text) or re.match(r"^\d{4}(-H[12])?$", text):
        return text
    raise ValidationError(f"period must look like 2026-Q4, 2026-H1 or 2026 (got {value!r})")


def labels(values: list[str] | tuple[str, ...] | str) -> list[str]:
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    seen: list[str] = []
    for value in values:
        label = str(value).strip().lower()
        if not re.fullmatch(r"[\w.\-/]{1,40}", label):
            raise ValidationError(f"label {value!r} must be one word of letters, digits, . - _ /")
        if label not in seen:
            seen.append(label)
    return seen


def number(value: Any, what: str) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a number (got {value!r})") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise ValidationError(f"{what} must be a finite number (got {value!r})")
    return result
