"""Ids derived from what users type, as pure functions: the projections look a thing up by its
number without importing its aggregate (each aggregate's ``create_id`` is the same function)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


def note_id(product_id: UUID | str, number: int) -> UUID:
    """A feedback note's id: derived from its number, so two people taking the same number cannot
    both save."""
    return uuid5(NAMESPACE_URL, f"pmtui:feedback:{product_id}:{number}")
