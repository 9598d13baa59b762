"""A removed user can be given access again under the same name (their history stays theirs)."""

import pytest

from domain.exceptions import InvalidTransitionError, ValidationError
from domain.user import User


def test_reinstate_gives_a_removed_user_a_role_and_keys_again() -> None:
    user = User.add("ann", "editor", ["ssh-ed25519 AAAA ann"])
    user.remove()
    user.reinstate("viewer", ["ssh-ed25519 BBBB ann-new"])
    assert (user.removed, user.role, user.keys) == (False, "viewer", ["ssh-ed25519 BBBB ann-new"])
    last = user.collect_events()[-1]
    assert type(last).__name__ == "Edited"
    assert last.changes["removed"] == [True, False]


def test_reinstate_refuses_an_active_user_and_no_keys() -> None:
    user = User.add("ann", "editor", ["k"])
    with pytest.raises(InvalidTransitionError, match="exists already"):
        user.reinstate("viewer", ["k2"])
    user.remove()
    with pytest.raises(ValidationError, match="at least one public key"):
        user.reinstate("viewer", [])
