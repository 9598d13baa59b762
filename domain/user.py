"""A team member known to the SSH server: a name, public keys and a role. Granting and changing
access are events like any other, so the audit log shows who granted what."""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import InvalidTransitionError, ValidationError
from domain.values import Role


def user_name(value: str) -> str:
    name = str(value).strip().lower()
    if not re.fullmatch(r"[a-z_][a-z0-9_.\-]{0,31}", name):
        raise ValidationError(f"user name must be 1-32 of a-z 0-9 . _ - starting with a letter (got {value!r})")
    return name


class User(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class Removed(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:user:{name}")

    @classmethod
    def add(cls, name: str, role: str, keys: list[str]) -> User:
        if not keys:
            raise ValidationError("a user needs at least one public key")
        return cls(name=user_name(name), role=Role.parse(role), keys=list(keys))

    @event("Added")
    def __init__(self, name: str, role: str, keys: list[str]) -> None:
        self.name = name
        self.role = role
        self.keys = keys
        self.removed = False

    def _check_active(self) -> None:
        if self.removed:
            raise InvalidTransitionError(f"user {self.name} was removed")

    def change_role(self, role: str) -> None:
        self._check_active()
        self.trigger_event(self.Edited, changes=self._diff({"role": Role.parse(role)}))

    def set_keys(self, keys: list[str]) -> None:
        self._check_active()
        if not keys:
            raise ValidationError("a user needs at least one public key")
        self.trigger_event(self.Edited, changes=self._diff({"keys": list(keys)}))

    def reinstate(self, role: str, keys: list[str]) -> None:
        """Give a removed user access again under the same name, so their history stays theirs."""
        if not self.removed:
            raise InvalidTransitionError(f"user {self.name} exists already")
        if not keys:
            raise ValidationError("a user needs at least one public key")
        self.trigger_event(self.Edited, changes=self._diff({"removed": False, "role": Role.parse(role),
                                                            "keys": list(keys)}))

    def remove(self) -> None:
        self._check_active()
        self.trigger_event(self.Removed, changes={"removed": [False, True]})
