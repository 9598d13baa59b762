"""The service layer's write side: one eventsourcing Application whose commands take ids and
primitives, then get, call, save. A save that loses a race (someone else wrote the same aggregate
first) reloads and re-decides, a bounded number of times, then reports a clear conflict."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from pmtui.errors import ConflictError, NotFoundError, UserError
from pmtui.store.storage import EventLog, Location, ddl_turn

# Each command imports the aggregates it uses: a process imports only the domain modules its
# commands touch (loading an aggregate imports its module through the events' topics anyway).

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 8


def project(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """eventsourcing's project_aggregate without its ``assert isinstance(event, CanMutateProtocol)``:
    a runtime Protocol check costs ~150 us per event on Python 3.11, most of an aggregate's load."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class PmApplication(Application):
    name = "pmtui"

    # Plumbing ----------------------------------------------------------------------------------
    def load(self, cls: type[A], aggregate_id: UUID | str, what: str) -> A:
        try:
            uuid = UUID(str(aggregate_id))
        except ValueError:
            raise NotFoundError(f"no such {what}: {aggregate_id}") from None
        try:
            # Only a missing aggregate is "not found": an event that fails to decode is a bug to see.
            aggregate = self.repository.get(uuid, projector_func=project)
        except AggregateNotFoundError:
            raise NotFoundError(f"no such {what}: {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no such {what}: {aggregate_id}")
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def decide(self, attempt: Callable[[], tuple[Any, list[Aggregate]]]) -> Any:
        """Run ``attempt`` (load, decide) and save what it changed; on a lost race, again."""
        for attempt_number in range(MAX_ATTEMPTS):
            result, aggregates = attempt()
            try:
                self.save(*aggregates)
            except IntegrityError:
                # Back off a little, at random, so racing writers stop colliding in lockstep.
                time.sleep(random.uniform(0, 0.002 * 2**attempt_number))
                continue
            return result
        raise ConflictError("someone else kept changing the same thing; nothing was written, try again")

    def change(self, cls: type[A], aggregate_id: UUID | str, what: str, fn: Callable[[A], Any]) -> Any:
        def attempt() -> tuple[Any, list[Aggregate]]:
            aggregate = self.load(cls, aggregate_id, what)
            return fn(aggregate), [aggregate]
        return self.decide(attempt)

    # Product and boards ------------------------------------------------------------------------
    def create_product(self, name: str, key_prefix: str, vision: str = "", stage: str = "development",
                       board_name: str = "Main", mode: str = "scrum", columns: list[dict[str, Any]] | None = None) -> UUID:
        from domain.board import Board
        from domain.product import Product

        product = Product.create(name, key_prefix, vision, stage)
        board = Board.create(product.id, board_name, mode, columns)
        # Ids are derived from the key prefix, so two people racing to create it cannot both win.
        self._save_new(f"a product with key prefix {product.key_prefix}", product, board)
        return product.id

    def _save_new(self, what: str, *aggregates: Aggregate) -> None:
        if any(self._exists(a.id) for a in aggregates):
            raise ConflictError(f"{what} exists already")
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConflictError(f"{what} exists already (someone just created it)") from None

    def save_new(self, what: str, aggregate: A) -> UUID:
        """Save a newly created aggregate; ids derived from names make duplicates conflict."""
        self._save_new(what, aggregate)
        return aggregate.id

    # Work items --------------------------------------------------------------------------------
    def add_item(self, product_id: UUID, key_prefix: str, first_number: int, board_id: UUID, title: str,
                 status: str, rank: str, kind: str = "story", wip_count: int = 0, **values: Any) -> tuple[str, str | None]:
        """Create an item under the first free key from ``first_number`` on; returns the key and a
        warning past a soft WIP limit (a hard one refuses). ``wip_count`` is how many cards the
        target column holds now.

        An item's id is derived from its key, so two people taking the same key cannot both save:
        the loser's save conflicts, and the retry probes past the key now taken. (Older logs also
        allocated keys with Product.KeyAllocated events; that made every creation replay them all.)"""
        from domain.board import Board
        from domain.work_item import WorkItem

        number = first_number

        def attempt() -> tuple[tuple[str, str | None], list[Aggregate]]:
            nonlocal number
            board = self.load(Board, board_id, "board")
            column = board.column_named(status)["name"]
            # Epics are not cards: they count towards no column's limit (as in BoardIndex).
            warning = None if kind == "epic" else board.check_wip(column, wip_count + 1)
            while self._exists(WorkItem.create_id(product_id, f"{key_prefix}-{number}")):
                number += 1
            key = f"{key_prefix}-{number}"
            item = WorkItem.create(product_id, board.id, key, title, column, rank, kind, **values)
            return (key, warning), [item]
        return self.decide(attempt)

    def move_item(self, item_id: UUID, status: str, wip_count: int) -> str | None:
        """Move a card; a hard WIP limit refuses, a soft one returns a warning. ``wip_count`` is
        how many cards the target column holds now."""
        from domain.board import Board
        from domain.work_item import WorkItem

        def attempt() -> tuple[str | None, list[Aggregate]]:
            item = self.load(WorkItem, item_id, "item")
            board = self.load(Board, item.board_id, "board")
            column = board.column_named(status)["name"]
            counts = item.kind != "epic" and column != item.status
            warning = board.check_wip(column, wip_count + 1) if counts else None
            item.move(column)
            return warning, [item]
        return self.decide(attempt)

    def change_many(self, cls: type[A], ids: Iterable[UUID | str], what: str, fn: Callable[[A], Any],
                    create: Callable[[], Aggregate] | None = None, created: str = "") -> list[Any]:
        """Apply ``fn`` to each aggregate (after making a new one with ``create``, if given) and
        save them all in one save: a refusal of any of them writes nothing."""
        wanted = list(dict.fromkeys(str(i) for i in ids))

        def attempt() -> tuple[list[Any], list[Aggregate]]:
            new = [create()] if create is not None else []
            if new and self._exists(new[0].id):
                raise ConflictError(f"{created or 'that'} exists already")
            aggregates = [self.load(cls, i, what) for i in wanted]
            results = [fn(a) for a in aggregates]
            return results, new + [a for a in aggregates if a.pending_events]
        return self.decide(attempt)

    def _first_free(self, make_id: Callable[[int], UUID], number: int, count: int, thorough: bool) -> int:
        """The first number from ``number`` on whose ``count`` ids are all free (after a lost race,
        ``thorough`` checks each of them; else only the first)."""
        while any(self._exists(make_id(number + k)) for k in range(count if thorough else 1)):
            number += 1
        return number

    # Feedback and documents ----------------------------------------------------------------------
    def record_notes(self, product_id: UUID, first_number: int, notes: list[dict[str, Any]]) -> list[int]:
        """Record notes under the first free consecutive numbers from ``first_number``, in one save
        (all or none); returns their numbers."""
        from domain.feedback import FeedbackNote

        number, attempts = first_number, 0

        def attempt() -> tuple[list[int], list[Aggregate]]:
            nonlocal number, attempts
            number = self._first_free(lambda n: FeedbackNote.create_id(product_id, n), number, len(notes), attempts > 0)
            attempts += 1
            made = [FeedbackNote.record(product_id, number + k, **fields) for k, fields in enumerate(notes)]
            return [n.number for n in made], list(made)
        return self.decide(attempt)

    def create_document(self, product_id: UUID, first_number: int, **fields: Any) -> int:
        from domain.document import Document

        number = first_number

        def attempt() -> tuple[int, list[Aggregate]]:
            nonlocal number
            number = self._first_free(lambda n: Document.create_id(product_id, n), number, 1, True)
            doc = Document.write(product_id, number, **fields)
            return number, [doc]
        return self.decide(attempt)

    def close_sprint(self, sprint_id: UUID, done: list[str], unfinished: list[str], carry_to: UUID | None) -> None:
        from domain.sprint import Sprint
        from domain.work_item import WorkItem

        def attempt() -> tuple[None, list[Aggregate]]:
            sprint = self.load(Sprint, sprint_id, "sprint")
            changed: list[Aggregate] = [sprint]
            if carry_to is not None:
                target = self.load(Sprint, carry_to, "sprint")
                if target.state == "closed" or target.id == sprint.id:
                    raise ConflictError(f"cannot carry items over to sprint {target.name!r}: it is {target.state}")
            sprint.close(done=done, carried=unfinished, carried_to=None if carry_to is None else str(carry_to))
            for item_id in unfinished:
                item = self.load(WorkItem, item_id, "item")
                if not item.archived:
                    item.edit(sprint=None if carry_to is None else str(carry_to))
                    changed.append(item)
            return None, changed
        return self.decide(attempt)


__all__ = ["PmApplication"]


# The composition root: the one place that picks the store and wires the application to it ------
def open_application(location: Location, create_tables: bool = True) -> PmApplication:
    """The store's application (its recorder, mapper and chain chosen by ``location``).
    ``create_tables=False`` for a store known to hold them all (``storage.tables_ready``): its
    statements and their transaction are skipped."""
    try:
        if not create_tables:
            return PmApplication(env={**location.env, "CREATE_TABLE": "n"})
        with ddl_turn(location):
            return PmApplication(env=location.env)
    except UserError:
        raise
    except Exception as error:  # the store could not be opened: say where and why, in one line
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"cannot open the store at {location.describe()}: {detail}") from error


@contextmanager
def opened_log(location: Location) -> Iterator[EventLog]:
    """The log alone, without the Workbench and its read model's catch-up: for verify, rebuild and
    store info, which must open a store whose read model cannot be folded, or is being rebuilt."""
    app = open_application(location)
    log = EventLog(app, location)
    try:
        yield log
    finally:
        log.close()
        app.close()
