"""A document's text as lines, and the line diffs (``ops``) its saves store: pure functions, so the
projections rebuild any version of a document without importing the aggregate (see
``domain.document`` for what the ops mean)."""

from __future__ import annotations

from typing import Any

Ops = list[Any]


def split_lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def join_lines(lines: list[str]) -> str:
    return "\n".join(lines)


def line_diff(old: list[str], new: list[str]) -> Ops:
    """The ops that turn ``old`` lines into ``new`` lines (difflib's opcodes, compacted)."""
    import difflib  # only a save diffs; reading a document applies ops

    ops: Ops = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(i2 - i1)
            continue
        if i2 > i1:
            ops.append(-(i2 - i1))
        if j2 > j1:
            ops.append(new[j1:j2])
    return ops


def apply_ops(old: list[str], ops: Ops) -> list[str]:
    """The new lines: ``old`` with ``ops`` applied (lines past the last op are kept)."""
    out: list[str] = []
    at = 0
    for op in ops:
        if isinstance(op, list):
            out.extend(op)
        elif op > 0:
            out.extend(old[at:at + op])
            at += op
        else:
            at -= op
    out.extend(old[at:])
    return out
