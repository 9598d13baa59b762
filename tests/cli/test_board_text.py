"""A plain board's cells (``fit_text``) are the text of the coloured board's (``fit``), for any
parts and widths: cut with an ellipsis, padded, and the corner case of parts that fill the width
exactly before another follows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pmtui.cli.board import fit, fit_text

parts = st.lists(st.tuples(st.text(max_size=12), st.sampled_from(["", "bold", "green"])), max_size=4)


@given(parts, st.integers(0, 40))
def test_plain_cells_are_the_coloured_cells_text(given_parts: list[tuple[str, str]], width: int) -> None:
    assert fit_text(given_parts, width) == "".join(text for text, _ in fit(given_parts, width))


def test_parts_filling_the_width_exactly() -> None:
    assert fit_text([("PM-1234", ""), (" 5pt", ""), (" title", "")], 11) == "PM-1234 5pt…"
