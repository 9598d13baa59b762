"""Lexicographic ranks: a new rank always fits strictly between two others."""

from __future__ import annotations

from bisect import bisect_left, insort

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.rank import DIGITS, initial_ranks, rank_between

# Every rank pmtui makes comes from rank_between or initial_ranks, neither of which ends a rank
# with the lowest digit, so below any such rank there is always room.
ranks = st.text(alphabet=DIGITS, min_size=1, max_size=8).filter(lambda r: not r.endswith("0"))


def test_open_ends_and_simple_cases() -> None:
    assert rank_between(None, None) == "i"
    assert "a" < rank_between("a", "b") < "b"
    assert rank_between("a", None) > "a"
    assert rank_between(None, "a") < "a"
    assert "a" < rank_between("a", "a1") < "a1"
    assert "zz" < rank_between("zz", None)
    assert rank_between(None, "01") < "01"


@pytest.mark.parametrize(("before", "after"), [("b", "a"), ("a", "a")])
def test_before_must_be_below_after(before: str, after: str) -> None:
    with pytest.raises(ValueError, match="is not below"):
        rank_between(before, after)


@given(ranks, ranks)
def test_always_strictly_between_any_two_ranks(a: str, b: str) -> None:
    if a == b:
        return
    low, high = min(a, b), max(a, b)
    middle = rank_between(low, high)
    assert low < middle < high
    assert not middle.endswith("0")
    assert rank_between(None, low) < low and rank_between(high, None) > high


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=200))
def test_any_order_of_insertions_keeps_ranks_distinct_and_ordered(positions: list[int]) -> None:
    """Insert at random places (top, bottom, between neighbours): every new rank lands strictly
    between its neighbours, so the order of the list is the order of the ranks."""
    ordered: list[str] = []
    for position in positions:
        at = position % (len(ordered) + 1)
        before = ordered[at - 1] if at else None
        after = ordered[at] if at < len(ordered) else None
        new = rank_between(before, after)
        assert (before is None or before < new) and (after is None or new < after)
        assert bisect_left(ordered, new) == at
        insort(ordered, new)
    assert len(set(ordered)) == len(ordered)


def test_repeated_insertion_at_the_top_stays_short_enough() -> None:
    top = None
    for _ in range(500):
        top = rank_between(None, top)
    assert len(top) <= 500 // 5  # grows slowly: halving the gap each time


@pytest.mark.parametrize("count", [1, 2, 35, 36, 100, 2000])
def test_initial_ranks_are_sorted_distinct_and_leave_room(count: int) -> None:
    spread = initial_ranks(count)
    assert len(spread) == count == len(set(spread))
    assert spread == sorted(spread)
    assert not any(r.endswith("0") for r in spread)
    for low, high in zip(spread, spread[1:]):
        assert low < rank_between(low, high) < high
