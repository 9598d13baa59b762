"""Customer evidence and documents at scale: 100,000 feedback notes (a tenth linked to items) and
one document with 1,000 versions, in a temporary SQLite store. Prints

- whole-process timings (a fresh ``python -m pmtui.cli`` each run, median of 5) of
  ``pmtui feedback list``, ``pmtui doc show --as-of`` a mid-history moment, ``pmtui backlog --sort
  evidence``, ``pmtui doc blame``, and one ``pmtui doc edit`` at 1,000 versions, beside the floor
  (a python that imports sqlite3 and msgspec and makes one insert);
- the document's storage: bytes per version (the stored events' size) against its text's size, to
  show that history grows with the changes, not with versions x size.

    python bench/evidence.py [--notes 100000] [--versions 1000] [--db FILE --reuse]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

from domain.base import attributed
from domain.document import Document
from pmtui.service.workbench import Workbench

CUSTOMERS = [f"Customer {n}" for n in range(2_000)]
COMPANIES = [f"Company {n}" for n in range(300)]
WORDS = "search checkout coupon mobile slow fast price refund delivery points card login filter page".split()
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
FLOOR = ("import sqlite3, msgspec, tempfile, os; d = tempfile.mkdtemp(); c = sqlite3.connect(os.path.join(d, 'f.db')); "
         "c.execute('create table t (x blob)'); c.execute('insert into t values (?)', "
         "(msgspec.json.encode({'a': 1}),)); c.commit()")


def build(db: str, notes: int, versions: int, seed: int = 15) -> str:
    """Fill the store; returns the moment (ISO) half way through the document's history."""
    rng = random.Random(seed)
    wb = Workbench(db=db, actor="bench")
    try:
        wb.init_product("Bench shop", "BS")
        epics = [wb.add_item(f"Epic {n}", kind="epic") for n in range(20)]
        items = [wb.add_item(f"Story {n}", parent=rng.choice(epics)) for n in range(200)]
        started = time.perf_counter()
        chunk = 2_000
        for first in range(0, notes, chunk):
            rows = [{"text": " ".join(rng.choices(WORDS, k=12)), "customer": rng.choice(CUSTOMERS),
                     "company": rng.choice(COMPANIES), "source": rng.choice(["support", "sales", "survey"]),
                     "said_at": (START + timedelta(days=rng.randrange(300))).date().isoformat()}
                    for _ in range(min(chunk, notes - first))]
            wb.import_notes(rows)
        print(f"  {notes} notes recorded in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        for n in range(1, notes + 1, 10):  # a tenth of them triaged into links
            wb.link_note(f"FB-{n}", rng.choice(items + epics), rng.choice(["important", "critical"]))
            if n > 20_000:  # enough links for the evidence sort; the rest stay in the inbox
                break
        print(f"  {n // 10} links in {time.perf_counter() - started:.1f} s", flush=True)
        # The document: 1,000 versions of a ~200-line PRD, each a small edit. Built on the aggregate
        # and saved in batches (a real edit per version would replay the history each time).
        lines = [f"Line {n}: {' '.join(rng.choices(WORDS, k=8))}" for n in range(200)]
        product_id = UUID(wb.product().id)
        started = time.perf_counter()
        half = ""
        with attributed("alice", "", START):
            doc = Document.write(product_id, 1, "Big PRD", "prd", "item", wb.item(epics[0]).id, "\n".join(lines))
        wb.app.save(doc)
        for version in range(2, versions + 1):
            at = rng.randrange(len(lines))
            if rng.random() < 0.6:
                lines[at] = f"Line {at} v{version}: {' '.join(rng.choices(WORDS, k=8))}"
            else:
                lines.insert(at, f"New line v{version}: {' '.join(rng.choices(WORDS, k=8))}")
            moment = START + timedelta(hours=version)
            with attributed(rng.choice(["alice", "bob", "chen"]), "", moment):
                doc.save("\n".join(lines), doc.revision)
            if version % 100 == 0:
                wb.app.save(doc)
            if version == versions // 2:
                half = moment.isoformat()
        wb.app.save(doc)
        wb.refresh()
        print(f"  a document of {versions} versions in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        wb.close()
    return half


def whole_process(db: str, argv: list[str], runs: int = 5) -> float:
    """Median wall time (ms) of a fresh ``pmtui`` process running ``argv``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pmtui.cli", "--db", db, *argv], capture_output=True, text=True)
        times.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"pmtui {' '.join(argv)} failed: {done.stderr.strip()}")
    return statistics.median(times)


def floor(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR], check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def storage(db: str) -> tuple[int, int, int, int]:
    """(versions, bytes of the document's stored events, bytes of its last text, lines)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT length(state) FROM stored_events WHERE topic LIKE '%Document.Saved' "
                            "OR topic LIKE '%Document.Created'").fetchall()
    finally:
        conn.close()
    wb = Workbench(db=db, actor="bench")
    try:
        doc = wb.document("Big PRD")
        return len(rows), sum(r[0] for r in rows), len(doc.text.encode()), doc.text.count("\n") + 1
    finally:
        wb.close()


def in_process(db: str, half: str) -> None:
    """The queries alone (best of 3), beside a CPU reference: whole-process figures on a busy
    machine are mostly start-up; these say what the feature itself costs."""
    def best(fn: object, runs: int = 3) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times) * 1000

    started = time.perf_counter()
    sum(range(10**7))
    print(f"\nin process (CPU reference: sum(range(10**7)) took {(time.perf_counter() - started) * 1000:.0f} ms; "
          "~120 ms on an idle core)")
    wb = Workbench(db=db, actor="bench")
    try:
        for label, fn in (
            ("a page of the inbox (note_page, 50 of ~98k)", lambda: wb.note_page(wb.view(None), "inbox", 50)),
            ("a document's text as of mid-history", lambda: wb.document_version_text("Big PRD", None, half)),
            ("blame of 1,000 versions", lambda: wb.document_blame("Big PRD")),
            ("the 1,000 versions (log)", lambda: wb.document_versions("Big PRD")),
            ("a diff of the last two versions", lambda: wb.document_diff("Big PRD")),
        ):
            print(f"  {label:<62} {best(fn):7.1f} ms")
    finally:
        wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=1_000)
    parser.add_argument("--db", help="keep the store here (default: a temporary file)")
    parser.add_argument("--reuse", action="store_true", help="use --db as it is (built by an earlier run)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pmtui-bench-evidence-")
    db = args.db or str(Path(folder) / "evidence.db")
    print(f"store: {db}")
    if args.reuse:
        half = (START + timedelta(hours=args.versions // 2)).isoformat()
    else:
        print(f"building: {args.notes} notes, a document of {args.versions} versions")
        half = build(db, args.notes, args.versions)
    whole_process(db, ["product", "show"], runs=1)  # a first process warms the file cache
    base = floor()
    print(f"\nwhole process, median of 5 (floor: python + sqlite3 + msgspec, one insert: {base:.0f} ms)")
    versions, stored, text_bytes, lines = storage(db)
    for label, argv in (
        ("pmtui product show (reference: any command on this store)", ["product", "show"]),
        ("pmtui feedback list", ["feedback", "list"]),
        ("pmtui feedback list --inbox --limit 0 --json (all of them)", ["feedback", "list", "--inbox", "--limit", "0", "--json"]),
        ("pmtui doc show --as-of (mid-history)", ["doc", "show", "Big PRD", "--as-of", half]),
        ("pmtui doc show", ["doc", "show", "Big PRD"]),
        ("pmtui doc blame (1,000 versions)", ["doc", "blame", "Big PRD"]),
        ("pmtui doc log", ["doc", "log", "Big PRD"]),
        ("pmtui backlog --sort evidence", ["backlog", "--sort", "evidence"]),
        ("pmtui feedback evidence BS-1 (an epic)", ["feedback", "evidence", "BS-1"]),
    ):
        ms = whole_process(db, argv)
        print(f"  {label:<62} {ms:6.0f} ms  ({ms / base:.1f}x floor)", flush=True)
    in_process(db, half)
    edit = whole_process(db, ["doc", "edit", "Big PRD", "--text", f"edited at {time.time()}"], runs=1)
    print(f"  {'pmtui doc edit (at 1,000 versions, one run)':<62} {edit:6.0f} ms")
    print(f"\ndocument storage: {versions} versions, {stored / 1024:.0f} KiB of events, "
          f"{stored / versions:.0f} bytes per version; the text is {text_bytes / 1024:.1f} KiB ({lines} lines), "
          f"so copies would take {versions * text_bytes / 1024 / 1024:.1f} MiB "
          f"({versions * text_bytes / stored:.0f}x more)")


if __name__ == "__main__":
    main()
