"""How long a Trello import takes, whole process (``pmtui import --trello FILE`` in a fresh
interpreter, into a new SQLite file), beside the floor of any pmtui command: a Python process that
imports sqlite3 and msgspec and inserts one row.

Two synthetic exports: Trello's largest window (1,000 actions, Trello's cap, over 300 cards, 50 of
them created before the window), and a ~5 MB export (1,000 actions over 3,000 cards with long
descriptions, most of them created before the window, as a big real board has). Targets (issue
14): 1,000 actions <= 1 s, 5 MB <= 5 s, peak memory <= 150 MB.

    python bench/imports.py            # this checkout
    python bench/imports.py --code DIR # another checkout's pmtui (e.g. main, for a before/after)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

LISTS = [{"id": f"{n:024x}", "name": name, "pos": n} for n, name in enumerate(["To Do", "Doing", "Review", "Done"], 1)]
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
ALICE = {"id": "a" * 24, "username": "alice", "fullName": "Alice"}
FLOOR = ("import sqlite3, sys, msgspec, tempfile, os\n"
         "d = tempfile.mkdtemp(); c = sqlite3.connect(os.path.join(d, 'f.db'))\n"
         "c.execute('create table t (x blob)'); c.execute('insert into t values (?)', [msgspec.json.encode({'a': 1})])\n"
         "c.commit()\n")


def trello_id(moment: datetime, serial: int) -> str:
    return f"{int(moment.timestamp()):08x}{serial:016x}"


def synthetic_export(cards_count: int, actions_count: int, before_window: int, desc: int = 0,
                     seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    cards, actions = [], []
    for n in range(cards_count):
        born = START + timedelta(minutes=n)
        card = {"id": trello_id(born, n), "name": f"Card {n}", "idList": rng.choice(LISTS)["id"], "closed": False,
                "desc": ("lorem ipsum " * (desc // 12 + 1))[:desc], "labels": [], "idMembers": [], "pos": n}
        cards.append(card)
        if n >= before_window:
            actions.append(_action("createCard", born + timedelta(seconds=1), card=card_ref(card),
                                   list=_list(card["idList"])))
    moment = START + timedelta(minutes=cards_count)
    while len(actions) < actions_count:
        card = rng.choice(cards)
        target = rng.choice([lst for lst in LISTS if lst["id"] != card["idList"]])
        moment += timedelta(minutes=rng.randint(1, 90))
        actions.append(_action("updateCard", moment, card=card_ref(card), listBefore=_list(card["idList"]),
                               listAfter=_list(target["id"]), old={"idList": card["idList"]}))
        card["idList"] = target["id"]
    return {"id": trello_id(START, 0), "name": "Bench board", "lists": LISTS, "cards": cards,
            "actions": list(reversed(actions[-actions_count:])), "members": [ALICE]}


def card_ref(card: dict[str, Any]) -> dict[str, str]:
    return {"id": card["id"], "name": card["name"]}


def _list(list_id: str) -> dict[str, str]:
    return next({"id": lst["id"], "name": lst["name"]} for lst in LISTS if lst["id"] == list_id)


def _action(kind: str, moment: datetime, **data: Any) -> dict[str, Any]:
    return {"type": kind, "date": moment.isoformat().replace("+00:00", "Z"), "memberCreator": ALICE,
            "idMemberCreator": ALICE["id"], "data": data}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB) of one process."""
    with tempfile.TemporaryFile("w+") as output:  # a file, not a pipe: a pipe nobody reads fills up and blocks
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        out = output.read()
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{out}")
    return wall, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the checkout whose pmtui runs (default: this one)")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    env = {**os.environ, "PMTUI_ACTOR": "bench"}
    env.pop("PMTUI_DB", None)
    exports = {
        "1,000 actions, 300 cards": synthetic_export(300, 1000, 50),
        "5 MB: 1,000 actions, 3,000 cards": synthetic_export(3000, 1000, 2600, desc=1500),
    }
    with tempfile.TemporaryDirectory() as folder:
        floor = min(run([sys.executable, "-c", FLOOR], options.code, env)[0] for _ in range(options.repeat))
        print(f"pmtui at {options.code}; floor (python + sqlite3 + msgspec, one insert): {floor:.2f} s")
        for number, (name, export) in enumerate(exports.items()):
            path = Path(folder) / "export.json"
            path.write_text(json.dumps(export))
            size = path.stat().st_size / 1e6
            best, peak = float("inf"), 0.0
            for n in range(options.repeat):
                db = Path(folder) / f"bench-{number}-{n}.db"  # a fresh store for every run
                wall, rss, out = run([sys.executable, "-m", "pmtui.cli", "--db", str(db), "import", "--trello",
                                      str(path), "--json"], options.code, env)
                best, peak = min(best, wall), max(peak, rss)
            events = json.loads(out[out.index("{"):])["events"] if "{" in out else "?"
            print(f"{name} ({size:.1f} MB, {events} events): {best:.2f} s whole process "
                  f"({best / floor:.1f}x the floor), peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
