"""Imports a team can trust (issue 14), on small exports made here for each case: Trello list
renames and archived lists, names kept whole, Jira fields never wiped, partial and paged exports,
and importing again by source ids."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pmtui.errors import UserError
from pmtui.importers.apply import apply_plan
from pmtui.importers.jira import plan_jira
from pmtui.importers.trello import plan_trello
from projections.board_view import board_view
from tests.importers.test_jira_edge_cases import history, issue, status_change
from tests.importers.test_trello_edge_cases import BOB, action, at, card, export, tid

L1, L2, L3 = ("m" * 23 + n for n in "123")


def lists(*names: str, closed: tuple[bool, ...] = ()) -> list[dict[str, Any]]:
    return [{"id": lid, "name": name, "pos": n, "closed": (closed[n] if n < len(closed) else False)}
            for n, (lid, name) in enumerate(zip((L1, L2, L3), names))]


def ref(lid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": lid, "name": name, **extra}


def shown(ws, board: str | None = None) -> dict[str, list[str]]:
    """Column name -> titles of the cards a user sees there."""
    board_id = next(b.id for b in ws.boards.values() if board is None or b.name == board)
    snapshot = board_view(ws, board_id)
    return {col.name: [c.title for c in col.cards] for col in snapshot.columns}


def rename(when: str, lid: str, old: str, new: str) -> dict[str, Any]:
    return action("updateList", when, list=ref(lid, new), old={"name": old})


# Trello: list renames --------------------------------------------------------------------------
def test_a_list_rename_renames_its_column_at_its_time_and_the_past_shows_the_old_name(wb) -> None:
    c1 = tid("2020-02-01T00:00:00")
    data = export([card(c1, "Write docs", {"id": L1})], [
        action("createCard", "2020-02-01T00:00:01", card={"id": c1, "name": "Write docs"}, list=ref(L1, "Ideas")),
        rename("2020-02-05T00:00:00", L1, "Ideas", "Next up"),
    ], lists=lists("Next up", "Done"))
    report = apply_plan(wb, plan_trello(data))
    assert shown(wb.now) == {"Next up": ["Write docs"], "Done": []}
    assert shown(at(wb, "2020-02-03T00:00:00")) == {"Ideas": ["Write docs"], "Done": []}
    assert report.replayed["updateList (rename)"] == 1
    # The card followed its column: it is in it under either name, and was never out of it.
    assert wb.item(report.keys[c1]).status == "Next up"


def test_two_lists_swapping_names_keep_their_cards_by_list_identity(wb) -> None:
    a, b = tid("2020-02-01T00:00:00"), tid("2020-02-01T00:00:01")
    data = export([card(a, "Card in A", {"id": L1}), card(b, "Card in B", {"id": L2})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": a, "name": "Card in A"}, list=ref(L1, "To Do")),
        action("createCard", "2020-02-01T00:00:03", card={"id": b, "name": "Card in B"}, list=ref(L2, "Up Next")),
        rename("2020-02-10T00:00:00", L1, "To Do", "Up Next"),  # for a moment, both lists are "Up Next"
        rename("2020-02-10T00:01:00", L2, "Up Next", "To Do"),
    ], lists=lists("Up Next", "To Do", "Done"))
    apply_plan(wb, plan_trello(data))
    assert shown(at(wb, "2020-02-05T00:00:00")) == {"To Do": ["Card in A"], "Up Next": ["Card in B"], "Done": []}
    between = shown(at(wb, "2020-02-10T00:00:30"))
    assert between == {"Up Next (2)": ["Card in A"], "Up Next": ["Card in B"], "Done": []}
    assert shown(wb.now) == {"Up Next": ["Card in A"], "To Do": ["Card in B"], "Done": []}


def test_lists_sharing_a_name_stay_distinct_columns_and_long_names_are_kept_whole(wb) -> None:
    long_list = "Milestone 3: the long-awaited public beta with   payments, search and a much better onboarding"
    long_title = "A card whose title runs on  and on " + "and on " * 40 + "to the end"
    a, b = tid("2020-02-01T00:00:00"), tid("2020-02-01T00:00:01")
    data = export([card(a, long_title, {"id": L1}), card(b, "Other", {"id": L2})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": a, "name": long_title}, list=ref(L1, "Done")),
        action("createCard", "2020-02-01T00:00:03", card={"id": b, "name": "Other"}, list=ref(L2, "Done")),
    ], lists=lists("Done", "Done", long_list))
    report = apply_plan(wb, plan_trello(data))
    assert [c["name"] for c in wb.board("Team Board").columns] == ["Done", "Done (2)", long_list]
    assert wb.item(report.keys[a]).title == long_title and len(long_title) > 255
    assert wb.item(report.keys[a]).status == "Done" and wb.item(report.keys[b]).status == "Done (2)"


# Trello: archived lists ------------------------------------------------------------------------
def test_an_archived_list_hides_its_column_and_open_cards_and_unarchiving_brings_them_back(wb) -> None:
    a, b = tid("2020-02-01T00:00:00"), tid("2020-02-01T00:00:01")
    data = export([card(a, "Kept", {"id": L1}), card(b, "Parked", {"id": L2})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": a, "name": "Kept"}, list=ref(L1, "Doing")),
        action("createCard", "2020-02-01T00:00:03", card={"id": b, "name": "Parked"}, list=ref(L2, "Later")),
        action("updateList", "2020-02-05T00:00:00", list=ref(L2, "Later", closed=True), old={"closed": False}),
        action("updateList", "2020-02-08T00:00:00", list=ref(L2, "Later", closed=False), old={"closed": True}),
        action("updateList", "2020-02-09T00:00:00", list=ref(L2, "Later", closed=True), old={"closed": False}),
    ], lists=lists("Doing", "Later", closed=(False, True)))
    report = apply_plan(wb, plan_trello(data))
    assert shown(wb.now) == {"Doing": ["Kept"]}  # Trello shows one open card, not two
    assert not wb.item(report.keys[b]).archived  # the card itself was never archived
    assert shown(at(wb, "2020-02-03T00:00:00")) == {"Doing": ["Kept"], "Later": ["Parked"]}
    assert shown(at(wb, "2020-02-06T00:00:00")) == {"Doing": ["Kept"]}
    assert shown(at(wb, "2020-02-08T12:00:00")) == {"Doing": ["Kept"], "Later": ["Parked"]}
    assert [c["name"] for c in wb.board("Team Board").archived_columns] == ["Later"]
    assert report.replayed["updateList (archive)"] == 2 and report.replayed["updateList (unarchive)"] == 1


def test_a_list_archived_before_the_window_is_archived_from_the_start_with_its_cards(wb) -> None:
    seeded, new = tid("2019-12-01T00:00:00"), tid("2020-02-01T00:00:00")
    data = export([card(seeded, "Old open card", {"id": L2}), card(new, "New", {"id": L1})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": new, "name": "New"}, list=ref(L1, "Doing")),
    ], lists=lists("Doing", "Old sprint", closed=(False, True)))
    apply_plan(wb, plan_trello(data))
    assert shown(wb.now) == {"Doing": ["New"]}
    assert shown(at(wb, "2020-02-01T00:00:03")) == {"Doing": ["New"]}


def test_a_card_moved_out_of_an_archived_list_comes_back_to_the_board(wb) -> None:
    a = tid("2020-02-01T00:00:00")
    data = export([card(a, "Rescued", {"id": L1})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": a, "name": "Rescued"}, list=ref(L2, "Icebox")),
        action("updateList", "2020-02-05T00:00:00", list=ref(L2, "Icebox", closed=True), old={"closed": False}),
        action("updateCard", "2020-02-06T00:00:00", card={"id": a, "name": "Rescued", "idList": L1},
               listBefore=ref(L2, "Icebox"), listAfter=ref(L1, "Doing"), old={"idList": L2}),
    ], lists=lists("Doing", "Icebox", closed=(False, True)))
    apply_plan(wb, plan_trello(data))
    assert shown(at(wb, "2020-02-05T12:00:00")) == {"Doing": []}
    assert shown(wb.now) == {"Doing": ["Rescued"]}


# Trello: importing again ------------------------------------------------------------------------
def trello_board(name: str = "Team Board") -> dict[str, Any]:
    a, b = "5e34c8800000000000000001", "5e34c8800000000000000002"
    return export([card(a, "First", {"id": L2}), card(b, "Second", {"id": L1})], [
        action("createCard", "2020-02-01T00:00:02", card={"id": a, "name": "First"}, list=ref(L1, "To Do")),
        action("createCard", "2020-02-01T00:00:03", card={"id": b, "name": "Second"}, list=ref(L1, "To Do")),
        action("updateCard", "2020-02-02T00:00:00", card={"id": a, "name": "First", "idList": L2},
               listBefore=ref(L1, "To Do"), listAfter=ref(L2, "Doing"), old={"idList": L1}),
        rename("2020-02-03T00:00:00", L2, "Doing", "In progress"),
    ], lists=lists("To Do", "In progress"), name=name)


def test_the_same_board_exported_again_under_a_new_name_imports_no_duplicates(wb) -> None:
    first = apply_plan(wb, plan_trello(trello_board()))
    position = wb.now.position
    again = apply_plan(wb, plan_trello(trello_board("Team Board (renamed in Trello)")))
    assert again.events == 0 and wb.now.position == position
    assert len(wb.now.items) == 2 and again.keys == first.keys and again.board == "Team Board"
    assert "nothing new" in again.summary() and "nothing was written" in again.summary()


def test_a_newer_export_brings_only_what_changed_since(wb) -> None:
    older = trello_board()
    first = apply_plan(wb, plan_trello(older))
    newer = copy.deepcopy(older)
    a = "5e34c8800000000000000001"
    c = tid("2020-03-01T00:00:00")
    newer["cards"][0]["idList"] = L1
    newer["cards"].append(card(c, "Third", {"id": L2}))
    newer["lists"][1]["name"] = "Doing now"
    newer["actions"][:0] = list(reversed([
        action("updateCard", "2020-03-01T00:00:00", card={"id": a, "name": "First", "idList": L1},
               listBefore=ref(L2, "In progress"), listAfter=ref(L1, "To Do"), old={"idList": L2}, who=BOB),
        action("createCard", "2020-03-01T00:00:01", card={"id": c, "name": "Third"}, list=ref(L2, "In progress")),
        rename("2020-03-02T00:00:00", L2, "In progress", "Doing now"),
        action("commentCard", "2020-03-03T00:00:00", card={"id": a, "name": "First"}, text="back to the queue"),
    ]))
    second = apply_plan(wb, plan_trello(newer))
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    assert shown(wb.now) == {"To Do": ["First", "Second"], "Doing now": ["Third"]} or \
        shown(wb.now) == {"To Do": ["Second", "First"], "Doing now": ["Third"]}
    assert len(wb.now.items) == 3 and second.keys[a] == first.keys[a]
    assert len(wb.now.comments) == 1
    assert shown(at(wb, "2020-02-02T12:00:00")) == {"To Do": ["Second"], "Doing": ["First"]}
    # The same newer export once more: nothing.
    assert apply_plan(wb, plan_trello(newer)).events == 0


def test_board_name_adds_to_an_existing_board_and_a_same_named_board_is_not_merged_silently(wb) -> None:
    apply_plan(wb, plan_trello(trello_board()))
    other = trello_board()
    for n, c in enumerate(other["cards"]):
        c["id"] = f"5e34c880000000000000010{n}"
    for a in other["actions"]:
        if "card" in a["data"]:
            a["data"]["card"]["id"] = f"5e34c880000000000000010{0 if a['data']['card']['name'] == 'First' else 1}"
    with pytest.raises(UserError, match="add them to it with --board 'Team Board'"):
        apply_plan(wb, plan_trello(other))
    report = apply_plan(wb, plan_trello(other), board="Team Board")
    assert report.created == 2 and len(wb.now.items) == 4 and len(wb.now.boards) == 1


# Jira ------------------------------------------------------------------------------------------
def test_empty_custom_fields_do_not_wipe_sprints_and_points_the_changelog_set(wb) -> None:
    data = {"names": {"customfield_10020": "Sprint", "customfield_10016": "Story point estimate"}, "issues": [
        issue("WEB-1", customfield_10020=None, customfield_10016=None, histories=[history(
            "2024-03-02T09:00:00.000+0000", "pm",
            {"field": "Story point estimate", "fieldId": "customfield_10016", "fromString": None, "toString": "5"},
            {"field": "Sprint", "fieldId": "customfield_10020", "from": "", "fromString": "", "to": "7",
             "toString": "Sprint 7"})]),
        issue("WEB-2", histories=[history(  # a restricted fields= list: the fields are absent
            "2024-03-02T09:00:00.000+0000", "pm",
            {"field": "Story point estimate", "fieldId": "customfield_10016", "fromString": "1", "toString": "3"})]),
    ]}
    report = apply_plan(wb, plan_jira(data))
    one, two = wb.item(report.keys["WEB-1"]), wb.item(report.keys["WEB-2"])
    assert one.points == 5 and wb.now.sprints[one.sprint].name == "Sprint 7"
    assert two.points == 3


def test_issues_without_key_or_fields_are_skipped_and_counted_one_line_per_kind(wb) -> None:
    data = {"issues": [issue("WEB-1"), {"key": "OTHER-9", "self": "https://other/rest/api/2/issue/9"},
                       {"id": "123", "fields": {"summary": "no key"}}, {"key": "OTHER-10", "fields": {}}]}
    report = apply_plan(wb, plan_jira(data))
    assert report.items == 1 and wb.item(report.keys["WEB-1"]).title == "Issue WEB-1"
    assert report.skipped["issue without fields"] == 2 and report.skipped["issue without a key"] == 1
    assert "issue without fields 2" in report.summary() and "issue without a key 1" in report.summary()


def test_two_pages_of_one_project_import_into_one_board(wb) -> None:
    page1 = {"issues": [dict(issue("WEB-1"), id="10001")]}
    page2 = {"issues": [dict(issue("WEB-2", "Done", "done", histories=[
        history("2024-03-02T09:00:00.000+0000", "dev", status_change("In Progress", "Done"))]), id="10002")]}
    first = apply_plan(wb, plan_jira(page1))
    with pytest.raises(UserError, match="--board 'Web Shop'"):
        apply_plan(wb, plan_jira(copy.deepcopy(page2)))
    second = apply_plan(wb, plan_jira(page2), board="Web Shop")
    assert (first.created, second.created) == (1, 1) and len(wb.now.boards) == 1
    assert [c["name"] for c in wb.board("Web Shop").columns] == ["In Progress", "Done"]
    assert wb.item(second.keys["WEB-2"]).status == "Done"
    assert wb.item(second.keys["WEB-2"]).source == ["jira:10002", "jira-key:WEB-2"]
    # Page one again, without --board: its items are known, so it goes where they are, and writes nothing.
    assert apply_plan(wb, plan_jira(page1)).events == 0


def test_sprint_start_and_completion_replay_when_the_export_dates_them(wb) -> None:
    sprint = ("com.atlassian.greenhopper.service.sprint.Sprint@1[id=7,rapidViewId=1,state=CLOSED,name=Sprint 7,"
              "startDate=2024-03-04T08:00:00.000Z,endDate=2024-03-15T08:00:00.000Z,"
              "completeDate=2024-03-14T17:00:00.000Z,sequence=7]")
    data = {"names": {"customfield_10020": "Sprint"}, "issues": [
        issue("WEB-1", "Done", "done", customfield_10020=[sprint], histories=[
            history("2024-03-02T09:00:00.000+0000", "pm",
                    {"field": "Sprint", "from": "", "fromString": "", "to": "7", "toString": "Sprint 7"}),
            history("2024-03-10T09:00:00.000+0000", "dev", status_change("In Progress", "Done"))]),
        issue("WEB-2", customfield_10020=[sprint], histories=[
            history("2024-03-02T09:00:00.000+0000", "pm",
                    {"field": "Sprint", "from": "", "fromString": "", "to": "7", "toString": "Sprint 7"})]),
    ]}
    report = apply_plan(wb, plan_jira(data))
    view = next(iter(wb.now.sprints.values()))
    assert view.state == "closed" and len(view.committed) == 2
    assert view.done == [wb.item(report.keys["WEB-1"]).id] and view.carried == [wb.item(report.keys["WEB-2"]).id]
    assert next(iter(at(wb, "2024-03-05T00:00:00").sprints.values())).state == "active"
    assert next(iter(at(wb, "2024-03-03T00:00:00").sprints.values())).state == "planned"


# The progress bar ----------------------------------------------------------------------------------
class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_progress_bar_shows_on_a_terminal_and_stays_quiet_when_piped() -> None:
    from pmtui.cli.importing import ProgressBar
    piped, terminal = _Stream(False), _Stream(True)
    for stream in (piped, terminal):
        with ProgressBar(400, stream, delay=0) as bar:  # type: ignore[arg-type]
            bar.advance(200)
    assert piped.text == ""
    assert "200/400 steps" in terminal.text and terminal.text.endswith("\r\x1b[K")
    quick = _Stream(True)
    with ProgressBar(400, quick) as bar:  # type: ignore[arg-type]
        bar.advance(400)  # done within the first second: no bar at all
    assert quick.text == ""
