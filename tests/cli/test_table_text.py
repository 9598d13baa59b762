"""The plain text table, built a column and a block of rows at a time, is the table the row-by-row
format wrote (kept here as the reference): the same alignment, cleaning and trailing blanks, for
any cells (None, numbers, control characters, blanks at the end) and past a block's edge."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.cli import output
from pmtui.cli.common import column_table, table


def row_by_row(rows: list[list[Any]], headers: list[str]) -> str:
    cells = [[v if type(v) is str else "" if v is None else str(v) for v in row] for row in rows]
    if output.dirty("".join("".join(row) for row in cells)):
        cells = [[output.clean(v) for v in row] for row in cells]
    widths = [max(len(h), max(map(len, column), default=0)) for h, column in zip(headers, zip(*cells))] \
        if cells else [len(h) for h in headers]
    pattern = "  ".join(f"{{:<{w}}}" for w in widths)
    line = lambda r: pattern.format(*r).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


cell = st.one_of(st.none(), st.integers(-5, 500), st.text(st.sampled_from("ab \t\x1bé\u202e"), max_size=6))


@settings(max_examples=200)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.text("xyz", min_size=1, max_size=4), min_size=n, max_size=n),
    st.lists(st.lists(cell, min_size=n, max_size=n), max_size=8))))
def test_the_table_is_the_row_by_row_table(given_table: tuple[list[str], list[list[Any]]]) -> None:
    headers, rows = given_table
    assert table(rows, headers) == row_by_row(rows, headers)


def test_a_table_longer_than_a_block() -> None:
    rows = [[f"K-{n}", "x" * (n % 50), "" if n % 3 else "end "] for n in range(9000)]
    headers = ["key", "title", "note"]
    expected = row_by_row(rows, headers)
    assert table(rows, headers) == expected
    assert column_table([list(c) for c in zip(*rows)], headers) == expected
