"""Several ``pmtui serve`` on one PostgreSQL store act as one server: one host key (clients see
one host), users and roles from the store, and a change made through one shows in the sessions of
the other (each session follows the shared store)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.sshkit import TIMEOUT, backlog_top_and_todo_count, make_team, moves_by, serving, terminal

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def test_two_servers_on_one_postgresql_act_as_one(tmp_path: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    base = (os.environ.get("PMTUI_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test").split("?", 1)[0]
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL server answers at {base}")
    schema = f"pmtui_multi_{os.getpid()}_{int(time.time())}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        members = make_team(tmp_path, f"{base}?schema={schema}")
        host_key = tmp_path / "shared_host_key"  # one key copied to every host
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(host_key))
        os.chmod(host_key, 0o600)
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with serving(tmp_path / "a", members, args=("--host-key", str(host_key))) as (_, one), \
                serving(tmp_path / "b", members, args=("--host-key", str(host_key))) as (_, two):
            keys = []
            for server in (one, two):
                conn = await asyncio.wait_for(asyncssh.connect(
                    "127.0.0.1", server.port, username="bob", client_keys=[members.keys["bob"]],
                    known_hosts=None, agent_path=None), TIMEOUT)
                keys.append(conn.get_server_host_key().get_fingerprint())
                conn.close()
                await conn.wait_closed()
            assert keys[0] == keys[1]  # clients see one server whichever they reach
            first, in_todo = backlog_top_and_todo_count(members.db)
            async with terminal(one.port, "alice", members.keys["alice"]) as alice, \
                    terminal(two.port, "bob", members.keys["bob"]) as bob:
                await alice.wait_text(first, timeout=60)
                await bob.wait_text(first, timeout=60)
                await asyncio.sleep(0.5)
                mark = bob.press("")
                alice.press("L")  # through the first server...
                await bob.wait_text(f"To do {in_todo + 1}", since=mark)  # ...shown through the second
            assert moves_by(members.db)[-1] == ("alice", first, "To do")
            assert "session_start user=alice" in one.log_text()
            assert "session_start user=bob" in two.log_text()
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


def test_session_slots_are_shared_through_postgresql_and_freed_with_their_connection() -> None:
    """The locks behind the limits of servers on several hosts: a slot one server holds is not
    another's, and a server that goes away (its connection closes) frees its slots."""
    psycopg = pytest.importorskip("psycopg")
    from pmtui.ssh.slots import SessionSlots
    from pmtui.store.storage import locate

    base = (os.environ.get("PMTUI_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test").split("?", 1)[0]
    try:
        psycopg.connect(base, connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL server answers at {base}")
    store = locate(f"{base}?schema=pmtui_slots_{os.getpid()}")
    one, two = SessionSlots(store), SessionSlots(store)
    other_store = SessionSlots(locate(f"{base}?schema=pmtui_slots_other_{os.getpid()}"))
    try:
        first = one.take("user:alice", 2)
        second = one.take("user:alice", 2)
        assert first and second and first != second
        assert two.take("user:alice", 2) is None  # both of alice's places are held by the first server
        assert other_store.take("user:alice", 2) is not None  # another store's limits are its own
        one.give_back(first)
        assert two.take("user:alice", 2) == first
        one.close()  # the first server goes away: its slot is free...
        # ...once PostgreSQL has ended that connection's backend, which under load lags the
        # client's close by a moment (the locks are the backend's, freed when it exits).
        deadline = time.monotonic() + 10
        taken = two.take("user:alice", 2)
        while taken is None and time.monotonic() < deadline:
            time.sleep(0.05)
            taken = two.take("user:alice", 2)
        assert taken == second
    finally:
        for slots in (one, two, other_store):
            slots.close()
