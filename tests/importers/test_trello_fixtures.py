"""The Trello importer against real board exports: the final board equals the export, and the board
as of any past moment equals an independent replay of the export's actions up to that moment."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pmtui.importers.apply import apply_plan
from pmtui.importers.trello import plan_file
from pmtui.timespec import AsOf
from tests.importers.conftest import fixture_path

EXPORTS = ["board-export.json", "test-board-export.json"]
CREATION = {"createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard", "emailCard"}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_as_of(export: dict[str, Any], moment: datetime) -> dict[str, tuple[str, bool]]:
    """card id -> (list name, closed) as of ``moment``, computed from the JSON alone.

    A card exists from its creation action, or (created before the window) from the time its id
    encodes, in the list its first in-window move left (else its final list)."""
    names = {lst["id"]: lst["name"] for lst in export["lists"]}
    actions = sorted(reversed(export["actions"]), key=lambda a: _when(a["date"]))
    state: dict[str, tuple[str, bool]] = {}
    for card in export["cards"]:
        mine = [a for a in actions if (a["data"].get("card") or {}).get("id") == card["id"]]
        if any(a["type"] in CREATION for a in mine):
            continue
        born = datetime.fromtimestamp(int(card["id"][:8], 16), timezone.utc)
        moves = [a for a in mine if "idList" in (a["data"].get("old") or {})]
        closes = [a for a in mine if "closed" in (a["data"].get("old") or {})]
        start_list = moves[0]["data"]["listBefore"]["id"] if moves else card["idList"]
        start_closed = closes[0]["data"]["old"]["closed"] if closes else card["closed"]
        if born <= moment:
            state[card["id"]] = (names[start_list], start_closed)
    card_ids = {c["id"] for c in export["cards"]}
    for action in actions:
        if _when(action["date"]) > moment:
            break
        card = action["data"].get("card") or {}
        cid = card.get("id")
        if cid not in card_ids:
            continue
        old = action["data"].get("old") or {}
        if action["type"] in CREATION and cid not in state:
            state[cid] = (names[action["data"]["list"]["id"]], False)
        elif action["type"] == "updateCard" and cid in state:
            list_name, closed = state[cid]
            if "idList" in old:
                list_name = names[action["data"]["listAfter"]["id"]]
            if "closed" in old:
                closed = card["closed"]
            state[cid] = (list_name, closed)
    return state


def imported(wb, name: str) -> tuple[dict[str, Any], Any]:
    path = fixture_path("trello", name)
    report = apply_plan(wb, plan_file(path))
    return json.loads(Path(path).read_text()), report


@pytest.mark.parametrize("name", EXPORTS)
def test_every_card_ends_in_its_exported_list_and_archived_state(wb, name: str) -> None:
    export, report = imported(wb, name)
    lists = {lst["id"]: lst["name"] for lst in export["lists"]}
    assert len(report.keys) == len(export["cards"])
    for card in export["cards"]:
        item = wb.item(report.keys[card["id"]])
        assert item.status == lists[card["idList"]], card["name"]
        assert item.archived == card["closed"], card["name"]
        assert item.title == " ".join(card["name"].split())
        assert item.description == (card["desc"] or "")


@pytest.mark.parametrize("name", EXPORTS)
def test_board_as_of_every_action_equals_a_replay_of_the_actions_up_to_then(wb, name: str) -> None:
    export, report = imported(wb, name)
    board_id = wb.board(export["name"]).id
    key_to_card = {key: cid for cid, key in report.keys.items()}
    moments = sorted({_when(a["date"]) for a in export["actions"]})
    moments = [moments[0] - timedelta(seconds=1), *moments, moments[-1] + timedelta(days=1)]
    for moment in moments:
        ws = wb.view(AsOf(moment=moment.timestamp(), text=moment.isoformat()))
        actual = {key_to_card[i.key]: (i.status, i.archived) for i in ws.items.values() if i.board_id == board_id}
        assert actual == expected_as_of(export, moment), f"as of {moment.isoformat()}"


@pytest.mark.parametrize("name", EXPORTS)
def test_imported_events_keep_original_actors_and_times_and_say_they_were_imported(wb, name: str) -> None:
    export, _ = imported(wb, name)
    members = {m["username"] for m in export["members"]}
    records = list(wb.records())
    item_records = [r for r in records if r.name.startswith("WorkItem.")]
    assert {r.actor for r in item_records} <= members | {"trello"}
    assert any(r.actor in members for r in item_records)
    assert all(r.reason.startswith("imported from Trello") for r in records)
    assert all(r.backdated for r in records), "the recorded time is the import's own, occurred the original"
    first, last = min(_when(a["date"]) for a in export["actions"]), max(_when(a["date"]) for a in export["actions"])
    # Items come to be no earlier than their id says, and nothing happens after the export's activity.
    assert all(r.occurred <= max(last.timestamp(), _last_activity(export)) for r in records)
    assert min(r.occurred for r in records) <= first.timestamp()


@pytest.mark.parametrize("name", EXPORTS)
def test_the_log_is_in_occurred_order(wb, name: str) -> None:
    imported(wb, name)
    times = [r.occurred for r in wb.records()]
    assert times == sorted(times)


def test_comments_members_and_renames_of_the_big_board_are_replayed(wb) -> None:
    export, report = imported(wb, "board-export.json")
    assert report.replayed["commentCard"] == 6
    assert report.replayed["updateCard (list move)"] == 7
    assert report.replayed["updateCard (rename)"] == 2
    assert len(wb.now.comments) == 6
    review = wb.item(report.keys["5ca3546eb069bc4647be430a"])
    history = [r for r in wb.records_of(review.id) if r.name == "WorkItem.Edited" and "title" in r.data["changes"]]
    assert history[0].data["changes"]["title"] == ["Revi", "Review Weekly Sprint"]
    assert review.assignee == "ryanhimmelwright"
    assert "ryan/planning" in review.labels
    # checklists, positions and due dates have no place in pmtui: counted, not fatal
    assert report.skipped["addChecklistToCard"] == 7
    assert report.skipped["updateCard (pos)"] == 5


def _last_activity(export: dict[str, Any]) -> float:
    return max(_when(c["dateLastActivity"]).timestamp() for c in export["cards"])


@pytest.mark.parametrize("name", EXPORTS)
def test_each_column_shows_its_cards_in_the_exports_order(wb, name: str) -> None:
    from projections.board_view import board_view
    export, report = imported(wb, name)
    lists = {lst["id"]: lst["name"] for lst in export["lists"]}
    snapshot = board_view(wb.now, wb.board(export["name"]).id)
    for column in snapshot.columns:
        in_trello = sorted((c for c in export["cards"] if lists[c["idList"]] == column.name and not c["closed"]),
                           key=lambda c: c["pos"])
        assert [card.key for card in column.cards] == [report.keys[c["id"]] for c in in_trello], column.name


@pytest.mark.postgres
def test_the_import_works_the_same_into_postgresql(postgres_db: str) -> None:
    from pmtui.service.workbench import Workbench
    pg = Workbench(db=postgres_db, actor="importer")
    try:
        export, report = imported(pg, "board-export.json")
        lists = {lst["id"]: lst["name"] for lst in export["lists"]}
        assert {cid: pg.item(key).status for cid, key in report.keys.items()} == {
            c["id"]: lists[c["idList"]] for c in export["cards"]}
        moment = datetime(2019, 4, 2, 20, 27, 10, tzinfo=timezone.utc)
        ws = pg.view(AsOf(moment=moment.timestamp(), text="then"))
        key_to_card = {key: cid for cid, key in report.keys.items()}
        assert {key_to_card[i.key]: (i.status, i.archived) for i in ws.items.values()} == expected_as_of(export, moment)
    finally:
        pg.close()
