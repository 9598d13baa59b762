"""Failed SSH logins per address and per user: a few are forgiven, a burst bans the address (or the
user name) for a while, and only one's own success forgives one's failures."""

from pmtui.ssh.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_failures_bans_the_address_until_the_ban_ends() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock)
    assert not throttle.failed("10.0.0.1", "a")
    assert not throttle.failed("10.0.0.1", "b")
    assert throttle.blocked_for("10.0.0.1") == (0, "")
    assert throttle.failed("10.0.0.1", "c") == "address"  # the third within the window
    assert throttle.blocked_for("10.0.0.1") == (300, "address")
    assert throttle.blocked_for("10.0.0.2", "alice") == (0, "")  # only that address
    clock.now += 299
    assert throttle.blocked_for("10.0.0.1") == (1, "address")
    clock.now += 1
    assert throttle.blocked_for("10.0.0.1") == (0, "")


def test_failures_spread_out_or_followed_by_ones_own_success_are_forgiven() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock)
    for _ in range(5):
        assert not throttle.failed("10.0.0.1", "alice")
        clock.now += 31  # never three within a minute
    throttle.failed("10.0.0.3", "alice")
    throttle.failed("10.0.0.3", "alice")
    throttle.succeeded("10.0.0.3", "alice")  # alice had offered the wrong key first
    assert not throttle.failed("10.0.0.3", "alice")


def test_someone_elses_success_does_not_forgive_an_attackers_failures() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock)
    throttle.failed("10.0.0.3", "root")
    throttle.failed("10.0.0.3", "root")
    throttle.succeeded("10.0.0.3", "alice")  # a colleague behind the same NAT
    assert throttle.failed("10.0.0.3", "root") == "address"


def test_guessing_one_user_from_many_addresses_bans_that_user_name() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, ban=300, clock=clock, max_user_failures=4)
    for n in range(3):
        assert not throttle.failed(f"10.0.1.{n}", "alice")  # each address below its limit
    assert throttle.failed("10.0.1.9", "alice") == "user"
    assert throttle.blocked_for("10.0.2.1", "alice") == (300, "user")
    assert throttle.blocked_for("10.0.2.1", "bob") == (0, "")
