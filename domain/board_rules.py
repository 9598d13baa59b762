"""A board's rules that a card's move or creation consults, as plain functions of its name and
columns: ``domain.board.Board`` decides through these, and so does the quick write path
(``pmtui.service.item_writes``), which reads the board's columns from the read model. Importing this
module builds no event class and imports no eventsourcing."""

from __future__ import annotations

from typing import Any

from domain.exceptions import ValidationError, WipLimitExceededError


def column_named(board: str, columns: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The column of that name (any case, spaces trimmed) among ``columns`` of the board named ``board``."""
    for col in columns:
        if col["name"].lower() == str(name).strip().lower():
            return col
    names = ", ".join(c["name"] for c in columns)
    raise ValidationError(f"board {board!r} has no column {name!r} (columns: {names})")


def check_wip(board: str, columns: list[dict[str, Any]], target: str, count_after_move: int) -> str | None:
    """Refuse a move past a hard limit; return a warning past a soft one."""
    col = column_named(board, columns, target)
    if col["wip"] is None or count_after_move <= col["wip"]:
        return None
    if col["hard"]:  # (said under a "Refused" title in the TUI, after "pmtui:" in the CLI)
        raise WipLimitExceededError(f"{col['name']} is full: it would hold {count_after_move} items, over its "
                                    f"hard WIP limit of {col['wip']}")
    return f"warning: {col['name']} would hold {count_after_move} items, over its WIP limit of {col['wip']}"
