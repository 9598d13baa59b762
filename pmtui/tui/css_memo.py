"""Parsed CSS kept for the whole process, so that a stylesheet parsed once (in the SSH zygote,
before it forks) is parsed by no session again.

Textual parses its stylesheets per app: each ``Stylesheet`` keeps a cache of what it parsed,
and each reparse (a theme set, a screen's CSS added) starts a fresh ``Stylesheet`` with an empty
one. A session parses the same text with the same variables as the one before it: a fifth of the
CPU of its first screen. Here the parsed rules are kept per (text, where it was read from, its
kind, its place, its scope, the variables): the same inputs as Textual's own cache, plus the
variables that cache is cleared for. Parsed rules are only read after parsing (Textual's own cache
shares them between parses the same way), so sharing them between stylesheets is safe.
"""

from __future__ import annotations

from typing import Any

from textual.css.stylesheet import Stylesheet

MAX_ENTRIES = 512  # a few dozen sources per theme; a process sees one or two themes
_parsed: dict[tuple[Any, ...], list[Any]] = {}
_installed = False


def install() -> None:
    """Have every ``Stylesheet`` of this process look here before it parses (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    parse_rules = Stylesheet._parse_rules

    def remembered(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                   tie_breaker: int = 0, scope: str = "") -> list[Any]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        rules = _parsed.get(key)
        if rules is None:
            rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            if len(_parsed) >= MAX_ENTRIES:
                _parsed.clear()
            _parsed[key] = rules
        return rules

    Stylesheet._parse_rules = remembered  # type: ignore[method-assign]


def entries() -> int:
    return len(_parsed)
