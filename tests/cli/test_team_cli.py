"""``pmtui user …`` and roles from the command line (PMTUI_ROLE is what SSH sessions run with)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from tests.cli.support import event_count, run


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """Public key files for ann and bob, and ann's private key (a classic mistake to pass)."""
    out: dict[str, Path] = {}
    for name in ("ann", "bob"):
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@laptop")
        out[name] = tmp_path / f"{name}.pub"
        out[name].write_bytes(key.export_public_key())
        if name == "ann":
            out["ann_private"] = tmp_path / "ann"
            out["ann_private"].write_bytes(key.export_private_key())
    return out


def test_user_lifecycle_from_the_command_line(demo_db: Path, keys: dict[str, Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "user", "add", "ann", "--key", str(keys["ann"]), "--role", "editor",
                         "--reason", "new hire")
    assert (code, out.strip()) == (0, "ann may log in as an editor with 1 key"), err
    code, out, _ = run(capsys, "user", "add", "bob", "--key", str(keys["bob"]), "--role", "viewer")
    assert code == 0
    code, out, _ = run(capsys, "user", "list")
    assert code == 0
    rows = out.splitlines()
    assert rows[0].split() == ["user", "role", "key", "comment"]
    assert rows[2].split()[:2] == ["ann", "editor"] and rows[2].split()[3] == "ann@laptop"
    assert rows[3].split()[:2] == ["bob", "viewer"]

    code, out, _ = run(capsys, "user", "role", "bob", "admin")
    assert (code, out.strip()) == (0, "bob is now an admin")
    code, out, _ = run(capsys, "user", "key", "ann", "--add", str(keys["bob"]))
    assert code == 2  # bob's key is bob's
    code, out, _ = run(capsys, "user", "remove", "ann")
    assert (code, out.strip()) == (0, "ann can no longer log in")

    code, out, _ = run(capsys, "user", "list", "--json")
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [("bob", "admin")]
    # The audit trail: who granted what (the demo store's actor is carol).
    code, out, _ = run(capsys, "log", "--kind", "User", "--json")
    assert code == 0
    trail = [(e["type"], e["actor"], e["subject"], e["reason"]) for e in reversed(json.loads(out))]
    assert trail[0] == ("User.Added", "carol", "user ann", "new hire")
    assert [t[0] for t in trail] == ["User.Added", "User.Added", "User.Edited", "User.Removed"]
    assert {t[1] for t in trail} == {"carol"}


@pytest.mark.parametrize(("argv", "message"), [
    (["user", "add", "ann", "--key", "{ann_private}", "--role", "editor"], "is a private key"),
    (["user", "add", "ann", "--key", "{missing}", "--role", "editor"], "cannot read the key file"),
    (["user", "add", "ann", "--key", "{ann}", "--role", "owner"], "invalid choice"),
    (["user", "add", "9ann", "--key", "{ann}", "--role", "editor"], "user name must be"),
    (["user", "role", "nobody", "viewer"], "no user named 'nobody'"),
    (["user", "remove", "nobody"], "no user named 'nobody'"),
    (["user", "key", "nobody"], "say one of --add FILE"),
])
def test_mistakes_print_one_line_exit_2_and_write_nothing(demo_db: Path, keys: dict[str, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str], argv: list[str],
                                                           message: str) -> None:
    before = event_count(demo_db)
    filled = [a.format(missing=tmp_path / "nope.pub", **{k: str(v) for k, v in keys.items()}) for a in argv]
    code, out, err = run(capsys, *filled)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert event_count(demo_db) == before


def test_an_editor_cannot_manage_users(demo_db: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTUI_ROLE", "editor")
    before = event_count(demo_db)
    code, _, err = run(capsys, "user", "add", "ann", "--key", str(keys["ann"]), "--role", "admin")
    assert code == 2 and "carol is an editor: changing users and roles needs the admin role" in err
    assert event_count(demo_db) == before


def test_a_viewer_process_is_refused_every_write(demo_db: Path) -> None:
    """The way an SSH session runs pmtui: a process with PMTUI_ACTOR/PMTUI_ROLE in its environment."""
    env = {**os.environ, "PMTUI_DB": str(demo_db), "PMTUI_ACTOR": "val", "PMTUI_ROLE": "viewer"}
    before = event_count(demo_db)

    def pmtui(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pmtui.cli", *argv], env=env, capture_output=True,
                              text=True, timeout=60)

    board = json.loads(pmtui("board", "--json").stdout)  # looking is fine
    key = next(card["key"] for col in board["columns"] for card in col.get("cards", col.get("items", [])))
    for argv in (["item", "add", "Sneaky"], ["item", "move", key, "Done"], ["item", "comment", key, "hi"]):
        result = pmtui(*argv)
        assert result.returncode == 2, result
        assert result.stderr.startswith("pmtui: val is a viewer") and "need the editor role" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert event_count(demo_db) == before


def test_serve_refuses_a_busy_port_and_a_negative_idle_timeout(demo_db: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run(capsys, "serve", "--port", str(port), "--host-key", str(tmp_path / "hk"))
    assert code == 2
    # (the log may say first that the host key was made)
    assert err.strip().splitlines()[-1].startswith(f"pmtui: cannot listen on 127.0.0.1:{port}")
    code, _, err = run(capsys, "serve", "--idle-timeout", "-5")
    assert code == 2 and "--idle-timeout must be 0" in err


def test_serve_refuses_an_unreadable_host_key_and_a_bad_port(demo_db: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "hk"
    broken.write_text("not a key")
    code, _, err = run(capsys, "serve", "--port", "0", "--host-key", str(broken))
    assert code == 2 and err.strip() == f"pmtui: cannot read the host key {broken}: Invalid private key"
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port must be 0-65535" in err


def test_authorized_keys_refuses_an_editor_or_program_of_more_than_one_line(
        demo_db: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "user", "add", "ann", "--key", str(keys["ann"]), "--role", "editor")[0] == 0
    for option in ("--editor", "--program"):
        code, out, err = run(capsys, "user", "authorized-keys", option, "nano\nssh-ed25519 AAAA evil")
        assert (code, out) == (2, ""), err
        assert err.strip() == f"pmtui: {option} must be one line (it goes into each authorized_keys line)"
    code, out, _ = run(capsys, "user", "authorized-keys", "--editor", "nano --restricted")
    assert code == 0 and len(out.splitlines()) == 1 and "PMTUI_SSH_SESSION=1" in out


def test_serve_refuses_limits_below_one(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for option in ("--max-sessions", "--max-sessions-per-user", "--max-new-sessions-per-minute"):
        code, out, err = run(capsys, "serve", "--port", "0", option, "0")
        assert (code, out, err.strip()) == (2, "", f"pmtui: {option} must be at least 1 (got 0)")
    code, out, err = run(capsys, "serve", "--port", "0", "--max-team-sessions", "-1")
    assert (code, out, err.strip()) == (2, "", "pmtui: --max-team-sessions must be 0 (no limit) or more (got -1)")
