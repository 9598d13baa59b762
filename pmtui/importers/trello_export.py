"""Reading a Trello board export: its shape validated (one clear error line for a file that is not
one, before anything is written) and the ids, lists and times its actions carry. The replay of the
actions is in ``pmtui.importers.trello``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pmtui.importers.plan import ImportFormatError, read_json, utc

def load(path: str | Path) -> dict[str, Any]:
    """The export as a dict, or one clear error line."""
    data = read_json(path, "a Trello export")
    validate(data, str(path))
    return data


def _need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ImportFormatError(f"{where}: not a Trello board export ({message})")


def validate(data: Any, where: str = "the file") -> None:
    """Check the whole shape the importer relies on, so nothing is written from a bad file."""
    _need(isinstance(data, dict), where, "expected a JSON object with lists, cards and actions")
    for name in ("lists", "cards"):
        _need(isinstance(data.get(name), list), where, f"no {name!r} array")
    _need(isinstance(data.get("actions", []), list), where, "'actions' is not an array")
    _need(isinstance(data.get("name", ""), str), where, "the board's name is not text")
    for n, lst in enumerate(data["lists"]):
        _need(isinstance(lst, dict) and isinstance(lst.get("id"), str) and isinstance(lst.get("name"), str),
              where, f"list #{n + 1} has no id or name")
    for n, card in enumerate(data["cards"]):
        _need(isinstance(card, dict) and isinstance(card.get("id"), str) and isinstance(card.get("idList"), str),
              where, f"card #{n + 1} has no id or idList")
        _need(isinstance(card.get("name", ""), str) and isinstance(card.get("desc", ""), (str, type(None))),
              where, f"card {card['id']} has a name or description that is not text")
        _need(isinstance(card.get("closed", False), bool), where, f"card {card['id']}: 'closed' is not true/false")
        _need(isinstance(card.get("labels", []), list) and isinstance(card.get("idMembers", []), list),
              where, f"card {card['id']}: labels or idMembers is not an array")
    for n, action in enumerate(data.get("actions", [])):
        _need(isinstance(action, dict) and isinstance(action.get("type"), str), where, f"action #{n + 1} has no type")
        _need(isinstance(action.get("data", {}), dict), where, f"action #{n + 1}: 'data' is not an object")
        utc(action.get("date"), f"{where}: action #{n + 1} ({action['type']})")
    known = {lst["id"] for lst in data["lists"]} | lists_named_in_actions(data)
    for card in data["cards"]:
        _need(card["idList"] in known, where, f"card {card['id']} is in list {card['idList']}, which the export lacks")


def lists_named_in_actions(data: dict[str, Any]) -> set[str]:
    found = set()
    for action in data.get("actions", []):
        d = action.get("data") or {}
        for key in ("list", "listBefore", "listAfter"):
            lst = d.get(key)
            if isinstance(lst, dict) and isinstance(lst.get("id"), str) and isinstance(lst.get("name"), str):
                found.add(lst["id"])
    return found


def action_lists(data: dict[str, Any]) -> list[tuple[datetime, dict[str, Any]]]:
    found = []
    for action in data.get("actions", []):
        d = action.get("data") or {}
        for key in ("list", "listBefore", "listAfter"):
            lst = d.get(key)
            if isinstance(lst, dict) and isinstance(lst.get("id"), str) and isinstance(lst.get("name"), str):
                found.append((utc(action["date"], "action"), lst))
    return found


def id_time(trello_id: str) -> datetime | None:
    """The creation time a Trello (MongoDB) id encodes in its first 8 hex digits."""
    try:
        seconds = int(trello_id[:8], 16)
    except (ValueError, TypeError):
        return None
    if len(trello_id) != 24 or not 946684800 <= seconds <= 4102444800:  # 2000..2100: else not a time
        return None
    return datetime.fromtimestamp(seconds, timezone.utc)


def number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def card_id(action: dict[str, Any]) -> str | None:
    card = (action.get("data") or {}).get("card")
    cid = card.get("id") if isinstance(card, dict) else None
    return cid if isinstance(cid, str) else None


def list_id(action: dict[str, Any]) -> str | None:
    lst = (action.get("data") or {}).get("list")
    lid = lst.get("id") if isinstance(lst, dict) else None
    return lid if isinstance(lid, str) else None


def member_id(d: dict[str, Any]) -> str | None:
    member = d.get("idMember") or (d.get("member") or {}).get("id")
    return member if isinstance(member, str) else None
