"""Random histories of moves, checked against jira-agile-metrics (see test_cross_check.py for how
its input is built from the raw events).

What must agree: the cumulative flow on the last day (and on every day when nothing moved
backwards), and the cycle time of every finished item that never moved backwards after starting.
What differs, by design: jira-agile-metrics rewrites an item's history when it moves backwards (the
dates of the steps after the one it returns to are wiped). So an item sent back restarts its cycle
there if the step it had entered first was wiped (back to the backlog, or from Review to In progress
when it had skipped In progress), while pmtui keeps the first start: the work did begin then. Such an
item has a cycle time here at least as long as there (or one only here, if it went on straight to
done). And its earlier days are recomputed from the rewritten history, while pmtui's are the true
state of each day.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("jira_agile_metrics.calculators.cycletime")
pd = pytest.importorskip("pandas")

from domain.exceptions import DomainError  # noqa: E402
from projections.metrics import FoldedSource, cumulative_flow, day_of, item_flows  # noqa: E402
from tests.projections.metrics.conftest import Story  # noqa: E402
from tests.projections.metrics.test_cross_check import jam_cfd, jam_cycle_data, jira_issues  # noqa: E402

UTC = timezone.utc
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

moves = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, 40)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_count=st.integers(1, 5), steps=moves)
def test_random_moves_agree_with_jira_agile_metrics(item_count: int, steps: list[tuple[int, int, int]]) -> None:
    story = Story()
    when = START
    with story.wb.recorded_as("alice", START - timedelta(days=1)):
        story.wb.init_product("Shop", "SH")
        keys = [story.wb.add_item(f"item {n}") for n in range(item_count)]
    sent_back: set[str] = set()
    started: set[str] = set()
    position = {key: 0 for key in keys}
    backwards = False
    for which, column, hours in steps:
        key = keys[which % item_count]
        when += timedelta(hours=hours)
        try:
            with story.wb.recorded_as("alice", when):
                story.wb.move_item(key, COLUMNS[column])
        except DomainError:
            continue  # the same column, or a hard WIP limit: nothing happened
        if column < position[key]:
            backwards = True
            if key in started:
                sent_back.add(key)
        position[key] = column
        if column >= 2:
            started.add(key)
    records = story.records()
    end = when + timedelta(days=1)
    theirs = jam_cycle_data(jira_issues(records))
    story.wb.close()

    flow = cumulative_flow(FoldedSource(records, end.timestamp()), UTC)
    assert flow is not None
    last = flow.days[-1]
    reached = [sum(last.counts[COLUMNS.index(c):]) for c in ("Backlog", "In progress", "Review", "Done")]
    their_flow = jam_cfd(theirs)
    step_names = ("Backlog", "In progress", "Review", "Done")
    assert reached == [int(their_flow.iloc[-1][c]) for c in step_names]
    if not backwards:  # no history rewritten on their side: every day must agree
        for day in flow.days:
            stamp = pd.Timestamp(day.day)
            if stamp in their_flow.index:
                ours_day = [sum(day.counts[COLUMNS.index(c):]) for c in step_names]
                assert ours_day == [int(their_flow.loc[stamp, c]) for c in step_names], day.day

    their_cycle = {r.key: r.cycle_time.days for r in theirs.itertuples() if not pd.isna(r.cycle_time)}
    ours = {f.key: (day_of(f.done, UTC) - day_of(f.started, UTC)).days
            for f in item_flows(FoldedSource(records, end.timestamp())) if f.done is not None and f.started is not None}
    # Sent back to todo and then finished straight from there: no cycle at all for them.
    assert set(their_cycle) <= set(ours) and set(ours) - set(their_cycle) <= sent_back
    for key, days in their_cycle.items():
        if key in sent_back:
            assert ours[key] >= days
        else:
            assert ours[key] == days, key
