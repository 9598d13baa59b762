"""``pmtui log`` as of every point equals a naive reading of the events: for random histories with
backdated events and two writers, the entries as of each event number (the events up to it) and
as of moments between (the events that took effect by then), newest first by when each took
effect, are those of the records themselves, through the filters and the limit. The command reads
its order from the read model's log and only the events it prints."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pmtui.cli import main
from pmtui.service.workbench import Workbench
from projections.history import entry
from projections.records import EventRecord
from projections.state import fold
from projections.versions import effective_order
from tests.readmodel.test_as_of_property import plan, play


def pmtui_log(db: str, *argv: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", db, "--json", *argv]) == 0
    # Times are printed as ISO text; each entry's number names its record, whose times they are.
    return [{k: v for k, v in e.items() if k not in ("occurred", "recorded")} for e in json.loads(out.getvalue())]


def naive(records: list[EventRecord], upto: int, moment: float | None, limit: int = 0,
          kind: str = "", actor: str = "") -> list[dict[str, Any]]:
    """The records up to #``upto`` (and, at a moment, those in effect by then), filtered, newest
    first by effective time then number, as the JSON ``log`` prints."""
    now = fold(records)
    chosen = [(t, r) for t, r in effective_order(records) if r.seq <= upto and (moment is None or t <= moment)
              and kind.lower() in r.name.lower() and (not actor or r.actor.lower() == actor.lower())]
    chosen.sort(key=lambda pair: (pair[0], pair[1].seq), reverse=True)
    entries = [entry(now, r) for _, r in chosen]
    if limit:
        entries = entries[:limit]
    return [{"event": e.seq, "actor": e.actor, "reason": e.reason,
             "type": e.event, "subject": e.subject, "summary": e.summary,
             "changes": [[c.field, c.old, c.new] for c in e.changes]} for e in entries]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_the_log_as_of_every_point_equals_the_records_up_to_it(steps: list[tuple[str, int, tuple[Any, ...]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmtui-log-") as tmp:
        db = str(Path(tmp) / "p.db")
        wb = Workbench(db=db, actor="ann")
        wb.init_product("Shop", "PM")
        try:
            records = play(wb, steps)
        finally:
            wb.close()
        last = records[-1].seq
        assert pmtui_log(db, "log") == naive(records, last, None)
        for seq in range(0, last + 1):
            assert pmtui_log(db, "--as-of", f"#{seq}", "log") == naive(records, seq, None), seq
            assert pmtui_log(db, "--as-of", f"#{seq}", "log", "--limit", "2") == naive(records, seq, None, 2), seq
        times = sorted({t for t, _ in effective_order(records)})
        for moment in [times[0] - 60, *times[::3], times[-1] + 60]:
            # Minutes, as a user types a time: the point is the end of that minute's first second.
            when = datetime.fromtimestamp(moment).strftime("%Y-%m-%d %H:%M:%S")
            at = datetime.fromisoformat(when).timestamp()
            upto = max((r.seq for t, r in effective_order(records) if t <= at), default=0)
            assert pmtui_log(db, "--as-of", when, "log") == naive(records, upto, at), when
            assert pmtui_log(db, "--as-of", when, "log", "--kind", "item", "--limit", "3") == \
                naive(records, upto, at, 3, kind="item"), when
        assert pmtui_log(db, "log", "--by", "BOB") == naive(records, last, None, actor="bob")
