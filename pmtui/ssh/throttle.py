"""Failed logins, counted per address and per user name: after a few in a short time, that address
(or that user name, from anywhere) is turned away for a while.

A success forgets only the failures of that same user from that same address (someone who first
offered the wrong key): a colleague logging in from the same address (behind NAT) or as another
user leaves an attacker's count where it was. The per-user count catches guessing spread over many
addresses; its threshold is higher, since it can also lock the real user out for the ban's length.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_Failure = tuple[float, str, str]  # (when, address, user)


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window: float = 60.0, ban: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_user_failures: int | None = None) -> None:
        self.max_failures = max_failures
        self.max_user_failures = max_user_failures if max_user_failures is not None else 2 * max_failures
        self.window = window
        self.ban = ban
        self._clock = clock
        self._by_address: dict[str, deque[_Failure]] = {}
        self._by_user: dict[str, deque[_Failure]] = {}
        self._banned_until: dict[tuple[str, str], float] = {}  # ("address"|"user", key) -> until

    def blocked_for(self, address: str, user: str | None = None) -> tuple[float, str]:
        """(seconds until a login from ``address`` as ``user`` may be tried again, and what is
        blocked: "address" or "user"); (0, "") when it may be tried now."""
        for kind, key in (("address", address), ("user", user)):
            if key is None:
                continue
            until = self._banned_until.get((kind, key))
            if until is None:
                continue
            left = until - self._clock()
            if left > 0:
                return left, kind
            del self._banned_until[(kind, key)]
        return 0.0, ""

    def failed(self, address: str, user: str) -> str:
        """Count a failed login; returns what this failure got banned ("address", "user", both
        joined by "+", or "")."""
        now = self._clock()
        self._forget_stale(now)
        banned = []
        for kind, key, table, limit in (("address", address, self._by_address, self.max_failures),
                                        ("user", user, self._by_user, self.max_user_failures)):
            recent = table.setdefault(key, deque())
            recent.append((now, address, user))
            while recent and recent[0][0] < now - self.window:
                recent.popleft()
            if len(recent) >= limit:
                self._banned_until[(kind, key)] = now + self.ban
                recent.clear()
                banned.append(kind)
        return "+".join(banned)

    def succeeded(self, address: str, user: str) -> None:
        """Forget the failures of this user from this address only."""
        for table, key in ((self._by_address, address), (self._by_user, user)):
            recent = table.get(key)
            if recent:
                kept = deque(f for f in recent if (f[1], f[2]) != (address, user))
                if kept:
                    table[key] = kept
                else:
                    del table[key]

    def _forget_stale(self, now: float) -> None:
        # Many addresses or names, each failing rarely: keep memory bounded.
        for table in (self._by_address, self._by_user):
            if len(table) > 10_000:
                stale = [k for k, q in table.items() if not q or q[-1][0] < now - self.window]
                for key in stale:
                    del table[key]
        if len(self._banned_until) > 10_000:
            self._banned_until = {k: u for k, u in self._banned_until.items() if u > now}
