"""Helpers for domain tests: aggregates are driven directly, with no store; an aggregate's
pending events are what a command decided."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.base import attributed
from domain.board import Board
from domain.exceptions import DomainError
from domain.product import Product
from domain.work_item import WorkItem


def state_of(aggregate: Any) -> dict[str, Any]:
    """Everything an aggregate holds, deep-copied, except its queue of pending events."""
    return {k: copy.deepcopy(v) for k, v in vars(aggregate).items() if k != "_pending_events"}


def take(aggregate: Any) -> list[Any]:
    """The events the last command(s) triggered (and forget them, as a save would)."""
    return list(aggregate.collect_events())


def names(events: list[Any]) -> list[str]:
    return [type(e).__qualname__ for e in events]


@contextmanager
def refused(aggregate: Any, error: type[DomainError] = DomainError, match: str | None = None) -> Iterator[None]:
    """The command in the block must raise ``error`` and leave the aggregate exactly as it was."""
    take(aggregate)
    before = state_of(aggregate)
    with pytest.raises(error, match=match):
        yield
    assert take(aggregate) == [], "a refused command triggered events"
    assert state_of(aggregate) == before, "a refused command changed the aggregate"


def fresh(make: Callable[[], Any]) -> Any:
    aggregate = make()
    take(aggregate)
    return aggregate


@pytest.fixture
def product() -> Product:
    with attributed("ann"):
        return fresh(lambda: Product.create("Shop", "pm", "Sell things", "growth"))


@pytest.fixture
def board(product: Product) -> Board:
    with attributed("ann"):
        return fresh(lambda: Board.create(product.id, "Main"))


@pytest.fixture
def item(product: Product, board: Board) -> WorkItem:
    with attributed("ann"):
        return fresh(lambda: WorkItem.create(product.id, board.id, "PM-1", "Checkout flow", "Backlog", "i"))


def some_id() -> UUID:
    return uuid4()
