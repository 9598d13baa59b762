"""Cross-check against an independent implementation: jira-agile-metrics (a dev-only dependency).

Its input is built straight from the raw stored events (each item's creation and its moves, as a
Jira changelog), not from pmtui's fold, and its own cycle-time calculator turns them into the date
each item entered each workflow step. Cumulative flow and burnup are then its formulas: its
``calculate_cfd_data`` calls ``fillna(method="bfill")``, which pandas 3 removed, and relies on
``concat`` sorting dates, which pandas 3 no longer does; so the same four steps are applied here
with ``.bfill()`` and ``sort=True``. Its burnup is the CFD's backlog and done columns.

It counts whole days (dates), so cycle times are compared as date differences. Skipped when the
package is not installed.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

jam_cycletime = pytest.importorskip("jira_agile_metrics.calculators.cycletime")
pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

from jira_agile_metrics.conftest import FauxChange, FauxFieldValue, FauxIssue, FauxJIRA  # noqa: E402
from jira_agile_metrics.querymanager import QueryManager  # noqa: E402

from pmtui.service.demo import generate  # noqa: E402
from pmtui.service.workbench import Workbench  # noqa: E402
from projections.metrics import FoldedSource, cumulative_flow, day_of, item_flows, sprint_series  # noqa: E402
from projections.records import EventRecord  # noqa: E402

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The demo board's columns as a Jira workflow: todo columns are the backlog, doing ones accepted.
CYCLE = [
    {"name": "Backlog", "statuses": ["Backlog", "To do"], "type": "backlog"},
    {"name": "In progress", "statuses": ["In progress"], "type": "accepted"},
    {"name": "Review", "statuses": ["Review"], "type": "accepted"},
    {"name": "Done", "statuses": ["Done"], "type": "complete"},
]
STEPS = [c["name"] for c in CYCLE]
FIELDS = [{"id": "summary", "name": "Summary"}, {"id": "issuetype", "name": "Issue type"},
          {"id": "status", "name": "Status"}, {"id": "resolution", "name": "Resolution"},
          {"id": "created", "name": "Created date"}, {"id": "customfield_100", "name": "Flagged"}]


@pytest.fixture(scope="module")
def records() -> list[EventRecord]:
    wb = Workbench(":memory:", actor="tester")
    generate(wb, now=NOW)
    out = list(wb.records())
    wb.close()
    return out


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


def jira_issues(records: list[EventRecord], keys: set[str] | None = None) -> list[FauxIssue]:
    """Each item as a Jira issue with a status changelog, read from the raw events only."""
    items: dict[str, dict[str, Any]] = {}
    for r in sorted(records, key=lambda r: (r.occurred, r.seq)):
        if r.name == "WorkItem.Created":
            items[r.aggregate_id] = {"key": r.data["key"], "created": _stamp(r.occurred), "status": r.data["status"],
                                     "changes": []}
        elif r.name == "WorkItem.Moved":
            old, new = r.data["changes"]["status"]
            items[r.aggregate_id]["changes"].append(FauxChange(_stamp(r.occurred), [("status", old, new)]))
            items[r.aggregate_id]["status"] = new
    return [FauxIssue(i["key"], i["changes"], summary=i["key"], issuetype=FauxFieldValue("Story", "story"),
                      status=FauxFieldValue(i["status"], i["status"]), resolution=None, resolutiondate=None,
                      created=i["created"], customfield_100=None)
            for i in items.values() if keys is None or i["key"] in keys]


def jam_cycle_data(issues: list[FauxIssue]) -> Any:
    manager = QueryManager(FauxJIRA(fields=FIELDS, issues=issues),
                           {"attributes": {}, "known_values": {}, "max_results": None, "verbose": False})
    return jam_cycletime.calculate_cycle_times(manager, CYCLE, {}, "Backlog", "Done", [{"jql": "all", "value": None}],
                                               now=NOW.replace(tzinfo=None))


def jam_cfd(cycle_data: Any) -> Any:
    """jira_agile_metrics.calculators.cfd.calculate_cfd_data, with ``.bfill`` for pandas 3."""
    cfd = cycle_data[STEPS]
    cfd = pd.DataFrame(np.array(cfd.values, dtype="<M8[ns]").astype("<M8[D]").astype("<M8[ns]"),
                       columns=cfd.columns, index=cfd.index)
    cfd = cfd.bfill(axis=1)
    # sort=True: pandas 3 stopped sorting a concatenation of date indexes, and the running sum
    # below relies on date order (under older pandas this is what the original did).
    cfd = pd.concat({col: cfd[col].value_counts() for col in cfd}, axis=1, sort=True)[STEPS]
    cfd = cfd.fillna(0).cumsum(axis=0).sort_index()
    return cfd.reindex(pd.date_range(cfd.index.min(), cfd.index.max(), freq="D"), method="ffill")


def test_cycle_times_match_day_for_day(records: list[EventRecord]) -> None:
    theirs = jam_cycle_data(jira_issues(records))
    their_done = {row.key: (row.cycle_time.days, row.completed_timestamp.date())
                  for row in theirs.itertuples() if not pd.isna(row.cycle_time)}
    ours = {f.key: ((day_of(f.done, UTC) - day_of(f.started, UTC)).days, day_of(f.done, UTC))
            for f in item_flows(FoldedSource(records, NOW.timestamp())) if f.done is not None and f.started is not None}
    assert len(ours) >= 20
    assert ours == their_done


def test_cumulative_flow_matches_their_cumulative_arrivals(records: list[EventRecord]) -> None:
    theirs = jam_cfd(jam_cycle_data(jira_issues(records)))
    flow = cumulative_flow(FoldedSource(records, NOW.timestamp()), UTC)
    assert flow is not None
    # Ours counts items *in* each column; theirs counts items that *reached* each step. Summing
    # ours from the right (the stacked band tops) gives theirs; todo columns are their backlog.
    index = {name: n for n, name in enumerate(flow.columns)}
    compared = 0
    for day in flow.days:
        stamp = pd.Timestamp(day.day)
        if stamp not in theirs.index:
            continue
        at_least = lambda first: sum(day.counts[index[c]] for c in flow.columns[index[first]:])  # noqa: E731
        ours = [at_least("Backlog"), at_least("In progress"), at_least("Review"), at_least("Done")]
        assert ours == [int(v) for v in theirs.loc[stamp, STEPS]], day.day
        compared += 1
    assert compared >= 80


def test_sprint_burnup_in_items_matches_theirs_on_the_sprint_items(records: list[EventRecord]) -> None:
    closed = [r for r in records if r.name == "Sprint.Closed"]
    checked = 0
    for close in closed:
        series = sprint_series(FoldedSource(records, NOW.timestamp()), close.aggregate_id, UTC)
        assert series is not None
        ids = set(close.data["done"]) | set(close.data["carried"])
        keys = {r.data["key"] for r in records if r.name == "WorkItem.Created" and r.aggregate_id in ids}
        theirs = jam_cfd(jam_cycle_data(jira_issues(records, keys)))[["Backlog", "Done"]]  # their burnup
        for day in series.days:
            stamp = pd.Timestamp(day.day)
            if stamp in theirs.index:
                assert day.done_items == int(theirs.loc[stamp, "Done"]), (series.sprint.name, day.day)
                if _settled(series, day.day):
                    scope = day.done_items + day.remaining_items
                    assert scope == int(theirs.loc[stamp, "Backlog"]), (series.sprint.name, day.day)
                checked += 1
    assert checked >= 30


def _settled(series: Any, day: date) -> bool:
    """Their burnup has no sprint scope: its total is every item given to it that exists by then
    (here: the sprint's final items). Ours follows the sprint's scope, so the two agree from the
    last day an item joined or left the sprint onwards; before it, ours is the smaller."""
    return all(change.kind == "estimated" or change.day <= day for change in series.changes)
