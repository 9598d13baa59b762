"""Writers in separate processes, each with its own connection, racing on the same store: the
chain they build together stays one unbroken line."""

from __future__ import annotations

import subprocess
import sys

from tests.audit.conftest import RawStore
from tests.audit.test_verify import check

WRITERS = 4
ITEMS_EACH = 12

# Each writer adds items (racing for the same next key: item ids derive from keys, so saves
# conflict and are retried) and comments on the shared first item.
# The application gives up after a few lost races in a row (ConflictError): under this hammering
# that can happen, and it is not what is tested here, so the writer simply asks again.
WRITER = """
import sys
from pmtui.errors import ConflictError
from pmtui.service.workbench import Workbench

def again(command, *args):
    for _ in range(20):
        try:
            return command(*args)
        except ConflictError:
            continue
    raise SystemExit("lost every race")

wb = Workbench(db=sys.argv[1], actor=sys.argv[2])
for n in range(int(sys.argv[3])):
    again(wb.add_item, f"{sys.argv[2]} item {n}")
    again(wb.comment, "AU-1", f"{sys.argv[2]} was here ({n})")
wb.close()
"""


def test_concurrent_writers_cannot_fork_the_chain(raw_store: RawStore) -> None:
    wb = raw_store.workbench()
    wb.init_product("Audit", "AU")
    wb.add_item("Shared item")
    wb.close()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, raw_store.url, f"w{n}", str(ITEMS_EACH)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(WRITERS)]
    # Verifying while they write never sees half a write: a verify reads a fixed stretch of the log.
    checks = 0
    while any(writer.poll() is None for writer in writers):
        verdict = check(raw_store)
        assert verdict.intact, verdict.problem
        checks += 1
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err.decode()
    assert checks > 1
    # 3 events to start (product, board, item) then per item: created, comment.
    expected = 3 + WRITERS * ITEMS_EACH * 2
    verdict = check(raw_store)
    assert verdict.intact, verdict.problem
    assert verdict.checked == expected
    assert raw_store.sql("SELECT COUNT(*) FROM {chain}")[0][0] == expected
