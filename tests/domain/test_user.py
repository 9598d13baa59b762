"""User: access is granted, changed and removed by events."""

import pytest

from domain.exceptions import InvalidTransitionError, NothingChangedError, ValidationError
from domain.user import User
from tests.domain.conftest import fresh, names, refused, take


@pytest.fixture
def user() -> User:
    return fresh(lambda: User.add(" Ann ", "Editor", ["ssh-ed25519 AAAA ann"]))


def test_add(user: User) -> None:
    assert (user.name, user.role, user.keys, user.removed) == ("ann", "editor", ["ssh-ed25519 AAAA ann"], False)
    assert names(take(User.add("bob", "viewer", ["k"]))) == ["User.Added"]
    assert user.id == User.create_id("ann")


@pytest.mark.parametrize(("name", "role", "keys", "message"), [
    ("ann", "editor", [], "at least one public key"),
    ("1ann", "editor", ["k"], "user name must be 1-32"),
    ("an n", "editor", ["k"], "user name must be 1-32"),
    ("ann", "owner", ["k"], "role must be one of: viewer, editor, admin"),
])
def test_add_refusals(name: str, role: str, keys: list, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        User.add(name, role, keys)


def test_change_role_and_keys(user: User) -> None:
    user.change_role("admin")
    user.set_keys(["k1", "k2"])
    role, keys = take(user)
    assert role.changes == {"role": ["editor", "admin"]}
    assert keys.changes == {"keys": [["ssh-ed25519 AAAA ann"], ["k1", "k2"]]}
    with refused(user, NothingChangedError):
        user.change_role("admin")
    with refused(user, ValidationError, "at least one public key"):
        user.set_keys([])
    with refused(user, ValidationError, "role must be one of"):
        user.change_role("god")


def test_remove(user: User) -> None:
    user.remove()
    (removed,) = take(user)
    assert type(removed) is User.Removed and removed.changes == {"removed": [False, True]}
    for command in (user.remove, lambda: user.change_role("admin"), lambda: user.set_keys(["k"])):
        with refused(user, InvalidTransitionError, "user ann was removed"):
            command()
