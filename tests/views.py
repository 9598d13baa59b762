"""Comparing workspaces by what the views show: every view table and list, not the bookkeeping
(positions and counters differ in meaning between a fold and the store's point)."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from projections.versions import ENTRY_TYPES, VIEW_TYPES


def views_of(ws: Any) -> dict[str, Any]:
    out: dict[str, Any] = {name: dict(getattr(ws, name).items()) for name in VIEW_TYPES}
    # A product's key counter also moves with imported items' creations, at their own times:
    # it serves only to allocate new keys, now, and is not part of any view of the past.
    out["products"] = {k: replace(v, last_number=0) for k, v in out["products"].items()}
    out.update({name: list(getattr(ws, name)) for name in ENTRY_TYPES})
    return out
