"""An objective with its key results; check-ins record new values with a comment and a confidence.
Progress of a key result is how far its current value has gone from baseline to target."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import ValidationError
from domain.values import non_empty, number, period  # number: re-exported (its home is domain.values)


def confidence(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"confidence must be a number from 0 to 1 (got {value!r})") from None
    if not 0 <= number <= 1:
        raise ValidationError(f"confidence must be from 0 to 1 (got {value!r})")
    return number


class Objective(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    class KeyResultEdited(PmAggregate.Changed):
        """``changes`` is ``{"key_results": [old list, new list]}``; ``kr`` names the one edited."""

        kr: int

    @classmethod
    def create(cls, product_id: UUID, title: str, period_: str, owner: str = "", description: str = "",
               number: int = 0) -> Objective:
        return cls(product_id=str(product_id), title=non_empty(title, "objective"), period=period(period_),
                   owner=str(owner).strip(), description=str(description).strip(), number=int(number))

    @event("Created")
    def __init__(self, product_id: str, title: str, period: str, owner: str, description: str,
                 number: int = 0) -> None:
        self.product_id = product_id
        self.number = number  # O-n, fixed when created (0: stored before numbers were)
        self.title = title
        self.period = period
        self.owner = owner
        self.description = description
        self.key_results: list[dict[str, Any]] = []
        self.archived = False

    def edit(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "title":
                checked[name] = non_empty(value, "objective")
            elif name == "period":
                checked[name] = period(value)
            elif name in ("owner", "description"):
                checked[name] = str(value).strip()
            elif name == "archived":
                checked[name] = bool(value)
            else:
                raise ValidationError(f"an objective has no field {name!r} (fields: title, period, owner, description)")
        self.trigger_event(self.Edited, changes=self._diff(checked))

    def add_key_result(self, metric: str, target: Any, baseline: Any = 0, unit: str = "",
                       confidence_: Any = 0.5) -> int:
        kr = {
            "metric": non_empty(metric, "key result"),
            "unit": str(unit).strip(),
            "baseline": number(baseline, "baseline"),
            "target": number(target, "target"),
            "current": number(baseline, "baseline"),
            "confidence": confidence(confidence_),
        }
        if kr["target"] == kr["baseline"]:
            raise ValidationError("a key result's target must differ from its baseline")
        index = len(self.key_results) + 1
        self._change_key_results(index, [*self.key_results, kr], "")
        return index

    def key_result(self, index: int) -> dict[str, Any]:
        if not 1 <= index <= len(self.key_results):
            raise ValidationError(f"objective {self.title!r} has no key result {index} (it has {len(self.key_results)})")
        return self.key_results[index - 1]

    def check_in(self, index: int, value: Any, confidence_: Any = None, comment: str = "") -> None:
        kr = dict(self.key_result(index))
        kr["current"] = number(value, "value")
        if confidence_ is not None:
            kr["confidence"] = confidence(confidence_)
        updated = [kr if i == index else dict(k) for i, k in enumerate(self.key_results, 1)]
        self._checked_in(kr=index, changes={"key_results": [self.key_results, updated]}, comment=str(comment).strip())

    def edit_key_result(self, index: int, **values: Any) -> None:
        kr = dict(self.key_result(index))
        for name, value in values.items():
            if name == "metric":
                kr[name] = non_empty(value, "key result")
            elif name == "unit":
                kr[name] = str(value).strip()
            elif name in ("baseline", "target"):
                kr[name] = number(value, name)
            elif name == "confidence":
                kr[name] = confidence(value)
            else:
                raise ValidationError(f"a key result has no field {name!r} (fields: metric, unit, baseline, target, confidence)")
        updated = [kr if i == index else dict(k) for i, k in enumerate(self.key_results, 1)]
        self._change_key_results(index, updated, "")

    def _change_key_results(self, index: int, updated: list[dict[str, Any]], _comment: str) -> None:
        if updated == self.key_results:
            raise ValidationError("nothing to change: the key result is the same as before")
        self.trigger_event(self.KeyResultEdited, kr=index, changes={"key_results": [self.key_results, updated]})

    class CheckedIn(KeyResultEdited):
        comment: str

    def _checked_in(self, kr: int, changes: dict[str, list[Any]], comment: str) -> None:
        self.trigger_event(self.CheckedIn, kr=kr, changes=changes, comment=comment)
