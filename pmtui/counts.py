"""A count with its noun as a person writes it: "1 objective", "2 objectives", "0 items"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "item")`` -> "1 item"; ``counted(3, "company", "companies")`` -> "3 companies"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
