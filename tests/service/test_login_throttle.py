"""Failed SSH logins per address: a few are forgiven, a burst bans the address for a while."""

from pmtui.ssh.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_failures_bans_the_address_until_the_ban_ends() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock)
    assert not throttle.failed("10.0.0.1")
    assert not throttle.failed("10.0.0.1")
    assert throttle.blocked_for("10.0.0.1") == 0
    assert throttle.failed("10.0.0.1")  # the third within the window
    assert throttle.blocked_for("10.0.0.1") == 300
    assert throttle.blocked_for("10.0.0.2") == 0  # only that address
    clock.now += 299
    assert throttle.blocked_for("10.0.0.1") == 1
    clock.now += 1
    assert throttle.blocked_for("10.0.0.1") == 0


def test_failures_spread_out_or_followed_by_a_success_are_forgiven() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock)
    for _ in range(5):
        assert not throttle.failed("10.0.0.1")
        clock.now += 31  # never three within a minute
    throttle.failed("10.0.0.3")
    throttle.failed("10.0.0.3")
    throttle.succeeded("10.0.0.3")
    assert not throttle.failed("10.0.0.3")
