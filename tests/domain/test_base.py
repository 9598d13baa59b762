"""Attribution and diffs, shared by every aggregate (exercised through Product)."""

from datetime import datetime, timezone

import pytest

from domain.base import attributed
from domain.exceptions import NothingChangedError
from domain.product import Product
from tests.domain.conftest import fresh, refused, take


def test_events_carry_actor_reason_and_occurred_from_the_context() -> None:
    past = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    with attributed("bob", "kick-off", past):
        product = Product.create("Shop", "PM")
    (created,) = take(product)
    assert (created.actor, created.reason, created.occurred) == ("bob", "kick-off", past)
    assert created.timestamp > past  # recorded time is the real clock, never backdated


def test_without_context_events_are_by_system_with_no_occurred_time() -> None:
    product = Product.create("Shop", "PM")
    (created,) = take(product)
    assert (created.actor, created.reason, created.occurred) == ("system", "", None)


def test_attribution_is_restored_after_the_block_even_on_error() -> None:
    with pytest.raises(RuntimeError), attributed("bob", "why"):
        raise RuntimeError
    product = Product.create("Shop", "PM")
    assert take(product)[0].actor == "system"


def test_changed_event_carries_old_and_new_values(product: Product) -> None:
    with attributed("cid", "rebrand"):
        product.edit(name="Store", vision="Sell things")  # vision unchanged: not in the diff
    (edited,) = take(product)
    assert edited.changes == {"name": ["Shop", "Store"]}
    assert (edited.actor, edited.reason) == ("cid", "rebrand")
    assert product.name == "Store"


def test_edit_that_changes_nothing_is_refused(product: Product) -> None:
    with refused(product, NothingChangedError, "nothing to change"):
        product.edit(name="Shop")


def test_revert_triggers_the_compensating_event(product: Product) -> None:
    product.edit(stage="maturity")
    (edited,) = take(product)
    product.revert(edited.changes, Product.Edited)
    (undo,) = take(product)
    assert type(undo) is Product.Edited
    assert undo.changes == {"stage": ["maturity", "growth"]}
    assert product.stage == "growth"


def test_revert_is_refused_when_the_field_changed_since(product: Product) -> None:
    product.edit(stage="maturity")
    (edited,) = take(product)
    product.edit(stage="decline")
    take(product)
    with refused(product, NothingChangedError, "cannot undo: stage has changed since"):
        product.revert(edited.changes, Product.Edited)


def test_fresh_helper_clears_pending_events() -> None:
    assert take(fresh(lambda: Product.create("Shop", "PM"))) == []
