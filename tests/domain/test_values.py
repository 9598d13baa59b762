"""Value parsing: the words of the brief, and the small checks commands use."""

from datetime import date

import pytest

from domain.exceptions import ValidationError
from domain.values import (
    ColumnCategory,
    ItemKind,
    RoadmapStatus,
    iso_date,
    labels,
    non_empty,
    non_negative,
    period,
    timeframe,
)


def test_choice_parse_is_case_and_space_insensitive() -> None:
    assert ItemKind.parse("  Bug ") == "bug"
    assert RoadmapStatus.parse("In Progress") == "in progress"


def test_choice_error_lists_the_words() -> None:
    with pytest.raises(ValidationError, match=r"column category must be one of: todo, doing, done \(got 'wip'\)"):
        ColumnCategory.parse("wip")
    assert RoadmapStatus.label() == "roadmap status"


def test_non_empty() -> None:
    assert non_empty("  a \n b  ", "title") == "a b"
    with pytest.raises(ValidationError, match="title must not be empty"):
        non_empty(" \t", "title")
    with pytest.raises(ValidationError, match=r"name is too long \(6 characters, at most 5\)"):
        non_empty("abcdef", "name", 5)


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0), ("3", 3), (2.5, 2.5), ("1e1", 10)])
def test_non_negative(value: object, expected: object) -> None:
    result = non_negative(value, "points")
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value", [-0.5, "x", float("nan"), float("inf"), [1]])
def test_non_negative_refusals(value: object) -> None:
    with pytest.raises(ValidationError, match="points must be a number"):
        non_negative(value, "points")  # type: ignore[arg-type]


def test_iso_date() -> None:
    assert iso_date(" ", "d") is None and iso_date("", "d") is None and iso_date(None, "d") is None
    assert iso_date(" 2026-01-02 ", "d") == "2026-01-02"
    assert iso_date(date(2026, 1, 2), "d") == "2026-01-02"
    assert iso_date("2026-01-02", "d") == "2026-01-02"
    with pytest.raises(ValidationError, match=r"end must be a date like 2026-12-31 \(got '2026-02-30'\)"):
        iso_date("2026-02-30", "end")


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-q4", "2026-Q4"), (" 2027-Q1 ", "2027-Q1"), ("2026-11-01..2027-01-31", "2026-11-01..2027-01-31"),
    ("2026-11-01..2026-11-01", "2026-11-01..2026-11-01"), (None, None), ("", None),
])
def test_timeframe(value: str | None, expected: str | None) -> None:
    assert timeframe(value) == expected


@pytest.mark.parametrize("value", ["2026-Q5", "Q4", "2026-12-01..2026-11-01", "2026-11-01..", "soon"])
def test_timeframe_refusals(value: str) -> None:
    with pytest.raises(ValidationError, match="timeframe must be a quarter like 2026-Q4"):
        timeframe(value)


def test_period() -> None:
    assert [period(p) for p in ("2026-q3", "2026-h2", "2026")] == ["2026-Q3", "2026-H2", "2026"]
    with pytest.raises(ValidationError, match="period must look like"):
        period("2026-H3")


def test_labels() -> None:
    assert labels("UX, checkout ux  api/v2") == ["ux", "checkout", "api/v2"]
    assert labels(["A", "a", "b-c"]) == ["a", "b-c"]
    assert labels("") == []
    with pytest.raises(ValidationError, match="label 'a b' must be one word"):
        labels(["a b"])
    with pytest.raises(ValidationError, match="must be one word"):
        labels(["x" * 41])
