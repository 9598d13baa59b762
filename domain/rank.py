"""Lexicographic ranks (in the spirit of Jira's LexoRank): a new rank can always be made between
two others, so reordering one item writes one event and never renumbers the backlog."""

from __future__ import annotations

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
_MID = DIGITS[_BASE // 2]


# Open-ended ranks (the top or the bottom of the backlog) step by a fixed amount in an 8-digit
# space instead of halving what is left, so adding thousands of items to the bottom keeps ranks
# short (halving would grow them by a digit every few items).
_WIDTH = 8
_STEP = _BASE**4


def _value(rank: str) -> int:
    number = 0
    for char in (rank + "0" * _WIDTH)[:_WIDTH]:
        number = number * _BASE + DIGITS.index(char)
    return number


def _encode(number: int) -> str:
    digits = []
    for _ in range(_WIDTH):
        number, digit = divmod(number, _BASE)
        digits.append(DIGITS[digit])
    return "".join(reversed(digits)).rstrip("0") or "0"


def rank_between(before: str | None, after: str | None) -> str:
    """A rank strictly between ``before`` and ``after`` (either may be None: open end)."""
    if before is not None and after is None:
        stepped = _value(before) + _STEP
        if stepped < _BASE**_WIDTH and (candidate := _encode(stepped)) > before:
            return candidate
    if before is None and after is not None:
        stepped = _value(after) - _STEP
        if stepped > 0 and (candidate := _encode(stepped)) < after:
            return candidate
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
