"""A sprint: planned, then started (recording the committed scope, the base of the burndown),
then closed (recording what was done and where the unfinished items went)."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import PmAggregate
from domain.exceptions import InvalidTransitionError, ValidationError
from domain.values import SprintState, iso_date, non_empty


class Sprint(PmAggregate):
    class Edited(PmAggregate.Changed):
        pass

    @staticmethod
    def create_id(board_id: UUID | str, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"pmtui:sprint:{board_id}:{name.strip().lower()}")

    @classmethod
    def plan(cls, board_id: UUID, name: str, goal: str = "", start: str | None = None,
             end: str | None = None, number: int = 0) -> Sprint:
        start_date, end_date = iso_date(start, "start"), iso_date(end, "end")
        cls._check_dates(start_date, end_date)
        return cls(board_id=str(board_id), name=non_empty(name, "sprint name", 60),
                   goal=str(goal).strip(), start=start_date, end=end_date, number=int(number))

    @staticmethod
    def _check_dates(start: str | None, end: str | None) -> None:
        if start and end and end < start:
            raise ValidationError(f"the sprint ends ({end}) before it starts ({start})")

    @event("Planned")
    def __init__(self, board_id: str, name: str, goal: str, start: str | None, end: str | None,
                 number: int = 0) -> None:
        self.board_id = board_id
        self.number = number  # its display number, fixed when planned (0: stored before numbers were)
        self.name = name
        self.goal = goal
        self.start = start
        self.end = end
        self.state = SprintState.PLANNED.value
        self.committed: dict[str, float | None] = {}

    def edit(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "name":
                checked[name] = non_empty(value, "sprint name", 60)
            elif name == "goal":
                checked[name] = str(value).strip()
            elif name in ("start", "end"):
                checked[name] = iso_date(value, name)
            else:
                raise ValidationError(f"a sprint has no field {name!r} (fields: name, goal, start, end)")
        if self.state == SprintState.CLOSED.value:
            raise InvalidTransitionError(f"sprint {self.name!r} is closed")
        self._check_dates(checked.get("start", self.start), checked.get("end", self.end))
        self.trigger_event(self.Edited, changes=self._diff(checked))

    def begin(self, committed: dict[str, float | None], start: str, end: str) -> None:
        """Start the sprint; ``committed`` maps item id to its points at the start (None: unestimated)."""
        if self.state != SprintState.PLANNED.value:
            raise InvalidTransitionError(f"sprint {self.name!r} is {self.state}, only a planned sprint can start")
        if not committed:
            raise InvalidTransitionError(f"sprint {self.name!r} has no items: plan some before starting it")
        self._check_dates(start, end)
        self._started(committed=committed, start=start, end=end)

    @event("Started")
    def _started(self, committed: dict[str, float | None], start: str, end: str) -> None:
        # The annotation is the stored event's schema: unestimated items commit None points.
        self.committed = committed
        self.start = start
        self.end = end
        self.state = SprintState.ACTIVE.value

    def close(self, done: list[str], carried: list[str], carried_to: str | None) -> None:
        if self.state != SprintState.ACTIVE.value:
            raise InvalidTransitionError(f"sprint {self.name!r} is {self.state}, only an active sprint can close")
        self._closed(done=done, carried=carried, carried_to=carried_to)

    @event("Closed")
    def _closed(self, done: list[str], carried: list[str], carried_to: str | None) -> None:
        self.state = SprintState.CLOSED.value
