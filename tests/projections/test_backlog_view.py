"""The backlog query language and sorts."""

from __future__ import annotations

import pytest

from domain.exceptions import ValidationError
from projections.backlog_view import backlog, children, neighbours_rank, parse_query
from projections.state import Workspace
from tests.projections.conftest import PRODUCT, Log, uid


@pytest.fixture
def ws(log: Log) -> Workspace:
    s1 = log.sprint(1, "Sprint 1")
    rel = uid("r", 1)
    log.add("Release.Created", rel, {"product_id": PRODUCT, "name": "1.2", "target": None, "description": "",
                                     "milestone": False})
    epic = log.item(1, "Payments epic", kind="epic", rank="a")
    log.item(2, "Card checkout", kind="bug", rank="b", labels=["checkout"], points=5, assignee="ann", parent=epic,
             sprint=s1, moscow="must", rice={"reach": 10, "impact": 1, "confidence": 1, "effort": 1})
    log.item(3, "Wallet checkout", rank="c", labels=["checkout", "legacy"], points=2, assignee="bob",
             release=rel, moscow="could", wsjf={"value": 9, "time": 1, "risk": 2, "size": 3},
             rice={"reach": 100, "impact": 1, "confidence": 1, "effort": 1})
    log.item(4, "Search", rank="d", status="In progress")
    old = log.item(5, "Old checkout", rank="e", labels=["checkout"])
    log.change("WorkItem.Archived", old, archived=[False, True])
    return log.fold()


def keys(items: list) -> list[str]:
    return [i.key for i in items]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["PM-1", "PM-2", "PM-3", "PM-4"]),
    ("kind:bug", ["PM-2"]),
    ("label:checkout", ["PM-2", "PM-3"]),
    ("label:checkout -label:legacy", ["PM-2"]),
    ("points>3", ["PM-2"]),
    ("points>=2 points<5", ["PM-3"]),
    ("points=2", ["PM-3"]),
    ("assignee:me", ["PM-2"]),
    ("assignee:none", ["PM-1", "PM-4"]),
    ("assignee:BOB", ["PM-3"]),
    ('status:"in progress"', ["PM-4"]),
    ("sprint:none", ["PM-1", "PM-3", "PM-4"]),
    ('sprint:"sprint 1"', ["PM-2"]),
    ("epic:PM-1", ["PM-2"]),
    ("parent:pm-1", ["PM-2"]),
    ("release:1.2", ["PM-3"]),
    ("moscow:must", ["PM-2"]),
    ("moscow:none", ["PM-1", "PM-4"]),
    ("is:archived", ["PM-5"]),
    ("is:unestimated", ["PM-1", "PM-4"]),
    ("is:epic", ["PM-1"]),
    ("-is:epic is:open", ["PM-2", "PM-3", "PM-4"]),
    ("rice>50", ["PM-3"]),
    ("wsjf>3", ["PM-3"]),
    ("checkout", ["PM-2", "PM-3"]),
    ("CHECKOUT -wallet", ["PM-2"]),
    ("pm-4", ["PM-4"]),
    ("key:PM-3", ["PM-3"]),
    ("kind:bug kind:story", []),
])
def test_queries(ws: Workspace, query: str, expected: list[str]) -> None:
    assert keys(backlog(ws, query, me="ann")) == expected


@pytest.mark.parametrize(("query", "message"), [
    ("colour:red", "unknown field 'colour' in 'colour:red'"),
    ("points>many", r"points needs a number, as in points>3 \(got 'many'\)"),
    ("kind>bug", r"kind compares only with ':' \(as in kind:value\)"),
    ("is:shiny", "is: takes one of archived, open, backlog, estimated, unestimated, epic"),
    ('status:"in progress', "cannot read the query: No closing quotation"),
    ("sprint:nope", "no sprint named 'nope'"),
    ("epic:PM-99", "no epic named 'pm-99'"),
    ("release:9.9", "no release named '9.9'"),
])
def test_query_errors_are_one_line(ws: Workspace, query: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_query(query, ws)
    assert "\n" not in str(caught.value)


def test_sorts(ws: Workspace) -> None:
    assert keys(backlog(ws, sort="points")) == ["PM-2", "PM-3", "PM-1", "PM-4"]
    assert keys(backlog(ws, sort="rice")) == ["PM-3", "PM-2", "PM-1", "PM-4"]
    assert keys(backlog(ws, sort="wsjf")) == ["PM-3", "PM-1", "PM-2", "PM-4"]
    assert keys(backlog(ws, sort="moscow")) == ["PM-2", "PM-3", "PM-1", "PM-4"]
    assert keys(backlog(ws, sort="key", descending=True)) == ["PM-4", "PM-3", "PM-2", "PM-1"]
    assert keys(backlog(ws, sort="assignee")) == ["PM-2", "PM-3", "PM-1", "PM-4"]
    assert keys(backlog(ws, include_archived=True)) == ["PM-1", "PM-2", "PM-3", "PM-4", "PM-5"]
    with pytest.raises(ValidationError, match="cannot sort by 'size' \\(sorts: rank, key"):
        backlog(ws, sort="size")


def test_children_and_neighbour_ranks(ws: Workspace) -> None:
    epic = ws.item_by_key("PM-1")
    assert epic is not None and keys(children(ws, epic.id)) == ["PM-2"]
    assert neighbours_rank(ws) == ("a", "e")
    assert neighbours_rank(Workspace()) == (None, None)
