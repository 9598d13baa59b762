"""How long a Trello import of Trello's largest export takes: 1000 actions (Trello's cap) over 300
cards, 50 of them created before the window. Prints planning time and the import's wall and CPU
time into a temporary SQLite file (the import includes its in-memory rehearsal).

    python bench/imports.py
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pmtui.importers.apply import apply_plan
from pmtui.importers.trello import plan_trello
from pmtui.service import Workbench

CARDS, ACTIONS, BEFORE_WINDOW = 300, 1000, 50
LISTS = [{"id": f"{n:024x}", "name": name, "pos": n} for n, name in enumerate(["To Do", "Doing", "Review", "Done"], 1)]
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
ALICE = {"id": "a" * 24, "username": "alice", "fullName": "Alice"}


def trello_id(moment: datetime, serial: int) -> str:
    return f"{int(moment.timestamp()):08x}{serial:016x}"


def synthetic_export(seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    cards, actions = [], []
    for n in range(CARDS):
        born = START + timedelta(hours=n)
        card = {"id": trello_id(born, n), "name": f"Card {n}", "idList": rng.choice(LISTS)["id"], "closed": False,
                "desc": "", "labels": [], "idMembers": [], "pos": n}
        cards.append(card)
        if n >= BEFORE_WINDOW:
            actions.append(_action("createCard", born + timedelta(seconds=1), card=card_ref(card),
                                   list=_list(card["idList"])))
    moment = START + timedelta(hours=CARDS)
    while len(actions) < ACTIONS:
        card = rng.choice(cards)
        target = rng.choice([lst for lst in LISTS if lst["id"] != card["idList"]])
        moment += timedelta(minutes=rng.randint(1, 90))
        actions.append(_action("updateCard", moment, card=card_ref(card), listBefore=_list(card["idList"]),
                               listAfter=_list(target["id"]), old={"idList": card["idList"]}))
        card["idList"] = target["id"]
    return {"id": trello_id(START, 0), "name": "Bench board", "lists": LISTS, "cards": cards,
            "actions": list(reversed(actions)), "members": [ALICE]}


def card_ref(card: dict[str, Any]) -> dict[str, str]:
    return {"id": card["id"], "name": card["name"]}


def _list(list_id: str) -> dict[str, str]:
    return next({"id": lst["id"], "name": lst["name"]} for lst in LISTS if lst["id"] == list_id)


def _action(kind: str, moment: datetime, **data: Any) -> dict[str, Any]:
    return {"type": kind, "date": moment.isoformat().replace("+00:00", "Z"), "memberCreator": ALICE,
            "idMemberCreator": ALICE["id"], "data": data}


def main() -> None:
    export = synthetic_export()
    start = time.perf_counter()
    plan = plan_trello(export)
    planned = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        wb = Workbench(db=str(Path(folder) / "bench.db"), actor="bench")
        wall, cpu = time.perf_counter(), time.process_time()
        report = apply_plan(wb, plan)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        wb.close()
    print(f"{ACTIONS} actions, {CARDS} cards ({report.seeded} seeded): plan {planned * 1000:.0f} ms; "
          f"import {report.events} events in {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({wall / report.events * 1000:.1f} ms per event)")


if __name__ == "__main__":
    main()
