"""Jira issues with their changelog (REST ``/search?expand=changelog``): issues become work items,
and their history replays at the original times by the original authors.

Accepted shapes: ``{"issues": [...]}`` (Jira's own search result), a list of issues, or a list of
``{"data": issue}`` (what Perceval/GrimoireLab archives, as in the test fixture).

Mapped: issue type -> kind, summary -> title, description (text, or Atlassian Document Format
flattened to text) -> description, story points, sprint (the latest of the issue's sprints),
status -> board column, assignee, labels, comments. The issue's own key is kept as a label
(``pup-6551``) since pmtui numbers items itself. Status, sprint, story points, summary, type,
description, assignee and label changes replay at their changelog times; other changelog fields
(rank, links, workflow, resolution, custom QA fields…) are skipped and counted.

Each issue is created at ``fields.created`` by its reporter, in the state its changelog rolls back
to; after the replay whatever the changelog does not explain is set from the issue's fields at
``fields.updated`` (actor ``jira``), so every item ends as the export has it.

Columns are the statuses seen, ordered by Jira's status category (to do, in progress, done) and
then by when each status first appears; a status's category comes from ``statusCategory`` when the
export has it, else from its name (done-like words are done, open/new/backlog-like are to do).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.values import NAME_LIMIT
from pmtui.importers.jira_fields import (
    CATEGORY, POINTS_IDS, POINTS_NAMES, POINTS_SCHEMA, SNAPSHOT_ACTOR, SPRINT_SCHEMA, SYSTEM, UNKNOWN, Export,
    description_of, is_sprint_list, issues_of, kind_of, load, person, points_of, sprint_of, sprint_pairs,
)
from pmtui.importers.plan import (
    ImportFormatError, ImportPlan, Step, category_by_name, check_item_values, column_name, key_prefix_for, label_of,
    short_name, title_of, utc,
)


class _Planner:
    def __init__(self, issues: list[dict[str, Any]], export: Export, where: str) -> None:
        self.issues = issues
        self.where = where
        self.export = export
        names = export.names
        self.points_field = self._by_schema(POINTS_SCHEMA, POINTS_NAMES) or self._points_field(names)
        self.sprint_field = self._by_schema(SPRINT_SCHEMA) or self._field_id(names, ("sprint",), is_sprint_list)
        self.sprint_facts: dict[str, dict[str, Any]] = {}  # sprint name (lower) -> state and times
        self.people = self._people()
        self.steps: list[Step] = []
        self.replayed: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.sprints: dict[str, dict[str, Any]] = {}  # final name -> name, start, end
        self.sprint_names = self._sprint_names()  # sprint id -> its final name (sprints get renamed)
        self.columns, self.column_of = self._columns()

    def _by_schema(self, custom: str, wanted: tuple[str, ...] = ()) -> str | None:
        """A field the export's ``schema`` identifies by its custom type (and, for a type many
        fields share, by its name)."""
        for fid, schema in self.export.schema.items():
            if isinstance(schema, dict) and schema.get("custom") == custom:
                if not wanted or str(self.export.names.get(fid, "")).strip().lower() in wanted:
                    return str(fid)
        return None

    def _named_field(self, names: dict[str, str], wanted: tuple[str, ...]) -> str | None:
        """A field id by its name: the export's ``names`` map, else a changelog item's ``fieldId``."""
        for fid, name in names.items():
            if str(name).strip().lower() in wanted:
                return fid
        for issue in self.issues:
            for h in (issue.get("changelog") or {}).get("histories", []):
                for item in h.get("items", []):
                    if item["field"].strip().lower() in wanted and str(item.get("fieldId", "")).startswith("customfield_"):
                        return str(item["fieldId"])
        return None

    def _field_id(self, names: dict[str, str], wanted: tuple[str, ...], fits: Any) -> str | None:
        """A custom field by name, else the one whose every value has the expected shape."""
        named = self._named_field(names, wanted)
        if named:
            return named
        for fid in sorted({k for i in self.issues for k in i["fields"] if k.startswith("customfield_")}):
            values = [i["fields"][fid] for i in self.issues if i["fields"].get(fid) is not None]
            if values and all(fits(v) for v in values):
                return fid
        return None

    def _points_field(self, names: dict[str, str]) -> str | None:
        """The story points field. By name when the export says; else the custom field whose values
        agree with every issue's last "Story Points" changelog value; else, with no changelog to go
        by, the first of the usual ids holding numbers (a number in a random custom field is not
        taken for points)."""
        named = self._named_field(names, POINTS_NAMES)
        if named:
            return named
        last_values: dict[str, float | None] = {}
        for issue in self.issues:
            for h in self.histories(issue):
                for item in h.get("items", []):
                    if item["field"].strip().lower() in POINTS_NAMES:
                        last_values[issue["key"]] = points_of(item.get("toString"))
        numeric = lambda v: v is None or (not isinstance(v, (str, bool)) and points_of(v) is not None)  # noqa: E731
        fields = sorted({k for i in self.issues for k in i["fields"] if k.startswith("customfield_")})
        candidates = [f for f in dict.fromkeys([*POINTS_IDS, *fields])
                      if all(numeric(i["fields"].get(f)) for i in self.issues)
                      and any(i["fields"].get(f) is not None for i in self.issues)]
        if last_values:
            by_key = {i["key"]: i for i in self.issues}
            for fid in candidates:
                if all(points_of(by_key[k]["fields"].get(fid)) == v for k, v in last_values.items()):
                    return fid
            return None
        return next((f for f in candidates if f in POINTS_IDS), None)

    def _people(self) -> dict[str, str]:
        """Changelog ids (usernames or account ids) -> the name pmtui shows for that person."""
        found: dict[str, str] = {}
        for issue in self.issues:
            users = [issue["fields"].get(k) for k in ("assignee", "reporter", "creator")]
            users += [h.get("author") for h in (issue.get("changelog") or {}).get("histories", [])]
            for user in users:
                name = person(user)
                if name:
                    for ident in (user.get("name"), user.get("key"), user.get("accountId")):
                        if ident:
                            found.setdefault(str(ident), name)
        return found

    def _columns(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        first_seen: dict[str, datetime] = {}
        category: dict[str, str] = {}
        names: dict[str, str] = {}
        for issue in self.issues:
            status = issue["fields"]["status"]
            created = utc(issue["fields"]["created"], "created")
            seen = [(created, status["name"])]
            for h in self.histories(issue):
                for item in h.get("items", []):
                    if item["field"].lower() == "status":
                        at = utc(h["created"], "history")
                        seen += [(at, s) for s in (item.get("fromString"), item.get("toString")) if s]
            for at, name in seen:
                low = str(name).lower()
                names.setdefault(low, str(name))
                if low not in first_seen or at < first_seen[low]:
                    first_seen[low] = at
            key = (status.get("statusCategory") or {}).get("key")
            if key in CATEGORY:
                category[status["name"].lower()] = CATEGORY[key]
        for low in names:
            category.setdefault(low, category_by_name(names[low]) or "doing")
        order = sorted(names, key=lambda low: (["todo", "doing", "done"].index(category[low]), first_seen[low]))
        taken: set[str] = set()
        column_of = {low: column_name(names[low], taken) for low in order}
        return [{"name": column_of[low], "category": category[low]} for low in order], column_of

    def histories(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        histories = (issue.get("changelog") or {}).get("histories", [])
        return sorted(histories, key=lambda h: utc(h["created"], "history"))

    def who(self, ident: Any, shown: Any) -> str | None:
        if ident in (None, ""):
            return str(shown) if shown else None
        return self.people.get(str(ident), str(ident))

    def _sprint_names(self) -> dict[str, str]:
        """Names by sprint id: the Sprint fields' (current) names win, else the latest changelog name."""
        from_fields: dict[str, str] = {}
        for issue in self.issues:
            for value in (issue["fields"].get(self.sprint_field) or []) if self.sprint_field else []:
                sprint = sprint_of(value)
                if sprint and sprint["id"]:
                    from_fields[sprint["id"]] = sprint["name"]
        seen = sorted(((utc(h["created"], "history"), item) for issue in self.issues for h in self.histories(issue)
                       for item in h.get("items", []) if item["field"].lower() == "sprint"), key=lambda pair: pair[0])
        names: dict[str, str] = {}
        for _, item in seen:
            for ident, name in sprint_pairs(item.get("from"), item.get("fromString")) + sprint_pairs(item.get("to"), item.get("toString")):
                if ident:
                    names[ident] = name
        return {**names, **from_fields}

    def latest_sprint(self, ids: Any, names: Any) -> str | None:
        """The sprint an item is in after a changelog Sprint value: the last one listed."""
        pairs = sprint_pairs(ids, names)
        if not pairs:
            return None
        ident, name = pairs[-1]
        name = self.sprint_names.get(ident, name) if ident else name
        if name.lower() not in (s.lower() for s in self.sprints):
            self.sprints[name] = {"name": name, "start": None, "end": None}
        return name

    # The state an issue has, as a dict of pmtui values --------------------------------------------
    def note_sprint(self, sprint: dict[str, Any]) -> None:
        known = self.sprints.setdefault(sprint["name"], {k: sprint[k] for k in ("name", "start", "end")})
        known["start"] = known["start"] or sprint["start"]
        known["end"] = known["end"] or sprint["end"]
        facts = self.sprint_facts.setdefault(sprint["name"].lower(), {})
        for k in ("state", "started_at", "completed_at"):
            facts[k] = facts.get(k) or sprint.get(k)

    def final_state(self, issue: dict[str, Any]) -> dict[str, Any]:
        """The issue's fields as pmtui values. Story points and sprint are UNKNOWN unless the export
        identifies their field and holds a value in it: then the changelog's values stand (an
        export made with a short ``fields=`` list, or by another tool, must not wipe them)."""
        f = issue["fields"]
        sprint: Any = UNKNOWN
        if self.sprint_field and f.get(self.sprint_field):
            sprints = [s for s in (sprint_of(v) for v in f[self.sprint_field]) if s] \
                if isinstance(f[self.sprint_field], list) else []
            for one in sprints:
                self.note_sprint(one)
            sprint = sprints[-1]["name"] if sprints else UNKNOWN
        points: Any = UNKNOWN
        if self.points_field and f.get(self.points_field) is not None:
            points = points_of(f.get(self.points_field))
            points = UNKNOWN if points is None else points
        return {
            "status": self.column_of[f["status"]["name"].lower()],
            "title": title_of(f["summary"]),
            "kind": kind_of((f.get("issuetype") or {}).get("name")),
            "description": description_of(f.get("description")),
            "points": points,
            "sprint": sprint,
            "assignee": person(f.get("assignee")),
            "labels": self.labels(issue, f.get("labels") or []),
        }

    def labels(self, issue: dict[str, Any], names: list[Any] | str) -> list[str]:
        words = names.split() if isinstance(names, str) else names
        found = [label_of(issue["key"])] + [label_of(w) for w in words]
        return [lbl for n, lbl in enumerate(found) if lbl and lbl not in found[:n]]

    def change(self, issue: dict[str, Any], item: dict[str, Any]) -> tuple[str, Any, Any] | None:
        """(pmtui field, old value, new value) of a changelog item this importer replays."""
        name = item["field"].lower()
        before, after = item.get("fromString"), item.get("toString")
        if name == "status":
            return "status", self.column_of.get(str(before).lower()), self.column_of.get(str(after).lower())
        if name == "sprint":
            return ("sprint", self.latest_sprint(item.get("from"), before),
                    self.latest_sprint(item.get("to"), after))
        if name in POINTS_NAMES:
            return "points", points_of(before), points_of(after)
        if name == "summary":
            return "title", title_of(before), title_of(after)
        if name == "issuetype":
            return "kind", kind_of(before), kind_of(after)
        if name == "description":
            return "description", description_of(before), description_of(after)
        if name == "assignee":
            return "assignee", self.who(item.get("from"), before), self.who(item.get("to"), after)
        if name == "labels":
            return "labels", self.labels(issue, before or ""), self.labels(issue, after or "")
        return None

    def plan(self) -> ImportPlan:
        finals = {issue["key"]: self.final_state(issue) for issue in self.issues}
        for issue in self.issues:
            self.replay(issue, finals[issue["key"]])
        self.link_epics(finals)
        for sprint in self.export.sprints:  # the agile API's sprint objects, when the file has them
            one = sprint_of(sprint)
            if one and one["name"] in self.sprints:
                self.note_sprint(one)
        self.sprint_steps()
        self.skipped.update(self.export.incomplete)
        projects = {(i["fields"].get("project") or {}).get("name") for i in self.issues} - {None}
        name = projects.pop() if len(projects) == 1 else "Jira import"
        started = min(s.occurred for s in self.steps)
        first = min(self.issues, key=lambda i: utc(i["fields"]["created"], "created"))
        return ImportPlan(
            sources={i["key"]: [*([f"jira:{i['id']}"] if i.get("id") else []), f"jira-key:{i['key']}"]
                     for i in self.issues},
            system=SYSTEM, board_name=short_name(name, NAME_LIMIT, "Jira import"), columns=self.columns,
            product_name=short_name(name, 200, "Jira import"), key_prefix=key_prefix_for(name, "JI"),
            started=started, started_by=self.creator(first), steps=self.steps,
            sprints=[{**s, "occurred": started, "actor": self.creator(first)}
                     for s in sorted(self.sprints.values(), key=lambda s: (s["start"] or "9999", s["name"]))],
            replayed=self.replayed, skipped=self.skipped, items=len(self.issues), mode="scrum" if self.sprints else "kanban",
        )

    def sprint_steps(self) -> None:
        """Sprint start and completion where the export dates them (the Sprint field's state,
        startDate and completeDate): started at its start, with the items in it then; closed at
        its completion, with what was done then. Planned sprints stay planned."""
        for low, facts in self.sprint_facts.items():
            name = next(n for n in self.sprints if n.lower() == low)
            if facts.get("state") in ("active", "closed") and facts.get("started_at"):
                self.steps.append(Step(facts["started_at"], SNAPSHOT_ACTOR, "", "start_sprint",
                                       {"sprint": name, "start": self.sprints[name]["start"],
                                        "end": self.sprints[name]["end"]}, "sprint started"))
                self.replayed["sprint start"] += 1
                if facts.get("state") == "closed" and facts.get("completed_at"):
                    self.steps.append(Step(max(facts["completed_at"], facts["started_at"]), SNAPSHOT_ACTOR, "",
                                           "close_sprint", {"sprint": name}, "sprint completed"))
                    self.replayed["sprint completion"] += 1

    def creator(self, issue: dict[str, Any]) -> str:
        f = issue["fields"]
        return person(f.get("reporter")) or person(f.get("creator")) or SNAPSHOT_ACTOR

    def replay(self, issue: dict[str, Any], final: dict[str, Any]) -> None:
        key, f = issue["key"], issue["fields"]
        created = utc(f["created"], f"{key} created")
        histories = self.histories(issue)
        total = (issue.get("changelog") or {}).get("total")
        if isinstance(total, int) and total > len(histories):
            # Jira pages long changelogs: what is missing is rolled into the state at creation.
            self.skipped["changelog entries not in the export"] += total - len(histories)
        changes: list[tuple[datetime, str, str, Any, Any]] = []  # at, actor, field, old, new
        for h in histories:
            at = max(created, utc(h["created"], f"{key} history"))
            actor = person(h.get("author")) or SNAPSHOT_ACTOR
            for item in h.get("items", []):
                change = self.change(issue, item)
                if change is None:
                    self.skipped[f"{item['field']} change"] += 1
                else:
                    changes.append((at, actor, *change))
        # The state at creation: the final state rolled back through the changes, newest first.
        state = dict(final)
        for _, _, field_name, old, _ in reversed(changes):
            if field_name == "status" and old is None:
                continue
            state[field_name] = old
        state = {k: (None if v is UNKNOWN else v) for k, v in state.items()}
        self.step(created, self.creator(issue), key, "create", {**state}, "issue created")
        for at, actor, field_name, _, new in changes:
            if field_name == "status" and new is None:
                self.skipped["status change (unknown status)"] += 1
                continue
            if state[field_name] == new:
                self.skipped[f"{field_name} change (no change)"] += 1
                continue
            state[field_name] = new
            if field_name == "status":
                self.step(at, actor, key, "move", {"column": new}, "status")
            else:
                self.step(at, actor, key, "edit", {field_name: new}, field_name)
            self.replayed[f"{field_name} change"] += 1
        for comment in ((f.get("comment") or {}).get("comments") or []):
            text = description_of(comment.get("body")).strip() if isinstance(comment, dict) else ""
            if text and isinstance(comment.get("created"), str):
                self.step(max(created, utc(comment["created"], f"{key} comment")),
                          person(comment.get("author")) or SNAPSHOT_ACTOR, key, "comment", {"text": text}, "comment")
                self.replayed["comment"] += 1
        self.reconcile(issue, state, final)

    def reconcile(self, issue: dict[str, Any], state: dict[str, Any], final: dict[str, Any]) -> None:
        key = issue["key"]
        last = max((s.occurred for s in self.steps if s.ref == key))
        updated = issue["fields"].get("updated")
        at = max(last, utc(updated, f"{key} updated")) if isinstance(updated, str) else last
        edits = {k: v for k, v in final.items() if k != "status" and v is not UNKNOWN and state.get(k) != v}
        if edits:
            self.step(at, SNAPSHOT_ACTOR, key, "edit", edits, "issue fields")
        if final["status"] != state["status"]:
            self.step(at, SNAPSHOT_ACTOR, key, "move", {"column": final["status"]}, "issue fields")
        if edits or final["status"] != state["status"]:
            self.replayed["issue fields (final state)"] += 1

    def epic_of(self, issue: dict[str, Any], epics: set[str]) -> str | None:
        """The key of the issue's epic when that epic is imported too: ``fields.parent`` (Jira
        Cloud) or an "Epic Link" field (Jira Server: a custom field holding the epic's key)."""
        f = issue["fields"]
        parent = f.get("parent")
        if isinstance(parent, dict) and parent.get("key") in epics:
            return str(parent["key"])
        for fid, value in f.items():
            if fid.startswith("customfield_") and isinstance(value, str) and value in epics and value != issue["key"]:
                return value
        return None

    def link_epics(self, finals: dict[str, dict[str, Any]]) -> None:
        """Epic links are set as the export has them, once both items exist (the changelog's
        "Epic Link" entries are counted with the other skipped fields)."""
        epics = {key for key, final in finals.items() if final["kind"] == "epic"}
        created = {s.ref: s.occurred for s in self.steps if s.action == "create"}
        for issue in self.issues:
            epic = self.epic_of(issue, epics)
            if epic is None:
                continue
            last = max(s.occurred for s in self.steps if s.ref == issue["key"])
            at = max(last, created[epic] + timedelta(microseconds=1))  # strictly after the epic exists
            self.step(at, SNAPSHOT_ACTOR, issue["key"], "edit", {"parent": epic}, "epic link")
            self.replayed["epic link"] += 1

    def step(self, at: datetime, actor: str, ref: str, action: str, values: dict[str, Any], source: str) -> None:
        if action in ("create", "edit"):
            fields = {k: v for k, v in values.items() if k not in ("title", "kind", "status")}
            checked = check_item_values(fields, f"{self.where}: {ref}")
            values = {**values, **checked}
        self.steps.append(Step(at, actor, ref, action, values, source))


def plan_jira(data: Any, where: str = "the file") -> ImportPlan:
    issues, export = issues_of(data, where)
    return _plan(issues, export, where)


def plan_file(path: str | Path) -> ImportPlan:
    issues, export = load(path)
    return _plan(issues, export, str(path))


def _plan(issues: list[dict[str, Any]], export: Export, where: str) -> ImportPlan:
    try:
        return _Planner(issues, export, where).plan()
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        # issues_of() checks what every export has; an odd value deeper in a field still must not
        # end in a traceback (and nothing has been written yet).
        raise ImportFormatError(f"{where}: not Jira issues (a value of an unexpected shape: "
                                f"{type(error).__name__} {error})") from None
