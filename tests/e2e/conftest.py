"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The server's log lines (logger ``pmtui.ssh``) of a server run in the test's process."""
    caplog.set_level(logging.INFO, logger="pmtui.ssh")
    yield caplog
