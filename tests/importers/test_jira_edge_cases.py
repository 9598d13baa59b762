"""The Jira importer on small hand-made issues: the three accepted shapes, Jira Cloud's field forms
(ADF descriptions, sprint objects, account ids, a ``names`` map), and malformed files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pmtui.importers.apply import apply_plan
from pmtui.importers.jira import plan_file, plan_jira
from pmtui.importers.jira_fields import adf_text
from pmtui.importers.plan import ImportFormatError


def issue(key: str, status: str = "In Progress", category: str = "indeterminate", histories: list | None = None,
          **fields: Any) -> dict[str, Any]:
    return {"key": key, "fields": {
        "summary": fields.pop("summary", f"Issue {key}"), "created": "2024-03-01T10:00:00.000+0000",
        "updated": "2024-03-09T10:00:00.000+0000", "issuetype": {"name": fields.pop("type", "Story")},
        "status": {"name": status, "statusCategory": {"key": category}},
        "reporter": {"accountId": "557058:aaa", "displayName": "Ann Reporter"},
        "project": {"key": "WEB", "name": "Web Shop"}, **fields,
    }, "changelog": {"histories": histories or []}}


def history(when: str, author: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"created": when, "author": {"accountId": author, "displayName": author.title()}, "items": list(items)}


def status_change(old: str, new: str) -> dict[str, Any]:
    return {"field": "status", "fieldtype": "jira", "fromString": old, "toString": new}


ISSUES = [issue("WEB-1", histories=[history("2024-03-02T09:00:00.000+0000", "dev", status_change("To Do", "In Progress"))])]


@pytest.mark.parametrize("shape", [
    lambda issues: {"issues": issues, "total": len(issues)},
    lambda issues: issues,
    lambda issues: [{"backend_name": "Jira", "data": i} for i in issues],
])
def test_every_accepted_shape_imports_the_same(wb, shape) -> None:
    report = apply_plan(wb, plan_jira(shape(json.loads(json.dumps(ISSUES)))))
    item = wb.item(report.keys["WEB-1"])
    assert item.status == "In Progress"
    assert [c["name"] for c in wb.board("Web Shop").columns] == ["To Do", "In Progress"]
    moved = [r for r in wb.records_of(item.id) if r.name == "WorkItem.Moved"]
    assert [(r.actor, r.data["changes"]["status"]) for r in moved] == [("Dev", ["To Do", "In Progress"])]  # Cloud: display names


def test_cloud_fields_adf_description_sprint_objects_and_story_points_by_name(wb) -> None:
    adf = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "First line"}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "Second "}, {"type": "text", "text": "line"}]}]}
    data = {"names": {"customfield_10099": "Story Points", "customfield_10020": "Sprint"}, "issues": [issue(
        "WEB-2", "Done", "done", type="Bug", description=adf, customfield_10099=5,
        customfield_10020=[{"id": 7, "name": "Sprint 7", "state": "closed", "startDate": "2024-03-04T08:00:00.000Z",
                            "endDate": "2024-03-15T08:00:00.000Z"}],
        assignee={"accountId": "557058:bbb", "displayName": "Bea Dev"}, labels=["checkout"],
        histories=[history("2024-03-03T09:00:00.000+0000", "pm",
                           {"field": "Story Points", "fromString": "3", "toString": "5"},
                           {"field": "Sprint", "from": "", "fromString": "", "to": "7", "toString": "Sprint 7"})],
    )]}
    report = apply_plan(wb, plan_jira(data))
    item = wb.item(report.keys["WEB-2"])
    assert (item.kind, item.status, item.points, item.assignee) == ("bug", "Done", 5, "Bea Dev")
    assert item.description == "First line\nSecond line"
    assert item.labels == ["web-2", "checkout"]
    sprint = wb.now.sprints[item.sprint]
    assert (sprint.name, sprint.start, sprint.end) == ("Sprint 7", "2024-03-04", "2024-03-15")
    created = [r for r in wb.records_of(item.id) if r.name == "WorkItem.Created"][0]
    assert created.data["fields"]["points"] == 3 and created.data["fields"]["sprint"] is None
    assert created.actor == "Ann Reporter"


def test_unreplayed_changelog_fields_are_counted(wb) -> None:
    data = [issue("WEB-3", histories=[history("2024-03-02T09:00:00.000+0000", "dev",
                                              {"field": "Rank", "fromString": "", "toString": "Ranked higher"},
                                              {"field": "Flagged", "fromString": None, "toString": "Impediment"})])]
    report = apply_plan(wb, plan_jira(data))
    assert report.skipped == {"Rank change": 1, "Flagged change": 1}


def test_adf_text_keeps_hard_breaks_and_ignores_unknown_nodes() -> None:
    doc = {"type": "doc", "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "a"}, {"type": "hardBreak"}, {"type": "mention", "attrs": {}},
        {"type": "text", "text": "b"}]}]}
    assert adf_text(doc) == "a\nb\n"


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"total": 0}', "expected a list of issues"),
    ("[]", "the list of issues is empty"),
    ('[{"key": "A-1"}]', "no issue has a key and fields"),
    ('[{"key": "A-1", "fields": {"summary": "x", "created": "2024-01-01T00:00:00.000+0000"}}]', "no status name"),
    ('[{"key": "A-1", "fields": {"summary": "x", "created": "soon", "status": {"name": "Open"}}}]',
     "cannot read the date-time"),
    ('[{"key": "A-1", "fields": {"summary": "x", "created": "2024-01-01T00:00:00.000+0000", "status": {"name": "Open"}},'
     ' "changelog": {"histories": [{"created": "2024-01-02T00:00:00.000+0000", "items": [{"to": "x"}]}]}}]',
     "a changelog item has no field"),
])
def test_a_malformed_file_gives_one_clear_error_and_writes_nothing(wb, tmp_path, content: str, message: str) -> None:
    path = tmp_path / "issues.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message):
        apply_plan(wb, plan_file(path))
    assert wb.now.position == 0


def _points(data: Any) -> float | None:
    from pmtui.importers.jira import plan_jira
    plan = plan_jira(data)
    created = next(s for s in plan.steps if s.action == "create")
    finals = [s.values["points"] for s in plan.steps if "points" in s.values]
    return finals[-1] if finals else created.values.get("points")


def test_story_points_are_found_by_the_changelogs_field_id() -> None:
    data = [issue("WEB-4", customfield_10555=13, customfield_10002=99, histories=[history(
        "2024-03-02T09:00:00.000+0000", "pm",
        {"field": "Story Points", "fieldId": "customfield_10555", "fromString": None, "toString": "13"})])]
    assert _points(data) == 13


def test_story_points_are_the_field_that_agrees_with_the_changelog() -> None:
    data = [issue("WEB-5", customfield_10002=40, customfield_10777=2, histories=[history(
        "2024-03-02T09:00:00.000+0000", "pm", {"field": "Story Points", "fromString": "1", "toString": "2"})])]
    assert _points(data) == 2


def test_a_number_in_an_unusual_custom_field_is_not_taken_for_points_without_evidence() -> None:
    assert _points([issue("WEB-6", customfield_12345=7)]) is None
    assert _points([issue("WEB-7", customfield_10016=3)]) == 3  # Jira Cloud's usual "Story point estimate"


def test_a_paged_changelog_is_counted_and_the_issue_still_ends_as_exported(wb) -> None:
    data = [issue("WEB-8", "Done", "done", histories=[history("2024-03-05T09:00:00.000+0000", "dev",
                                                              status_change("In Review", "Done"))])]
    data[0]["changelog"].update(total=40, maxResults=1)
    report = apply_plan(wb, plan_jira(data))
    assert report.skipped["changelog entries not in the export"] == 39
    item = wb.item(report.keys["WEB-8"])
    assert item.status == "Done"
    created = [r for r in wb.records_of(item.id) if r.name == "WorkItem.Created"][0]
    assert created.data["status"] == "In Review"


def test_comments_replay_at_their_time_by_their_author(wb) -> None:
    comments = {"comments": [
        {"author": {"name": "sam", "displayName": "Sam"}, "created": "2024-03-04T12:00:00.000+0000", "body": "Looks good"},
        {"author": {"name": "kim"}, "created": "2024-03-05T12:00:00.000+0000",
         "body": {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Shipped"}]}]}},
        {"author": {"name": "kim"}, "created": "2024-03-06T12:00:00.000+0000", "body": "   "},
    ]}
    report = apply_plan(wb, plan_jira([issue("WEB-9", comment=comments)]))
    assert report.replayed["comment"] == 2
    assert [(c.actor, c.text) for c in wb.now.comments] == [("sam", "Looks good"), ("kim", "Shipped")]
    times = [r.occurred for r in wb.records()]
    assert times == sorted(times)


def test_epic_links_follow_the_epic_whichever_comes_first_in_the_file(wb) -> None:
    data = [issue("WEB-11", parent={"key": "WEB-10", "fields": {"issuetype": {"name": "Epic"}}}),
            issue("WEB-12", customfield_10008="WEB-10"),  # Jira Server's "Epic Link"
            issue("WEB-13", customfield_10008="OTHER-1"),  # an epic that was not exported
            issue("WEB-10", "To Do", "new", type="Epic", summary="Checkout")]
    data[3]["fields"]["created"] = "2024-03-05T00:00:00.000+0000"  # the epic is younger than its stories
    report = apply_plan(wb, plan_jira(data))
    epic = wb.item(report.keys["WEB-10"])
    assert epic.kind == "epic"
    assert wb.item(report.keys["WEB-11"]).parent == epic.id
    assert wb.item(report.keys["WEB-12"]).parent == epic.id
    assert wb.item(report.keys["WEB-13"]).parent is None
    assert report.replayed["epic link"] == 2


def test_sprint_names_past_the_domains_limit_are_shortened_and_board_names_kept_whole(wb) -> None:
    long_sprint = "Sprint " + "very " * 20 + "long"
    data = {"names": {"customfield_10020": "Sprint"}, "issues": [issue(
        "WEB-14", project={"key": "WEB", "name": "A project " + "with a name " * 10},
        customfield_10020=[{"id": 3, "name": long_sprint, "startDate": "2024-03-10T00:00:00Z",
                            "endDate": "2024-03-01T00:00:00Z"}])]}
    report = apply_plan(wb, plan_jira(data))
    item = wb.item(report.keys["WEB-14"])
    sprint = wb.now.sprints[item.sprint]
    assert len(sprint.name) == 60 and sprint.name.startswith("Sprint very") and sprint.end is None
    assert report.board == "A project " + "with a name " * 9 + "with a name"
