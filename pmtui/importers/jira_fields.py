"""Reading a Jira export: its accepted shapes, validated (one clear error line for a file that is
not Jira issues), and each field's value as pmtui takes it (kind, points, sprint, people, text).
The replay of the issues' history is in ``pmtui.importers.jira``."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from pmtui.importers.plan import ImportFormatError, read_json, short_name, utc

SYSTEM = "Jira"
SNAPSHOT_ACTOR = "jira"
CATEGORY = {"new": "todo", "indeterminate": "doing", "done": "done"}
POINTS_NAMES = ("story points", "story point estimate")
POINTS_IDS = ("customfield_10002", "customfield_10016", "customfield_10026", "customfield_10028",
              "customfield_10106", "customfield_10004")
KINDS = {"epic": "epic", "story": "story", "user story": "story", "new feature": "story", "feature": "story",
         "improvement": "story", "bug": "bug", "defect": "bug", "task": "task", "sub-task": "task",
         "subtask": "task", "technical task": "task", "spike": "spike", "research": "spike"}
REPLAYED_FIELDS = ("status", "sprint", "story points", "story point estimate", "summary", "issuetype",
                   "description", "assignee", "labels")


# Reading and validating ------------------------------------------------------------------------------
UNKNOWN: Any = object()  # a final value the export does not tell (field unidentified, absent or empty)
SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"
POINTS_SCHEMA = "com.atlassian.jira.plugin.system.customfieldtypes:float"


class Export:
    """What a Jira file holds besides the issues: the field names and schema (``expand=names,schema``),
    the agile API's sprint objects, and the issues left out for lack of a key or fields."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.schema: dict[str, Any] = {}
        self.sprints: list[dict[str, Any]] = []
        self.incomplete: Counter[str] = Counter()


def load(path: str | Path) -> tuple[list[dict[str, Any]], Export]:
    return issues_of(read_json(path, "Jira issues"), str(path))


def _need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ImportFormatError(f"{where}: not Jira issues ({message})")


def issues_of(data: Any, where: str = "the file") -> tuple[list[dict[str, Any]], Export]:
    """The issues (unwrapped), validated, and what else the export says (see ``Export``). An issue
    without a key or fields (a dump mixing servers, an error entry) is left out and counted."""
    export = Export()
    if isinstance(data, dict):
        _need(isinstance(data.get("issues"), list), where, "expected a list of issues or an object with 'issues'")
        export.names = data.get("names") if isinstance(data.get("names"), dict) else {}
        export.schema = data.get("schema") if isinstance(data.get("schema"), dict) else {}
        export.sprints = [s for s in data.get("sprints") or [] if isinstance(s, dict)] \
            if isinstance(data.get("sprints"), list) else []
        data = data["issues"]
    _need(isinstance(data, list), where, "expected a list of issues or an object with 'issues'")
    _need(bool(data), where, "the list of issues is empty")
    unwrapped = [item["data"] if isinstance(item, dict) and isinstance(item.get("data"), dict) and "fields" not in item
                 else item for item in data]
    issues = []
    for issue in unwrapped:
        if not isinstance(issue, dict) or not isinstance(issue.get("key"), str) or not issue["key"].strip():
            export.incomplete["issue without a key"] += 1
        elif not isinstance(issue.get("fields"), dict) or not issue["fields"]:
            export.incomplete["issue without fields"] += 1
        else:
            issues.append(issue)
    _need(bool(issues), where, "no issue has a key and fields")
    seen: set[str] = set()
    for n, issue in enumerate(issues):
        key, fields = issue["key"], issue["fields"]
        _need(key not in seen, f"{where}: issue #{n + 1}", f"{key} appears twice")
        seen.add(key)
        _need(isinstance(fields.get("summary"), str), f"{where}: {key}", "no summary")
        utc(fields.get("created"), f"{where}: {key} created")
        _need(isinstance(fields.get("status"), dict) and isinstance(fields["status"].get("name"), str),
              f"{where}: {key}", "no status name")
        changelog = issue.get("changelog") or {}
        _need(isinstance(changelog, dict) and isinstance(changelog.get("histories", []), list),
              f"{where}: {key}", "changelog.histories is not a list")
        for h in changelog.get("histories", []):
            _need(isinstance(h, dict) and isinstance(h.get("items", []), list), f"{where}: {key}", "a history has no items")
            utc(h.get("created"), f"{where}: {key} history")
            for item in h.get("items", []):
                _need(isinstance(item, dict) and isinstance(item.get("field"), str), f"{where}: {key}",
                      "a changelog item has no field")
        if isinstance(issue.get("names"), dict):
            export.names.update(issue["names"])
        if isinstance(issue.get("schema"), dict):
            export.schema.update(issue["schema"])
    return issues, export


# Values ---------------------------------------------------------------------------------------------
def adf_text(node: Any) -> str:
    """Atlassian Document Format flattened to plain text (paragraphs on their own lines)."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = adf_text(node.get("content", []))
    block = node.get("type") in ("paragraph", "heading", "codeBlock", "blockquote", "listItem", "rule")
    return inner + "\n" if block else inner


def description_of(value: Any) -> str:
    return adf_text(value).strip("\n") if value else ""


def kind_of(issue_type: Any) -> str:
    return KINDS.get(str(issue_type or "").strip().lower(), "story")


def points_of(value: Any) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 1000 else None


_GREENHOPPER_NAME = re.compile(r"name=(.*?),(?:startDate|endDate|completeDate|sequence|goal|activatedDate|"
                               r"autoStartStop|incompleteIssuesDestinationId|synced)=")


def sprint_of(value: Any) -> dict[str, Any] | None:
    """A sprint from the Sprint field: a dict (Jira Cloud, the agile API) or a greenhopper string
    (Jira Server), with its state and its start, end and completion times when given."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return _sprint(str(value.get("id") or ""), value["name"], value.get("startDate"), value.get("endDate"),
                       value.get("state"), value.get("completeDate"))
    if isinstance(value, str) and "greenhopper" in value and "name=" in value:
        match = _GREENHOPPER_NAME.search(value) or re.search(r"name=([^,\]]*)", value)
        assert match is not None
        attrs = dict(re.findall(r"(id|state|startDate|endDate|completeDate)=([^,\]]*)", value))
        return _sprint(attrs.get("id", ""), match.group(1), attrs.get("startDate"), attrs.get("endDate"),
                       attrs.get("state"), attrs.get("completeDate"))
    return None


def _sprint(ident: str, name: str, start: Any, end: Any, state: Any = None, complete: Any = None) -> dict[str, Any]:
    start_date, end_date = _date(start), _date(end)
    if start_date and end_date and end_date < start_date:
        end_date = None  # the domain refuses a sprint that ends before it starts
    return {"id": ident, "name": sprint_name(name), "start": start_date, "end": end_date,
            "state": str(state or "").strip().lower() or None, "started_at": _moment(start),
            "completed_at": _moment(complete)}


def _moment(value: Any) -> datetime | None:
    try:
        return utc(value, "sprint") if isinstance(value, str) and value.strip() not in ("", "<null>") else None
    except ImportFormatError:
        return None


def sprint_name(text: Any) -> str:
    return short_name(text, 60, "Sprint")


def _date(value: Any) -> str | None:
    text = str(value or "")
    return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else None


def is_sprint_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(sprint_of(v) for v in value)


def sprint_pairs(ids: Any, names: Any) -> list[tuple[str, str]]:
    """A changelog Sprint value as (id, name) pairs: ``to`` "1812, 1814" with ``toString``
    "CR 1, CR 2". Ids are "" when they cannot be paired (a name holding a comma)."""
    name_list = [sprint_name(n) for n in str(names or "").split(",") if n.strip()]
    id_list = [i.strip() for i in str(ids or "").split(",") if i.strip()]
    if len(id_list) != len(name_list):
        id_list = [""] * len(name_list)
    return list(zip(id_list, name_list))


def person(user: Any) -> str | None:
    if not isinstance(user, dict):
        return None
    return user.get("name") or user.get("key") or user.get("displayName") or user.get("accountId")


# Planning -------------------------------------------------------------------------------------------
