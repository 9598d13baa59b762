"""Lexicographic ranks (in the spirit of Jira's LexoRank): a new rank can always be made between
two others, so reordering one item writes one event and never renumbers the backlog."""

from __future__ import annotations

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
_MID = DIGITS[_BASE // 2]


def rank_between(before: str | None, after: str | None) -> str:
    """A rank strictly between ``before`` and ``after`` (either may be None: open end)."""
    low = before or ""
    high = after
    if high is not None and low >= high:
        raise ValueError(f"rank {low!r} is not below {high!r}")
    result = []
    i = 0
    while True:
        lo_digit = DIGITS.index(low[i]) if i < len(low) else 0
        hi_digit = DIGITS.index(high[i]) if high is not None and i < len(high) else _BASE
        if hi_digit - lo_digit > 1:
            result.append(DIGITS[(lo_digit + hi_digit) // 2])
            candidate = "".join(result)
            if candidate > low and (high is None or candidate < high):
                return candidate
        result.append(DIGITS[lo_digit])
        if high is not None and hi_digit != lo_digit:
            # Below this prefix the upper bound no longer constrains us.
            high = None
        i += 1


def initial_ranks(count: int) -> list[str]:
    """``count`` evenly spread ranks, for seeding a backlog in one go."""
    width = 1
    while _BASE**width <= count + 1:
        width += 1
    step = _BASE**width // (count + 1)
    ranks = []
    for n in range(1, count + 1):
        value, digits = n * step, []
        for _ in range(width):
            value, digit = divmod(value, _BASE)
            digits.append(DIGITS[digit])
        ranks.append("".join(reversed(digits)).rstrip("0") or "0")
    return ranks
