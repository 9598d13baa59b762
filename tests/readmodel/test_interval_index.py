"""The history's interval index (``pmtui.store.readmodel.fork_path``, the fork columns): for random
version intervals on both axes, the versions found through the forks as of any point are exactly
those a plain ``from <= X < to`` filter finds, on the SQL the stores run (SQLite here; the as-of
property tests cover PostgreSQL's stores through the same queries)."""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.store.readmodel import FORK_BITS, Point, Sql, ddl, fork_path, interval_ddl

T0 = 1_790_000_000.0  # late 2026, as the stores' effective times

# (from_pos, length in events, from_t offset in seconds, length in seconds): empty and one-event
# intervals, times before 1970, and versions held for years.
version = st.tuples(st.integers(1, 5000), st.one_of(st.integers(0, 20), st.integers(0, 3000)),
                    st.floats(-3e9, 3e8, allow_nan=False),
                    st.one_of(st.floats(0, 40, allow_nan=False), st.floats(0, 4e8, allow_nan=False)))


def table(rows: list[tuple[int, int, float, float]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for statement in ddl(lambda name: name, postgres=False):
        conn.execute(statement)
    columns, indexes = interval_ddl(lambda name: name, postgres=False)
    for statement in [*columns, *indexes]:
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO rm_history (tbl, id, from_pos, to_pos, from_t, to_t, body) VALUES ('items', ?, ?, ?, ?, ?, x'')",
        [(f"v{n}", p, p + length, T0 + t, T0 + t + span) for n, (p, length, t, span) in enumerate(rows)])
    return conn


def found(conn: sqlite3.Connection, point: Point, intervals: bool) -> list[Any]:
    text, params = point.versions("id", " AND tbl = ?", ["items"], intervals=intervals)
    history = text.split(" UNION ALL ", 1)[1]  # the current table is empty here: only the history
    sql = Sql(conn.cursor(), postgres=False)
    return sorted(r[0] for r in sql.all(history, params[2:]))


@settings(max_examples=60, deadline=None)
@given(st.lists(version, min_size=1, max_size=60), st.lists(st.integers(0, 9000), min_size=1, max_size=8),
       st.lists(st.floats(-4e9, 8e8, allow_nan=False), min_size=1, max_size=8))
def test_the_forks_find_exactly_the_versions_valid_at_a_point(rows: list[tuple[int, int, float, float]],
                                                             positions: list[int], offsets: list[float]) -> None:
    conn = table(rows)
    ends = [p for p, length, _, _ in rows] + [p + length for p, length, _, _ in rows]
    times = [T0 + t for _, _, t, _ in rows] + [T0 + t + s for _, _, t, s in rows]
    points = [Point(pos=n) for n in [*positions, *ends, *(e - 1 for e in ends)]]
    points += [Point(moment=m) for m in [*(T0 + o for o in offsets), *times, -5.0, 0.0, 1e300]]
    for point in points:
        assert found(conn, point, True) == found(conn, point, False), (point.pos, point.moment)


def test_the_path_of_a_point_has_one_fork_a_level() -> None:
    for x in (0, 1, 2, 3, 6, 7, 8, 1000, 2**20, 2**FORK_BITS + 5):
        left, right = fork_path(x)
        assert 0 in left and all(n <= x for n in left) and all(n > x for n in right)
        assert len(left) + len(right) <= FORK_BITS + 2  # 0, and at most one node a level


def test_decoding_in_many_threads_leaves_the_collector_as_it_was() -> None:
    import gc
    import threading

    from pmtui.store.readmodel import paused_gc

    assert gc.isenabled()
    start = threading.Barrier(8)

    def decode() -> None:
        start.wait()
        for _ in range(200):
            with paused_gc():
                assert not gc.isenabled()

    threads = [threading.Thread(target=decode) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a collector switched off before stays off
    finally:
        gc.enable()
