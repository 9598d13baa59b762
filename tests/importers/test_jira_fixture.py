"""The Jira importer against real issues with their changelog (Puppet's Jira, via GrimoireLab):
final state equals the issues' fields; status, sprint and story-point changes happened at their
changelog times, by their changelog authors."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from pmtui.importers.apply import apply_plan
from pmtui.importers.jira import plan_file
from pmtui.timespec import AsOf
from tests.importers.conftest import fixture_path


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


@pytest.fixture
def puppet(wb):
    path = fixture_path("jira", "puppet-issues.json")
    issues = [element["data"] for element in json.loads(path.read_text())]
    return issues, apply_plan(wb, plan_file(path))


def _view(wb, moment: datetime):
    return wb.view(AsOf(moment=moment.timestamp(), text=moment.isoformat()))


def _changes(issue: dict[str, Any], field: str) -> list[tuple[datetime, str, dict[str, Any]]]:
    return [(_when(h["created"]), h["author"]["name"], item) for h in issue["changelog"]["histories"]
            for item in h["items"] if item["field"] == field]


def test_each_issue_ends_with_its_status_type_summary_points_and_sprint(wb, puppet) -> None:
    issues, report = puppet
    for issue in issues:
        f = issue["fields"]
        item = wb.item(report.keys[issue["key"]])
        assert item.status == f["status"]["name"]
        assert item.title == f["summary"]
        assert item.kind == {"Task": "task", "Bug": "bug", "New Feature": "story"}[f["issuetype"]["name"]]
        assert item.points == (f["customfield_10002"] if f.get("customfield_10002") is not None else None)
        sprints = f.get("customfield_10005") or []
        expected_sprint = sprints[-1].split("name=")[1].split(",")[0] if sprints else None
        assert (wb.now.sprints[item.sprint].name if item.sprint else None) == expected_sprint
        assert issue["key"].lower() in item.labels
        assert item.assignee == (f["assignee"] or {}).get("name")


def test_columns_are_the_statuses_seen_by_category(wb, puppet) -> None:
    issues, _ = puppet
    board = wb.board("Puppet")
    categories = {c["name"]: c["category"] for c in board.columns}
    assert categories["Open"] == "todo" and categories["Resolved"] == "done"
    assert categories["Ready for Merge"] == "doing"  # statusCategory "indeterminate" in the export
    seen = {i["fields"]["status"]["name"] for i in issues}
    seen |= {s for i in issues for _, _, item in _changes(i, "status") for s in (item["fromString"], item["toString"])}
    assert set(categories) == seen
    order = [c["category"] for c in board.columns]
    assert order == sorted(order, key=["todo", "doing", "done"].index)


def test_status_changes_replay_at_their_changelog_times_by_their_authors(wb, puppet) -> None:
    issues, report = puppet
    checked = 0
    for issue in issues:
        key = report.keys[issue["key"]]
        for at, _, item in _changes(issue, "status"):
            assert wb.item(key, _view(wb, at - timedelta(milliseconds=1))).status == item["fromString"]
            assert wb.item(key, _view(wb, at)).status == item["toString"]
            checked += 1
        moves = [r for r in wb.records_of(wb.item(key).id) if r.name == "WorkItem.Moved"]
        assert [(r.actor, r.occurred) for r in moves] == [(who, at.timestamp()) for at, who, _ in _changes(issue, "status")]
    assert checked == 16


def _final_sprint_names(issues: list[dict[str, Any]]) -> dict[str, str]:
    """Sprint id -> the name the issues' Sprint fields give it now (Jira sprints get renamed:
    the changelog says "Client 2016-05-18 (Freeze)" for what is now "Client 2016-05-18")."""
    names = {}
    for issue in issues:
        for value in issue["fields"].get("customfield_10005") or []:
            names[re.search(r"\[id=(\d+)", value).group(1)] = re.search(r"name=([^,]+)", value).group(1)
    return names


def test_sprint_and_story_point_changes_replay_at_their_times(wb, puppet) -> None:
    issues, report = puppet
    names = _final_sprint_names(issues)
    sprint_name = lambda ws, item: ws.sprints[item.sprint].name if item.sprint else None  # noqa: E731

    def last(ids: str | None, text: str | None) -> str | None:
        if not text:
            return None
        return names.get(ids.split(", ")[-1], text.split(", ")[-1])

    checked = 0
    for issue in issues:
        key = report.keys[issue["key"]]
        for at, _, item in _changes(issue, "Sprint"):
            before, after = _view(wb, at - timedelta(milliseconds=1)), _view(wb, at)
            assert sprint_name(before, wb.item(key, before)) == last(item["from"], item["fromString"])
            assert sprint_name(after, wb.item(key, after)) == last(item["to"], item["toString"])
            checked += 1
        for at, _, item in _changes(issue, "Story Points"):
            assert wb.item(key, _view(wb, at - timedelta(milliseconds=1))).points is None
            assert wb.item(key, _view(wb, at)).points == float(item["toString"])
            checked += 1
    assert checked == 11 + 4


def test_issues_are_created_by_their_reporters_at_their_creation_time(wb, puppet) -> None:
    issues, report = puppet
    for issue in issues:
        created = [r for r in wb.records_of(wb.item(report.keys[issue["key"]]).id) if r.name == "WorkItem.Created"][0]
        assert created.actor == issue["fields"]["reporter"]["name"]
        assert created.occurred == _when(issue["fields"]["created"]).timestamp()
        assert created.reason == "imported from Jira"
    times = [r.occurred for r in wb.records()]
    assert times == sorted(times)


def test_changelog_fields_without_a_place_in_pmtui_are_counted_not_fatal(puppet) -> None:
    _, report = puppet
    assert report.skipped["Rank change"] == 11
    assert report.skipped["Link change"] == 13
    assert report.replayed["status change"] == 16
