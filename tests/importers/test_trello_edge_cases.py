"""The Trello importer on small hand-made exports: truncated windows, unknown actions, archived
cards, labels and members, malformed files, and importing into a store that has a product."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from itertools import count
from typing import Any

import pytest

from pmtui.errors import UserError
from pmtui.importers.apply import apply_plan
from pmtui.importers.plan import ImportFormatError
from pmtui.importers.trello import plan_file, plan_trello
from pmtui.timespec import AsOf

_serial = count(1)
ALICE = {"id": "a" * 24, "username": "alice", "fullName": "Alice Adams"}
BOB = {"id": "b" * 24, "username": "bob", "fullName": "Bob Brown"}


def tid(when: str) -> str:
    """A Trello id whose first 8 hex digits encode ``when``, as Trello's do."""
    seconds = int(datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp())
    return f"{seconds:08x}{next(_serial):016x}"


def action(kind: str, when: str, who: dict[str, Any] = ALICE, **data: Any) -> dict[str, Any]:
    return {"id": tid(when), "type": kind, "date": when + ".000Z", "idMemberCreator": who["id"],
            "memberCreator": {"id": who["id"], "username": who["username"], "fullName": who["fullName"]},
            "data": data}


def export(cards: list[dict[str, Any]], actions: list[dict[str, Any]], lists: list[dict[str, Any]] | None = None,
           name: str = "Team Board") -> dict[str, Any]:
    """Actions are given oldest first and stored newest first, as Trello does."""
    return {"id": tid("2020-01-01T00:00:00"), "name": name, "lists": lists or LISTS, "cards": cards,
            "actions": list(reversed(actions)), "members": [ALICE, BOB], "labels": []}


LISTS = [{"id": "l" * 23 + "1", "name": "To Do", "pos": 1, "closed": False},
         {"id": "l" * 23 + "2", "name": "Doing", "pos": 2, "closed": False},
         {"id": "l" * 23 + "3", "name": "Done", "pos": 3, "closed": False}]
TODO, DOING, DONE = ({"id": lst["id"], "name": lst["name"]} for lst in LISTS)


def card(cid: str, name: str, lst: dict[str, str], closed: bool = False, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "idList": lst["id"], "closed": closed, "desc": extra.pop("desc", ""),
            "labels": extra.pop("labels", []), "idMembers": extra.pop("idMembers", []), **extra}


def at(wb, when: str):
    moment = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    return wb.view(AsOf(moment=moment.timestamp(), text=when))


def test_a_card_created_before_the_window_is_seeded_in_its_state_at_the_window_start(wb) -> None:
    old = tid("2020-01-05T09:00:00")
    data = export([card(old, "Final name", DONE)], [
        action("updateCard", "2020-02-10T10:00:00", card={"id": old, "name": "Old name", "idList": DONE["id"]},
               listBefore=DOING, listAfter=DONE, old={"idList": DOING["id"]}),
        action("updateCard", "2020-02-11T10:00:00", BOB, card={"id": old, "name": "Final name"}, old={"name": "Old name"}),
    ])
    report = apply_plan(wb, plan_trello(data))
    key = report.keys[old]
    assert report.seeded == 1
    assert wb.item(key).status == "Done" and wb.item(key).title == "Final name"
    assert at(wb, "2020-01-04T00:00:00").item_by_key(key) is None  # before its id's time it did not exist
    seeded = wb.item(key, at(wb, "2020-01-06T00:00:00"))
    assert (seeded.status, seeded.title) == ("Doing", "Old name")
    assert wb.item(key, at(wb, "2020-02-10T12:00:00")).title == "Old name"
    rename = [r for r in wb.records_of(wb.item(key).id) if r.name == "WorkItem.Edited"][-1]
    assert rename.actor == "bob" and rename.data["changes"]["title"] == ["Old name", "Final name"]


def test_a_card_with_no_actions_at_all_is_seeded_from_the_snapshot_even_when_archived(wb) -> None:
    quiet, gone = tid("2019-12-01T00:00:00"), tid("2019-12-02T00:00:00")
    data = export([card(quiet, "Quiet", TODO, desc="kept", idMembers=[BOB["id"]]), card(gone, "Gone", DONE, closed=True)],
                  [action("commentCard", "2020-03-01T00:00:00", card={"id": quiet}, text="still here")])
    report = apply_plan(wb, plan_trello(data))
    assert report.seeded == 2
    quiet_item, gone_item = wb.item(report.keys[quiet]), wb.item(report.keys[gone])
    assert (quiet_item.status, quiet_item.description, quiet_item.assignee) == ("To Do", "kept", "bob")
    assert gone_item.archived and gone_item.status == "Done"
    assert wb.now.comments[0].actor == "alice"


def test_unknown_and_unsupported_actions_are_skipped_and_counted_not_fatal(wb) -> None:
    cid = tid("2020-02-01T00:00:00")
    data = export([card(cid, "Card", TODO)], [
        action("createCard", "2020-02-01T00:00:01", card={"id": cid, "name": "Card"}, list=TODO),
        action("somethingTrelloInventedLater", "2020-02-02T00:00:00", card={"id": cid}),
        action("addAttachmentToCard", "2020-02-03T00:00:00", card={"id": cid}, attachment={"name": "x.png"}),
        action("voteOnCard", "2020-02-04T00:00:00", card={"id": cid}),
        action("createCard", "2020-02-05T00:00:00", card={"id": tid("2020-02-05T00:00:00"), "name": "Deleted later"},
               list=TODO),
    ])
    report = apply_plan(wb, plan_trello(data))
    assert report.skipped["somethingTrelloInventedLater"] == 1
    assert report.skipped["addAttachmentToCard"] == 1
    assert report.skipped["voteOnCard"] == 1
    assert report.skipped["createCard (card no longer on the board)"] == 1
    assert len(report.keys) == 1 and "skipped 4" in report.summary()


def test_archiving_unarchiving_and_edits_while_archived_replay_in_order(wb) -> None:
    cid = tid("2020-02-01T00:00:00")
    ref = {"id": cid, "name": "Card"}
    data = export([card(cid, "Renamed while archived", DONE, closed=True)], [
        action("createCard", "2020-02-01T00:00:01", card=ref, list=TODO),
        action("updateCard", "2020-02-02T00:00:00", card={**ref, "closed": True}, old={"closed": False}),
        action("updateCard", "2020-02-03T00:00:00", card={**ref, "closed": False}, old={"closed": True}),
        action("updateCard", "2020-02-04T00:00:00", card={**ref, "closed": True}, old={"closed": False}),
        action("updateCard", "2020-02-05T00:00:00", card={"id": cid, "name": "Renamed while archived"},
               old={"name": "Card"}),
        action("updateCard", "2020-02-06T00:00:00", card={**ref, "idList": DONE["id"]}, listBefore=TODO,
               listAfter=DONE, old={"idList": TODO["id"]}),
    ])
    report = apply_plan(wb, plan_trello(data))
    key = report.keys[cid]
    assert [wb.item(key, at(wb, f"2020-02-0{d}T12:00:00")).archived for d in range(1, 7)] == [
        False, True, False, True, True, True]
    item = wb.item(key)
    assert (item.archived, item.title, item.status) == (True, "Renamed while archived", "Done")
    assert wb.item(key, at(wb, "2020-02-05T12:00:00")).status == "To Do"


def test_labels_and_members_replay_and_the_first_member_is_the_assignee(wb) -> None:
    cid = tid("2020-02-01T00:00:00")
    ref = {"id": cid, "name": "Card"}
    data = export([card(cid, "Card", TODO, labels=[{"id": "x", "name": "Needs Design", "color": "red"},
                                                    {"id": "y", "name": "", "color": "green"}],
                        idMembers=[BOB["id"]])], [
        action("createCard", "2020-02-01T00:00:01", card=ref, list=TODO),
        action("addLabelToCard", "2020-02-02T00:00:00", card=ref, label={"id": "x", "name": "Needs Design"}),
        action("addLabelToCard", "2020-02-02T01:00:00", card=ref, label={"id": "y", "name": "", "color": "green"}),
        action("addMemberToCard", "2020-02-03T00:00:00", card=ref, idMember=ALICE["id"], member={"id": ALICE["id"]}),
        action("addMemberToCard", "2020-02-04T00:00:00", card=ref, idMember=BOB["id"], member={"id": BOB["id"]}),
        action("removeMemberFromCard", "2020-02-05T00:00:00", BOB, card=ref, idMember=ALICE["id"]),
    ])
    report = apply_plan(wb, plan_trello(data))
    key = report.keys[cid]
    assert wb.item(key, at(wb, "2020-02-02T00:30:00")).labels == ["needs-design"]
    assert wb.item(key).labels == ["needs-design", "green"]  # a nameless label goes by its colour
    assert [wb.item(key, at(wb, f"2020-02-0{d}T12:00:00")).assignee for d in (2, 3, 4, 5)] == [
        None, "alice", "alice", "bob"]
    assert report.replayed["card snapshot (final state)"] == 0  # the actions explain everything


def test_columns_take_the_done_category_from_a_done_like_name_or_else_the_last_list() -> None:
    named = plan_trello(export([], [], lists=[{"id": "1" * 24, "name": "Ideas", "pos": 1},
                                             {"id": "2" * 24, "name": "Shipped", "pos": 2},
                                             {"id": "3" * 24, "name": "Parked", "pos": 3}]))
    assert [c["category"] for c in named.columns] == ["todo", "done", "doing"]
    unnamed = plan_trello(export([], [], lists=[{"id": "1" * 24, "name": "Alpha", "pos": 2},
                                               {"id": "2" * 24, "name": "Omega", "pos": 1}]))
    assert [(c["name"], c["category"]) for c in unnamed.columns] == [("Omega", "todo"), ("Alpha", "done")]


def test_into_a_store_with_a_product_the_export_becomes_a_new_board_and_importing_it_again_writes_nothing(wb) -> None:
    wb.init_product("Acme", "AC")
    wb.add_item("Existing work")
    cid = tid("2020-02-01T00:00:00")
    data = export([card(cid, "Card", DOING)], [
        action("createCard", "2020-02-01T00:00:01", card={"id": cid, "name": "Card"}, list=DOING)])
    report = apply_plan(wb, plan_trello(data))
    assert not report.created_product
    assert report.keys[cid] == "AC-2"
    assert wb.item("AC-2").board_id == wb.board("Team Board").id != wb.board("Main").id
    # The imported history lies before the store's own: time travel still places it in its past.
    then = at(wb, "2020-02-01T12:00:00")
    assert then.item_by_key("AC-2").status == "Doing" and then.item_by_key("AC-1") is None
    assert at(wb, "2020-01-31T00:00:00").item_by_key("AC-2") is None
    assert "see it with: pmtui board --board 'Team Board'" in report.summary()
    position = wb.now.position
    again = apply_plan(wb, plan_trello(data))
    assert again.events == 0 and wb.now.position == position
    assert again.summary().startswith("nothing new from Trello") and again.keys == report.keys


@pytest.mark.parametrize("content, message", [
    ('{"lists": [', "not valid JSON"),
    ("[1, 2, 3]", "expected a JSON object"),
    ('{"cards": []}', "no 'lists' array"),
    ('{"lists": [{"id": "x", "name": "A"}], "cards": [{"id": "c"}]}', "has no id or idList"),
    ('{"lists": [{"id": "x", "name": "A"}], "cards": [{"id": "c", "idList": "zz"}]}', "which the export lacks"),
    ('{"lists": [{"id": "x", "name": "A"}], "cards": [], "actions": [{"type": "createCard", "date": "yesterday"}]}',
     "cannot read the date-time"),
    ('{"lists": [], "cards": []}', "it has no lists"),
])
def test_a_malformed_file_gives_one_clear_error_and_writes_nothing(wb, tmp_path, content: str, message: str) -> None:
    path = tmp_path / "board.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message) as raised:
        apply_plan(wb, plan_file(path))
    assert "\n" not in str(raised.value)
    assert wb.now.position == 0


def test_a_file_that_is_not_there_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ImportFormatError, match="cannot read"):
        plan_file(tmp_path / "missing.json")


def test_plans_are_sorted_by_occurred_time_even_when_actions_are_out_of_order(wb) -> None:
    cid = tid("2020-02-01T00:00:00")
    data = export([card(cid, "Card", DONE)], [
        action("createCard", "2020-02-01T00:00:01", card={"id": cid, "name": "Card"}, list=TODO),
        action("updateCard", "2020-02-03T00:00:00", card={"id": cid}, listBefore=DOING, listAfter=DONE,
               old={"idList": DOING["id"]}),
        action("updateCard", "2020-02-02T00:00:00", card={"id": cid}, listBefore=TODO, listAfter=DOING,
               old={"idList": TODO["id"]}),
    ])
    data["actions"] = json.loads(json.dumps(data["actions"]))
    apply_plan(wb, plan_trello(data))
    moves = [r.data["changes"]["status"] for r in wb.records() if r.name == "WorkItem.Moved"]
    assert moves == [["To Do", "Doing"], ["Doing", "Done"]]
    times = [r.occurred for r in wb.records()]
    assert times == sorted(times)


def test_an_action_value_of_an_odd_shape_is_one_clear_error_not_a_traceback(wb) -> None:
    cid = tid("2020-02-01T00:00:00")
    data = export([card(cid, "Card", DONE)], [
        action("createCard", "2020-02-01T00:00:01", card={"id": cid, "name": "Card"}, list=TODO),
        action("updateCard", "2020-02-02T00:00:00", card={"id": cid}, listBefore="To Do", listAfter="Done",
               old={"idList": TODO["id"]}),
    ])
    with pytest.raises(ImportFormatError, match="a value of an unexpected shape"):
        apply_plan(wb, plan_trello(data))
    assert wb.now.position == 0
