"""Product: creation, edits, key allocation."""

import pytest

from domain.base import attributed
from domain.exceptions import NothingChangedError, ValidationError
from domain.product import Product
from tests.domain.conftest import names, refused, take


def test_create_normalises_and_records_one_event() -> None:
    product = Product.create("  My   Shop ", " pm2 ", " vision ", "Growth")
    events = take(product)
    assert names(events) == ["Product.Created"]
    assert (product.name, product.key_prefix, product.vision, product.stage) == ("My Shop", "PM2", "vision", "growth")
    assert product.last_number == 0
    assert product.id == Product.create_id("PM2")


@pytest.mark.parametrize("prefix", ["", "1AB", "A-B", "ABCDEFGHIJK", "ä"])
def test_bad_key_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValidationError, match="key prefix"):
        Product.create("Shop", prefix)


def test_bad_name_and_stage_are_refused() -> None:
    with pytest.raises(ValidationError, match="product name must not be empty"):
        Product.create("   ", "PM")
    with pytest.raises(ValidationError, match="stage must be one of: development, growth, maturity, decline"):
        Product.create("Shop", "PM", stage="teen")


def test_edit_fields(product: Product) -> None:
    product.edit(name="Store", stage="maturity", vision=" v2 ")
    edited, staged = take(product)
    assert edited.changes == {"name": ["Shop", "Store"], "vision": ["Sell things", "v2"]}
    # The stage is a decision: an event of its own, for the decision log.
    assert isinstance(staged, Product.StageChanged) and staged.changes == {"stage": ["growth", "maturity"]}


def test_change_stage_is_a_decision_with_its_reason(product: Product) -> None:
    with attributed("alice", "revenue has plateaued"):
        product.change_stage("maturity")
    (staged,) = take(product)
    assert isinstance(staged, Product.StageChanged)
    assert (staged.changes, staged.actor, staged.reason) == ({"stage": ["growth", "maturity"]}, "alice", "revenue has plateaued")
    with pytest.raises(NothingChangedError):
        product.change_stage("Maturity")
    with pytest.raises(ValidationError, match="stage must be one of"):
        product.change_stage("teen")


@pytest.mark.parametrize(("values", "message"), [
    ({"key_prefix": "XX"}, "no field 'key_prefix'"),
    ({"stage": "old"}, "stage must be one of"),
    ({"name": ""}, "must not be empty"),
    ({"name": "Store", "stage": "old"}, "stage must be one of"),  # nothing applied when one value is bad
])
def test_bad_edits_leave_the_product_unchanged(product: Product, values: dict, message: str) -> None:
    with refused(product, ValidationError, message):
        product.edit(**values)
