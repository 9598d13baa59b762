"""Stored text on its way to a terminal: control characters escaped, so a title like
``\\e]52;…\\a\\e[2J`` cannot write the clipboard, clear the screen or retitle the window of whoever
reads it. The stored text stays as it was; only what is printed is escaped.

One helper for every printer (the CLI's text and JSON output, its error lines, the SSH server's
messages)."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F: some terminals obey them),
# bidirectional overrides (they reorder what is shown), and lone surrogates (undecodable bytes
# of an argument or an import, which cannot even be encoded for output).
UNSAFE = _UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Colour changes (SGR) only, for output whose colours pmtui makes itself (charts).
_SGR = re.compile(r"\x1b\[[0-9;]*m")
# In JSON text the C0 controls are escaped by the encoder already; the rest are escaped here.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, keep_colors: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), printable as is.

    ``keep_colors`` lets colour sequences through (``ESC [ … m``, harmless) and escapes the rest."""
    if not keep_colors:
        return _UNSAFE.sub(_escape, text)
    parts = _SGR.split(text)
    colours = _SGR.findall(text)
    out = [_UNSAFE.sub(_escape, parts[0])]
    for colour, part in zip(colours, parts[1:]):
        out += [colour, _UNSAFE.sub(_escape, part)]
    return "".join(out)


def safe_json(text: str) -> str:
    """JSON text with the controls its encoder leaves raw written as ``\\uXXXX`` (still valid JSON,
    decoding to the same strings)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
