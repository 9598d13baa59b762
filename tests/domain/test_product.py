"""Product: creation, edits, key allocation."""

import pytest

from domain.exceptions import ValidationError
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
    (edited,) = take(product)
    assert edited.changes == {"name": ["Shop", "Store"], "stage": ["growth", "maturity"], "vision": ["Sell things", "v2"]}


@pytest.mark.parametrize(("values", "message"), [
    ({"key_prefix": "XX"}, "no field 'key_prefix'"),
    ({"stage": "old"}, "stage must be one of"),
    ({"name": ""}, "must not be empty"),
    ({"name": "Store", "stage": "old"}, "stage must be one of"),  # nothing applied when one value is bad
])
def test_bad_edits_leave_the_product_unchanged(product: Product, values: dict, message: str) -> None:
    with refused(product, ValidationError, message):
        product.edit(**values)
