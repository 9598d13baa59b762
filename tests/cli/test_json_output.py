"""``--json`` text: written through the C encoder and re-indented by msgspec, it is the very text
``json.dumps(..., indent=2, ensure_ascii=False)`` writes, for any value a command may print
(exponent floats, NaN, lone surrogates, empty containers, non-ASCII, moments)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.cli.common import json_default, json_text, to_jsonable

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(), st.sampled_from(["\ud800", "é\u2028", "1e5 users", "\x1b[31m"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4),
    st.dictionaries(st.sampled_from(["created", "at", "done", "points"]), st.floats(0, 2e9), max_size=3)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(values)
def test_json_text_is_what_json_dumps_indents(value: object) -> None:
    assert json_text(value) == json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, default=json_default)


def test_dates_and_large_answers_print_alike() -> None:
    cards = [{"key": f"PM-{n}", "points": n / 3, "labels": ["a", "é"], "at": None} for n in range(2000)]
    value = {"day": date(2026, 11, 29), "moment": datetime(2026, 11, 29, 12, tzinfo=timezone.utc),
             "created": 1_790_000_000.5, "cards": cards, "big": 1e300, "small": 1e-9}
    assert json_text(value) == json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, default=json_default)
