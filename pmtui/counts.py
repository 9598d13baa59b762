"""A count with its noun as a person writes it: "1 objective", "2 objectives", "0 items"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "item")`` -> "1 item"; ``counted(3, "company", "companies")`` -> "3 companies"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def days_left(days: int) -> str:
    """A sprint's time left as a person says it: "5 days left", "1 day left", "9 days overdue"."""
    return f"{counted(days, 'day')} left" if days >= 0 else f"{counted(-days, 'day')} overdue"
