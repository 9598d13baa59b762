"""A plain board's cells (``fit_text``, and ``card_text`` made in one piece) are the text of the
coloured board's (``fit``), for any parts and widths: cut with an ellipsis, padded, and the corner
case of parts that fill the width exactly before another follows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pmtui.cli.board import PlainCard, card_parts, card_text, fit, fit_text

parts = st.lists(st.tuples(st.text(max_size=12), st.sampled_from(["", "bold", "green"])), max_size=4)


@given(parts, st.integers(0, 40))
def test_plain_cells_are_the_coloured_cells_text(given_parts: list[tuple[str, str]], width: int) -> None:
    assert fit_text(given_parts, width) == "".join(text for text, _ in fit(given_parts, width))


def test_parts_filling_the_width_exactly() -> None:
    assert fit_text([("PM-1234", ""), (" 5pt", ""), (" title", "")], 11) == "PM-1234 5pt…"


@given(st.text(min_size=1, max_size=10), st.text(max_size=30),
       st.one_of(st.none(), st.sampled_from([0.5, 1.0, 13.0, 100.0])), st.integers(0, 40))
def test_a_card_in_one_piece_is_its_parts_fitted(key: str, title: str, points: float | None, width: int) -> None:
    card = PlainCard(key=key, title=title, points=points)
    assert card_text(card, width) == fit_text(card_parts(card), width)  # type: ignore[arg-type]


def test_a_card_whose_key_and_points_fill_the_width() -> None:
    assert card_text(PlainCard(key="PM-1234", title="title", points=5.0), 11) == "PM-1234 5pt…"  # type: ignore[arg-type]
