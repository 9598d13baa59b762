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
# The same characters in UTF-8 bytes (a lone surrogate cannot be encoded, so none is there).
_UNSAFE_IN_JSON_BYTES = re.compile(b"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


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


def safe_json_bytes(data: bytes) -> bytes:
    """``safe_json`` of JSON text encoded as UTF-8, without decoding it (a whole board's JSON)."""
    # Their first bytes looked for first (a fast search; the pattern, tried at every byte, took
    # 30 ms over a 50k-card board's JSON).
    if b"\x7f" not in data and b"\xc2" not in data and b"\xe2" not in data:
        return data
    return _UNSAFE_IN_JSON_BYTES.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), data)
