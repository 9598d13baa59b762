"""The team through the Workbench: users are events, only admins manage them, viewers only look."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import asyncssh
import pytest

from pmtui.service import team
from pmtui.errors import NotFoundError, PermissionDeniedError, UserError
from pmtui.service.workbench import Workbench


def public_key(comment: str) -> str:
    return asyncssh.generate_private_key("ssh-ed25519", comment=comment).export_public_key().decode()


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A SQLite store with a product and one item, made by the local admin."""
    db = str(tmp_path / "team.db")
    wb = Workbench(db=db, actor="owner")
    wb.init_product("Shop", "SHOP")
    wb.add_item("Checkout button")
    wb.close()
    return db


def as_(db: str, actor: str, role: str) -> Workbench:
    return Workbench(db=db, actor=actor, role=role)


def test_admin_grants_changes_and_revokes_access_as_attributed_events(store: str) -> None:
    admin = as_(store, "owner", "admin")
    ann_key = public_key("ann@laptop")
    # Given: ann is added as an editor.
    team.add_user(admin, "Ann", team.parse_public_keys(ann_key), "editor", reason="joins the team")
    assert team.find_member(admin.now, "ann") == team.Member("ann", "editor", (ann_key.strip(),))
    # When: her role changes, then she is removed.
    team.set_role(admin, "ann", "viewer")
    team.remove_user(admin, "ann", reason="left")
    # Then: she is gone from the team, and the log says who did each step and why.
    assert team.members(admin.now) == []
    user_events = [(r.name, r.actor, r.reason) for r in admin.records() if r.name.startswith("User.")]
    assert user_events == [("User.Added", "owner", "joins the team"), ("User.Edited", "owner", ""),
                           ("User.Removed", "owner", "left")]


def test_the_key_identifies_the_user_and_stops_working_when_replaced_or_removed(store: str) -> None:
    admin = as_(store, "owner", "admin")
    old, new = public_key("ann@old"), public_key("ann@new")
    team.add_user(admin, "ann", team.parse_public_keys(old), "editor")
    # The comment is not part of the key: a key line without it finds ann too.
    bare = " ".join(old.split()[:2])
    assert team.user_for_key(admin.now, bare).name == "ann"  # type: ignore[union-attr]
    team.set_keys(admin, "ann", team.parse_public_keys(new))
    assert team.user_for_key(admin.now, old) is None
    assert team.user_for_key(admin.now, new).name == "ann"  # type: ignore[union-attr]
    team.remove_user(admin, "ann")
    assert team.user_for_key(admin.now, new) is None


def test_keys_can_be_added_and_removed_but_not_the_last_one(store: str) -> None:
    admin = as_(store, "owner", "admin")
    first, second = public_key("one"), public_key("two")
    team.add_user(admin, "ann", team.parse_public_keys(first), "editor")
    team.add_keys(admin, "ann", team.parse_public_keys(second))
    member = team.find_member(admin.now, "ann")
    assert member is not None and len(member.keys) == 2
    team.remove_key(admin, "ann", member.fingerprints[0])
    assert team.find_member(admin.now, "ann").keys == (second.strip(),)  # type: ignore[union-attr]
    with pytest.raises(UserError, match="only key"):
        team.remove_key(admin, "ann", team.fingerprint(second))
    with pytest.raises(UserError, match="already"):
        team.add_keys(admin, "ann", team.parse_public_keys(second))


def test_a_removed_user_can_be_added_again_with_the_same_name(store: str) -> None:
    admin = as_(store, "owner", "admin")
    key = public_key("ann")
    team.add_user(admin, "ann", team.parse_public_keys(key), "editor")
    team.remove_user(admin, "ann")
    team.add_user(admin, "ann", team.parse_public_keys(key), "admin")
    assert team.find_member(admin.now, "ann").role == "admin"  # type: ignore[union-attr]
    with pytest.raises(UserError, match="already a user named ann"):
        team.add_user(admin, "ann", team.parse_public_keys(public_key("x")), "viewer")


def test_one_key_cannot_belong_to_two_users(store: str) -> None:
    admin = as_(store, "owner", "admin")
    key = team.parse_public_keys(public_key("shared"))
    team.add_user(admin, "ann", key, "editor")
    with pytest.raises(UserError, match="already belongs to ann"):
        team.add_user(admin, "bob", key, "editor")
    assert team.find_member(admin.now, "bob") is None


def test_bad_key_text_is_refused_in_one_line() -> None:
    private = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    with pytest.raises(UserError, match="private key"):
        team.parse_public_keys(private)
    with pytest.raises(UserError, match="not an SSH public key"):
        team.parse_public_keys("ssh-ed25519 not-base64")
    with pytest.raises(UserError, match="holds no public key"):
        team.parse_public_keys("# only a comment\n")
    # An authorized_keys-like file with two keys yields both.
    assert len(team.parse_public_keys(public_key("a") + public_key("b"))) == 2


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_admins_manage_users(store: str, role: str) -> None:
    admin = as_(store, "owner", "admin")
    team.add_user(admin, "ann", team.parse_public_keys(public_key("ann")), "viewer")
    before = len(list(admin.records()))
    someone = as_(store, "mallory", role)
    refusals = [
        lambda: team.add_user(someone, "eve", team.parse_public_keys(public_key("eve")), "admin"),
        lambda: team.set_role(someone, "ann", "admin"),
        lambda: team.remove_user(someone, "ann"),
        lambda: team.set_keys(someone, "ann", team.parse_public_keys(public_key("k"))),
    ]
    for attempt in refusals:
        with pytest.raises(PermissionDeniedError, match="mallory is an? (viewer|editor): changing users and roles needs the admin role"):
            attempt()
    admin.refresh()
    assert len(list(admin.records())) == before
    assert team.find_member(admin.now, "ann").role == "viewer"  # type: ignore[union-attr]


def test_a_viewer_can_look_but_every_write_is_refused(store: str) -> None:
    viewer = as_(store, "val", "viewer")
    key = next(iter(viewer.now.items.values())).key
    count = len(list(viewer.records()))
    writes = [
        lambda: viewer.add_item("Sneaky"),
        lambda: viewer.move_item(key, "In progress"),
        lambda: viewer.edit_item(key, title="Renamed"),
        lambda: viewer.comment(key, "hi"),
        lambda: viewer.archive_item(key),
        lambda: viewer.add_release("1.0"),
        lambda: viewer.add_column("QA"),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError, match="val is a viewer"):
            write()
    assert len(list(viewer.records())) == count
    # Looking, including the past, is fine.
    assert viewer.item(key).title == "Checkout button"
    assert viewer.view("#1").count == 1


def test_an_editor_changes_the_product_as_themselves(store: str) -> None:
    editor = as_(store, "ed", "editor")
    key = editor.add_item("Wishlist")
    editor.move_item(key, "In progress")
    moved = [r for r in editor.records() if r.name == "WorkItem.Moved"]
    assert [(r.actor, r.data["changes"]["status"][1]) for r in moved] == [("ed", "In progress")]


def test_changing_a_missing_user_names_it(store: str) -> None:
    admin = as_(store, "owner", "admin")
    with pytest.raises(NotFoundError, match="no user named 'zed'"):
        team.set_role(admin, "zed", "viewer")


def test_authorized_keys_lines_run_pmtui_as_each_user_in_their_role(store: str, tmp_path: Path) -> None:
    """The OpenSSH alternative: the lines parse as authorized_keys, and the forced command, run by a
    shell as sshd would, starts the program with the user's name, role and store."""
    admin = as_(store, "owner", "admin")
    ann = asyncssh.generate_private_key("ssh-ed25519")
    team.add_user(admin, "ann", [ann.export_public_key().decode().strip()], "viewer")
    program = tmp_path / "show env"  # a space, to prove the quoting
    program.write_text("#!/bin/sh\necho \"$PMTUI_ACTOR/$PMTUI_ROLE/$PMTUI_DB/$EDITOR\"\n")
    program.chmod(0o755)
    lines = team.authorized_keys(admin.now, shlex.quote(str(program)), "/srv/pm's store.db", "nano --restricted")
    options = asyncssh.import_authorized_keys("\n".join(lines)).validate(ann.convert_to_public(), "host", "127.0.0.1")
    assert options is not None
    assert options.get("no-port-forwarding") or options.get("restrict")
    assert options.get("pty") is True
    out = subprocess.run(["sh", "-c", str(options["command"])], capture_output=True, text=True, timeout=10)
    assert out.stdout.strip() == "ann/viewer//srv/pm's store.db/nano --restricted"
