"""Failed logins per address: after a few in a short time, that address is turned away for a while."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window: float = 60.0, ban: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self.ban = ban
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._banned_until: dict[str, float] = {}

    def blocked_for(self, address: str) -> float:
        """Seconds until ``address`` may try again (0 when it may now)."""
        until = self._banned_until.get(address)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._banned_until[address]
            return 0.0
        return left

    def failed(self, address: str) -> bool:
        """Count a failed login; True when this one got the address banned."""
        now = self._clock()
        if len(self._failures) > 10_000:  # many addresses, each failing rarely: forget the stale ones
            self._failures = {a: q for a, q in self._failures.items() if q and q[-1] >= now - self.window}
        recent = self._failures.setdefault(address, deque())
        recent.append(now)
        while recent and recent[0] < now - self.window:
            recent.popleft()
        if len(recent) >= self.max_failures:
            self._banned_until[address] = now + self.ban
            recent.clear()
            return True
        return False

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)
