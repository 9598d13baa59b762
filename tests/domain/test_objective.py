"""Objective: key results, check-ins, edits."""

from uuid import uuid4

import pytest

from domain.exceptions import NothingChangedError, ValidationError
from domain.objective import Objective
from tests.domain.conftest import fresh, names, refused, take

PRODUCT = uuid4()


@pytest.fixture
def objective() -> Objective:
    return fresh(lambda: Objective.create(PRODUCT, "Delight buyers", "2026-q4", " ann ", "why"))


def test_create(objective: Objective) -> None:
    assert (objective.title, objective.period, objective.owner, objective.key_results) == (
        "Delight buyers", "2026-Q4", "ann", [])
    assert names(take(Objective.create(PRODUCT, "X", "2027"))) == ["Objective.Created"]
    with pytest.raises(ValidationError, match="period must look like 2026-Q4, 2026-H1 or 2026"):
        Objective.create(PRODUCT, "X", "next year")
    with pytest.raises(ValidationError, match="objective must not be empty"):
        Objective.create(PRODUCT, "", "2026")


def test_add_key_result(objective: Objective) -> None:
    assert objective.add_key_result("NPS", "50", baseline=20, unit="pts", confidence_=0.7) == 1
    assert objective.add_key_result("Churn", 2, baseline=5) == 2
    first, second = take(objective)
    assert type(first) is Objective.KeyResultEdited and first.kr == 1
    assert first.changes["key_results"][0] == []
    assert first.changes["key_results"][1] == [
        {"metric": "NPS", "unit": "pts", "baseline": 20.0, "target": 50.0, "current": 20.0, "confidence": 0.7}]
    assert second.kr == 2 and len(objective.key_results) == 2


@pytest.mark.parametrize(("args", "message"), [
    (("", 10), "key result must not be empty"),
    (("NPS", "lots"), "target must be a number"),
    (("NPS", float("inf")), "target must be a finite number"),
    (("NPS", 10, 10), "target must differ from its baseline"),
    (("NPS", 10, 0, "", 1.5), "confidence must be from 0 to 1"),
    (("NPS", 10, 0, "", "high"), "confidence must be a number from 0 to 1"),
])
def test_add_key_result_refusals(objective: Objective, args: tuple, message: str) -> None:
    with refused(objective, ValidationError, message):
        objective.add_key_result(*args)


def test_check_in(objective: Objective) -> None:
    objective.add_key_result("NPS", 50, baseline=20)
    objective.add_key_result("Churn", 2, baseline=5)
    take(objective)
    objective.check_in(1, "35", 0.4, "  halfway  ")
    (checked,) = take(objective)
    assert type(checked) is Objective.CheckedIn and names([checked]) == ["Objective.CheckedIn"]
    assert (checked.kr, checked.comment) == (1, "halfway")
    old, new = checked.changes["key_results"]
    assert old[0]["current"] == 20 and new[0]["current"] == 35 and new[0]["confidence"] == 0.4
    assert old[1] == new[1]  # the other key result is untouched
    objective.check_in(2, 4)  # confidence kept when not given
    assert objective.key_results[1]["confidence"] == 0.5 and objective.key_results[1]["current"] == 4


def test_check_in_refusals(objective: Objective) -> None:
    objective.add_key_result("NPS", 50)
    take(objective)
    with refused(objective, ValidationError, "has no key result 2 \\(it has 1\\)"):
        objective.check_in(2, 10)
    with refused(objective, ValidationError, "has no key result 0"):
        objective.check_in(0, 10)
    with refused(objective, ValidationError, "value must be a number"):
        objective.check_in(1, "ten")
    with refused(objective, ValidationError, "confidence must be from 0 to 1"):
        objective.check_in(1, 10, -0.1)


def test_edit_key_result(objective: Objective) -> None:
    objective.add_key_result("NPS", 50)
    take(objective)
    objective.edit_key_result(1, target=60, unit="points")
    (edited,) = take(objective)
    assert type(edited) is Objective.KeyResultEdited and edited.kr == 1
    assert objective.key_results[0]["target"] == 60 and objective.key_results[0]["unit"] == "points"
    with refused(objective, ValidationError, "a key result has no field 'current'"):
        objective.edit_key_result(1, current=5)
    with refused(objective, ValidationError, "nothing to change: the key result is the same"):
        objective.edit_key_result(1, target=60)


def test_edit_objective(objective: Objective) -> None:
    objective.edit(title="Delight", archived=True, period="2027-h1")
    (edited,) = take(objective)
    assert edited.changes == {"title": ["Delight buyers", "Delight"], "archived": [False, True],
                              "period": ["2026-Q4", "2027-H1"]}
    with refused(objective, ValidationError, "an objective has no field 'key_results'"):
        objective.edit(key_results=[])
    with refused(objective, NothingChangedError):
        objective.edit(owner="ann")
