"""The server's log: one line per event (login, refusal, session start and end, limit hit), as
``EVENT key=value ...`` so ``journalctl -u pmtui | grep session_end`` or a log shipper can read it.

Values a client chose (the user name it tried, a forwarding target) are quoted and escaped: a
name with a newline or an escape sequence cannot forge a log line or reach an admin's terminal raw.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys

log = logging.getLogger("pmtui.ssh")

_PLAIN = re.compile(r"[A-Za-z0-9_.,:@/+=\-]+")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
    text = str(value)
    if text and len(text) <= 200 and _PLAIN.fullmatch(text):
        return text
    # JSON string syntax: quotes, backslashes and every control character escaped; long values cut.
    return json.dumps(text[:200] + ("…" if len(text) > 200 else ""))


def line(event: str, **fields: object) -> str:
    parts = [event] + [f"{key}={_value(value)}" for key, value in fields.items() if value is not None]
    return " ".join(parts)


def emit(event: str, level: int = logging.INFO, **fields: object) -> None:
    log.log(level, "%s", line(event, **fields))


def install_handler() -> logging.Handler:
    """Log to stderr, one line per event. Under systemd (``JOURNAL_STREAM`` set) the journal stamps
    each line itself, so no time is written; elsewhere each line starts with the time."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(logging.Formatter("pmtui serve: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s pmtui serve: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler
