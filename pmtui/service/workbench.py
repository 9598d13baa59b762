"""The workbench: the one facade the CLI, the TUI and the SSH sessions call.

Commands take keys and names (``PM-12``, ``Sprint 14``), resolve them through the read model,
check the caller's role, and run the application's command attributed to the caller (actor,
reason, and for imported or generated history, the time it occurred). Queries return read models,
now or as of any point in the log.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID


import msgspec

from domain.rank import rank_between
from domain.values import Role, iso_date
from pmtui.errors import NotFoundError, PermissionDeniedError, UserError
from pmtui.service.evidence import EvidenceCommands
from pmtui.store.readmodel import BoardOrder, Point, StoredWorkspace, catch_up, open_read_model
from pmtui.store.storage import EventLog, Location, exclusive, locate, tables_ready
from pmtui.timespec import AsOf, parse_as_of
from projections.backlog_view import find_epic
from projections.board_view import default_board
from projections.kpi_series import find_kpi
from projections.okr_progress import find_objective
from projections.records import EventRecord
from projections.roadmap_view import find_roadmap_item
from projections.sprint_view import active_sprint, done_columns, find_sprint, next_planned
from projections.state import BoardView, ItemView, ProductView, SprintView, Workspace

if TYPE_CHECKING:
    from pmtui.service import undo as undoing
    from pmtui.store.log_pages import LogPages
    from pmtui.service.application import PmApplication

# The domain's aggregates are imported by the commands that use them, not here: creating the
# event classes of every aggregate costs more than a whole command (a write imports only its own).

FUTURE_SLACK = 300.0  # seconds a measurement's time may run ahead of this clock (another host's clock)


def labels_spec(current: list[str], spec: str) -> list[str]:
    """``+a -b`` adds and removes; ``a,b`` (or ``a b``) replaces; ``-`` alone clears."""
    words = spec.replace(",", " ").split()
    if words == ["-"]:
        return []
    if words and all(w[0] in "+-" for w in words):
        labels = list(current)
        for word in words:
            name = word[1:]
            if word[0] == "+" and name not in labels:
                labels.append(name)
            elif word[0] == "-" and name in labels:
                labels.remove(name)
        return labels
    return words


def default_actor() -> str:
    actor = os.environ.get("PMTUI_ACTOR")
    if actor:
        return actor
    import getpass  # here: it imports termios and pwd, for the login name alone

    return getpass.getuser()


def _open_application(location: Location, create_tables: bool) -> Any:
    """The composition root's opener, imported when a command first needs the application (a
    query never does: it reads the tables alone)."""
    from pmtui.service.application import open_application

    return open_application(location, create_tables=create_tables)


class Workbench(EvidenceCommands):
    def __init__(self, db: str | None = None, actor: str | None = None, role: str | None = None,
                 location: Location | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """``progress(done, total)`` hears of a long first fold of the read model (a store made by
        an older pmtui builds its tables once, on open)."""
        self.location = location or locate(db)
        # The eventsourcing application is opened by the first command that needs it: a query on
        # a SQLite store reads the tables through connections of its own and never imports it.
        # The log is made first (it opens nothing yet) so that the tables are looked for through
        # its connection: a command opens the store once.
        self._tables_ready = False
        self.log = EventLog(lambda: _open_application(self.location, not self._tables_ready), self.location)
        ready = self._tables_ready = tables_ready(self.location, self.log)
        if not ready:
            self.log.app  # noqa: B018 - opening it makes the store's tables (a new store, an older one)
        self.actor = (actor or default_actor()).strip() or "unknown"
        self.role = Role.parse(role or os.environ.get("PMTUI_ROLE") or "admin")
        self._history_actor: str | None = None
        self._occurred: datetime | None = None
        self._history_reason: str | None = None
        self.read = open_read_model(self.log)
        self._now: StoredWorkspace | None = None
        self._seen = -1
        self.last_warning: str | None = None  # a soft WIP limit passed by the last add_item
        self.integrity_warning = self._check_chain_tail()
        self.catch_up(progress)
        self.refresh()

    def _check_chain_tail(self) -> str | None:
        """One line if the hash chain does not hold at the log's end (see ``pmtui.store.verify``)."""
        from pmtui.store.verify import check_tail  # verify imports the read model, which imports this module's peers
        try:
            problem = check_tail(self.log)
        except Exception as error:  # noqa: BLE001 - a store too damaged to look at says so, no more
            problem = f"its end cannot be read ({type(error).__name__})"
        return None if problem is None else f"warning: the store's hash chain is broken: {problem}; run `pmtui verify`"

    # Read model (pmtui/store/readmodel.py: tables in the store, written with the events) ------------
    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Fold into the tables whatever events they have not seen (a store made by an older
        pmtui builds them once here). Returns how many events were folded."""
        behind = self.log.max_seq() - self.read.position()
        if behind <= 0:
            return 0
        return catch_up(self.log, progress)

    def refresh(self) -> int:
        """Notice events written since the last look (by anyone). Returns how many."""
        position = self.read.position()
        new = position - self._seen if self._seen >= 0 else 0
        if position != self._seen:
            before, self._seen = self._seen, position
            if self._now is not None and before < position:
                # Keep what was read and re-read only the rows the new events changed.
                touched = self.read.touched_between(before, position, limit=2000)
                self._now = None if touched is None else self._now.advanced(Point(pos=position), touched)
            else:
                self._now = None
        return new

    @property
    def app(self) -> PmApplication:
        """The store's eventsourcing application (its commands, its recorder), opened when first used."""
        return self.log.app  # type: ignore[return-value]

    def close(self) -> None:
        self.read.close()
        self.log.close()
        if self.log.opened:
            self.log.app.close()

    @property
    def now(self) -> StoredWorkspace:
        # Pinned to the last event seen by ``refresh``: a view drawn from it never mixes in rows
        # another writer commits meanwhile (versions valid at the last event are the open ones
        # and the few closed since: the same index range as the open rows alone).
        if self._now is None:
            self._now = self.read.workspace(Point(pos=max(self._seen, 0)))
        return self._now

    @property
    def position(self) -> int:
        """The number of the last event the read model holds."""
        return max(self._seen, 0)

    @property
    def board_index(self) -> BoardOrder:
        """The boards' rank order and WIP counts now, read from the store's indexes."""
        return BoardOrder(self.read)

    def view(self, as_of: AsOf | str | None = None) -> StoredWorkspace:
        """The workspace now, or as of an event number or a moment."""
        point = as_of if isinstance(as_of, AsOf) else parse_as_of(as_of)
        if point.is_now:
            return self.now
        if point.event is not None:
            last = self.read.position()
            if point.event > last:
                raise UserError(f"there is no event #{point.event} yet (the last is #{last})")
            return self.read.workspace(Point(pos=point.event))
        assert point.moment is not None
        return self.read.workspace(Point(moment=point.moment))

    def records(self, after: int = 0, upto: int | None = None) -> Iterator[EventRecord]:
        return self.log.records(after, upto)

    def records_of(self, aggregate_id: str) -> list[EventRecord]:
        return self.log.records_of(aggregate_id)

    def records_numbered(self, seqs: Iterable[int]) -> list[EventRecord]:
        """The records of these event numbers, oldest first, looked up by number (a page of
        history, never the whole log)."""
        return self.log.records_by_seq(list(seqs))

    def history_order(self, ws: Workspace, moment: float | None = None, *, actor: str = "", kind: str = "",
                      since: float | None = None, until: float | None = None, aggregates: Sequence[str] = (),
                      size: int | None = None) -> LogPages:
        """Event numbers of the history as of ``ws`` (and ``moment``), newest first by when they
        took effect, through the filters (``aggregates``: only these things' events): paged from
        the read model's log, ``size`` at a time, read as they are asked for."""
        from pmtui.store.log_pages import PAGE, LogPages

        return LogPages(self.read, ws.position, moment, actor=actor, kind=kind, since=since, until=until,
                        aggregates=aggregates, size=size or PAGE)

    # Lookups -----------------------------------------------------------------------------------
    def product(self, ws: Workspace | None = None) -> ProductView:
        product = (ws or self.now).product
        if product is None:
            raise NotFoundError("there is no product yet: run `pmtui product init NAME --key KEY` or `pmtui demo`")
        return product

    def board(self, name: str | None = None, ws: Workspace | None = None) -> BoardView:
        ws = ws or self.now
        if name:
            for board in ws.boards.values():
                if board.name.lower() == name.strip().lower() or board.id == name:
                    return board
            raise NotFoundError(f"no board named {name!r} (boards: {', '.join(b.name for b in ws.boards.values())})")
        board = default_board(ws)
        if board is None:
            raise NotFoundError("there is no board yet: run `pmtui product init NAME --key KEY` or `pmtui demo`")
        return board

    def item(self, key: str, ws: Workspace | None = None) -> ItemView:
        item = (ws or self.now).item_by_key(str(key))
        if item is None:
            raise NotFoundError(f"no item {key!r}")
        return item

    def sprint(self, name: str | None = None, ws: Workspace | None = None) -> SprintView:
        ws = ws or self.now
        if name is None:
            sprint = active_sprint(ws)
            if sprint is None:
                raise NotFoundError("no sprint is active; name one (see `pmtui sprint list`)")
            return sprint
        sprint = find_sprint(ws, name)
        if sprint is None:
            raise NotFoundError(f"no sprint named {name!r}")
        return sprint

    # Attribution and permissions ---------------------------------------------------------------
    @contextmanager
    def recorded_as(self, actor: str | None = None, occurred: datetime | None = None,
                    reason: str | None = None) -> Iterator[None]:
        """Commands inside this block are attributed to ``actor``, marked as having occurred at
        ``occurred`` (imported or generated history) and, unless they give their own, carry
        ``reason``. The recorded time stays the real clock."""
        saved = self._history_actor, self._occurred, self._history_reason
        self._history_actor, self._occurred, self._history_reason = actor, occurred, reason
        try:
            yield
        finally:
            self._history_actor, self._occurred, self._history_reason = saved

    def require(self, needed: str) -> None:
        order = ["viewer", "editor", "admin"]
        if order.index(self.role) < order.index(needed):
            article = "an" if self.role[0] in "aeiou" else "a"
            raise PermissionDeniedError(
                f"{self.actor} is {article} {self.role}: "
                f"{'changing users and roles needs' if needed == 'admin' else 'changes need'} the {needed} role"
            )

    def execute(self, fn: Callable[[], Any], reason: str = "", needs: str = "editor",
                undoes: int | None = None, redoes: int | None = None) -> Any:
        """Run a command (``fn`` decides and saves) as this actor, with the role it ``needs``; the
        events it writes carry ``reason`` and, for an undo or redo, the event number reversed."""
        from domain.base import attributed
        self.require(needs)
        self.refresh()
        with attributed(self._history_actor or self.actor, reason or self._history_reason or "", self._occurred,
                        undoes, redoes):
            result = fn()
        self.refresh()
        return result

    def create(self, make: Callable[[], Any], what: str, reason: str = "", needs: str = "editor") -> Any:
        """Create an aggregate (inside the attribution, so its first event names the actor) and save it."""
        def create() -> Any:
            aggregate = make()
            self.app.save_new(what, aggregate)
            return aggregate
        return self.execute(create, reason, needs)

    def _create_numbered(self, table: str, make: Callable[[int], Any], what: str, reason: str = "") -> Any:
        """Create a thing with a display number (S-n, RM-n, O-n) fixed in its Created event: the
        next number is read and the thing saved under one lock of the store, so two people creating
        at once never get the same number."""
        with exclusive(self.location, f"numbers {table}"):
            return self.create(lambda: make(self.read.next_number(table)), what, reason)

    def _change_item(self, item_id: str, command: str, *args: Any, reason: str = "", **kwargs: Any) -> Any:
        """``WorkItem.<command>(*args, **kwargs)`` on one item, saved: on SQLite through the quick
        path (pmtui/service/item_writes.py: the same rules and stored events, no eventsourcing),
        else (or for a history that path does not fold) through the application."""
        if self.location.kind == "sqlite":
            from pmtui.service import item_writes

            done = self._execute_quick(lambda attribution: item_writes.change(
                self.log.connection(), item_id, command, args, kwargs, attribution), reason)
            if done is not item_writes.FALLBACK:
                return done
        from domain.work_item import WorkItem

        return self._change(WorkItem, item_id, "item", getattr(WorkItem, command), *args, reason=reason, **kwargs)

    def _execute_quick(self, fn: Callable[[tuple[str, str, datetime | None]], Any], reason: str = "",
                       needs: str = "editor") -> Any:
        """``execute`` for a command that writes its events itself: ``fn`` gets the attribution
        (actor, reason, occurred) that ``execute`` would set for the aggregates' events."""
        self.require(needs)
        self.refresh()
        result = fn((self._history_actor or self.actor, reason or self._history_reason or "", self._occurred))
        self.refresh()
        return result

    def _change(self, cls: type, aggregate_id: str | UUID, what: str, command: Callable[..., Any], *args: Any,
                reason: str = "", **kwargs: Any) -> Any:
        """Run one aggregate's command (a plain method of ``cls``, e.g. ``WorkItem.edit``) and save."""
        return self.execute(
            lambda: self.app.change(cls, aggregate_id, what, lambda agg: command(agg, *args, **kwargs)),
            reason,
        )

    # Undo and redo (compensating events; see pmtui/service/undo.py) -------------------------------------
    def history_batch(self, reason: str) -> Any:
        """A ``HistoryBatch`` (pmtui/service/batch.py): commands replayed from another system's history,
        decided in memory by the same aggregates and appended many events per transaction on
        ``commit()``. Imports use it; what it writes is folded like any command's events."""
        from pmtui.service.batch import HistoryBatch
        return HistoryBatch(self, reason)

    def undo(self, reason: str = "") -> str:
        """Reverse this actor's last change with a new event; returns what was done."""
        from pmtui.service import undo as undoing
        return undoing.undo(self, reason).description

    def undo_list(self, limit: int = 10) -> list[undoing.Pending]:
        """What ``undo`` would reverse next, newest first, each with why it cannot (if it cannot)."""
        from pmtui.service import undo as undoing
        return undoing.pending(self, limit)

    def redo(self, reason: str = "") -> str:
        """Reverse this actor's last undo with a new event; returns what was done."""
        from pmtui.service import undo as undoing
        return undoing.redo(self, reason).description

    # Product and board -------------------------------------------------------------------------
    def init_product(self, name: str, key: str, vision: str = "", stage: str = "development",
                     mode: str = "scrum", board_name: str = "Main", reason: str = "",
                     columns: list[dict[str, Any]] | None = None) -> UUID:
        if self.now.product is not None:
            raise UserError(f"this store already holds the product {self.now.product.name!r}")
        return self.execute(lambda: self.app.create_product(name, key, vision, stage, board_name, mode, columns),
                         reason, "admin")

    def add_board(self, name: str, mode: str = "kanban", columns: list[dict[str, Any]] | None = None,
                  reason: str = "") -> str:
        """A further board of the product (an imported Trello board, another team's flow)."""
        from domain.board import Board
        product_id = UUID(self.product().id)
        board = self.create(lambda: Board.create(product_id, name, mode, columns), "a board of that name", reason)
        return board.name

    def edit_product(self, reason: str = "", **values: Any) -> None:
        from domain.product import Product
        self._change(Product, self.product().id, "product", Product.edit, reason=reason, **values)

    def add_column(self, name: str, category: str = "doing", wip: int | None = None, hard: bool = False,
                   position: int | None = None, board: str | None = None, reason: str = "") -> None:
        from domain.board import Board
        self._change(Board, self.board(board).id, "board", Board.add_column, name, category, wip, hard, position, reason=reason)

    def rename_column(self, old: str, new: str, board: str | None = None, reason: str = "") -> None:
        from domain.board import Board
        b = self.board(board)
        if self._items_in_column(b.id, old):
            # Items keep their column by name: move them along with the rename.
            raise UserError(f"column {old!r} holds items: move them out before renaming it")
        self._change(Board, b.id, "board", Board.rename_column, old, new, reason=reason)

    def remove_column(self, name: str, board: str | None = None, reason: str = "") -> None:
        from domain.board import Board
        b = self.board(board)
        self._change(Board, b.id, "board", Board.remove_column, name, self._items_in_column(b.id, name), reason=reason)

    def move_column(self, name: str, position: int, board: str | None = None, reason: str = "") -> None:
        """Reorder the workflow: the column goes to ``position`` (0 first). Items keep their column."""
        from domain.board import Board
        self._change(Board, self.board(board).id, "board", Board.move_column, name, position, reason=reason)

    def _items_in_column(self, board_id: str, name: str) -> int:
        """The items (epics too; archived ones not) whose column this is, named as the domain
        matches names (any case): a rename or removal would leave them in no column. Rare
        commands: a scan."""
        wanted = name.strip().lower()
        return sum(1 for i in self.now.items.values()
                   if i.board_id == board_id and i.status.lower() == wanted and not i.archived)

    def set_wip_limit(self, column: str, limit: int | None, hard: bool = False, board: str | None = None,
                      reason: str = "") -> None:
        from domain.board import Board
        self._change(Board, self.board(board).id, "board", Board.set_wip_limit, column, limit, hard, reason=reason)

    def set_swimlanes(self, by: str, board: str | None = None, reason: str = "") -> None:
        from domain.board import Board
        self._change(Board, self.board(board).id, "board", Board.set_swimlanes, by, reason=reason)

    # Work items --------------------------------------------------------------------------------
    def _resolve_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """Turn the names users type (epic key, sprint and release names) into ids."""
        ws = self.now
        out = dict(values)
        if out.get("parent"):
            parent = find_epic(ws, out["parent"])
            if parent is None:
                raise NotFoundError(f"no epic {out['parent']!r} (give its key, as AC-5, or its title)")
            if parent.kind != "epic":
                raise UserError(f"{parent.key} is a {parent.kind}, not an epic: only epics can be parents")
            out["parent"] = parent.id
        if out.get("sprint"):
            out["sprint"] = self.sprint(out["sprint"]).id
        if out.get("release"):
            release = next((r for r in ws.releases.values() if r.name.lower() == str(out["release"]).lower()), None)
            if release is None:
                raise NotFoundError(f"no release named {out['release']!r}")
            out["release"] = release.id
        if out.get("assignee") == "me":
            out["assignee"] = self.actor
        return out

    def add_item(self, title: str, kind: str = "story", status: str | None = None, top: bool = False,
                 board: str | None = None, reason: str = "", **values: Any) -> str:
        """Create an item; a hard WIP limit of its column refuses it as it refuses a move there."""
        b = self.board(board)
        low, high = self.board_index.extremes(b.id)
        rank = rank_between(None, low) if top and low else rank_between(high, None)
        fields = self._resolve_fields(values)
        if fields.get("sprint"):
            self._check_sprint_member(None, self.now.sprints[fields["sprint"]], kind=kind, status=status)
        product = self.product()
        column = b.column(status) if status else b.columns[0]
        target = column["name"] if column else (status or b.columns[0]["name"])

        def add() -> str:
            key, self.last_warning = self.app.add_item(
                UUID(product.id), product.key_prefix, self.now.products[product.id].last_number + 1, UUID(b.id),
                title, target, rank, kind, self.board_index.count(b.id, target), **fields)
            return key

        def add_quick(attribution: tuple[str, str, datetime | None]) -> str:
            from pmtui.service import item_writes

            key, self.last_warning = item_writes.add(
                self.log.connection(), product.id, product.key_prefix, self.now.products[product.id].last_number + 1,
                b.id, title, target, rank, kind, self.board_index.count(b.id, target), self._board_columns,
                attribution, **fields)
            return key
        with self._wip_lock(b.id, [target]):
            if self.location.kind == "sqlite":  # the quick path (pmtui/service/item_writes.py)
                return self._execute_quick(add_quick, reason)
            return self.execute(add, reason)

    @contextmanager
    def _wip_lock(self, board_id: str, columns: list[str]) -> Iterator[None]:
        """Hold the board's WIP lock if any of ``columns`` has a hard limit.

        A hard limit holds among everyone: the count (after folding every change saved so far)
        and the change are made under one lock of the board, so two people putting different
        cards into the last free place cannot both get in."""
        board = self.now.boards.get(board_id)
        hard = board is not None and any(
            (col := board.column(name)) is not None and col["hard"] and col["wip"] is not None for name in columns)
        if not hard:
            yield
            return
        with exclusive(self.location, f"wip {board_id}"):
            yield

    def edit_item(self, key: str, reason: str = "", **values: Any) -> None:
        item = self.item(key)
        fields = self._resolve_fields(values)
        if fields.get("sprint") and fields["sprint"] != item.sprint:
            self._check_sprint_member(item, self.now.sprints[fields["sprint"]], kind=fields.get("kind"))
        self._change_item(item.id, "edit", reason=reason, **fields)

    def move_item(self, key: str, column: str, reason: str = "") -> str | None:
        """Move a card to a column; returns a warning past a soft WIP limit."""
        item = self.item(key)
        target = self.now.boards[item.board_id].column(column)
        name = target["name"] if target else column
        with self._wip_lock(item.board_id, [name]):
            # The count is read inside the command, after it has folded every change saved so far.
            if self.location.kind == "sqlite":
                from pmtui.service import item_writes

                done = self._execute_quick(lambda attribution: item_writes.move(
                    self.log.connection(), item.id, column, self.board_index.count(item.board_id, name),
                    self._board_columns, attribution), reason)
                if done is not item_writes.FALLBACK:
                    return done
            return self.execute(
                lambda: self.app.move_item(UUID(item.id), column, self.board_index.count(item.board_id, name)), reason)

    def _board_columns(self, board_id: str) -> tuple[str, list[dict[str, Any]]]:
        """A board's name and columns as stored now (the read model's row, read afresh)."""
        board = self.read.view("boards", board_id, Point())
        if board is None:
            raise NotFoundError(f"no such board: {board_id}")
        return board.name, board.columns

    def edit_items(self, keys: list[str], reason: str = "", status: str | None = None,
                   sprint: str | None = None, labels: str | None = None, **values: Any) -> str | None:
        """A bulk edit, all or nothing: the same field values (and column, and sprint: a name, or
        "" for none) for every item; ``labels`` is ``+a -b`` to add and remove, ``a,b`` to
        replace, ``-`` to clear. Every item is checked first (WIP limits counting all the moved
        cards together), then all are saved at once. Returns a warning past a soft WIP limit."""
        from domain.board import Board
        from domain.work_item import WorkItem
        items = list({i.id: i for i in (self.item(k) for k in keys)}.values())
        if not items:
            raise UserError("no items to edit")
        fields = self._resolve_fields(values)
        sprint_id: str | None = None
        if sprint is not None:
            sprint_id = self.sprint(sprint).id if sprint.strip() not in ("", "-") else None
            if sprint_id is not None:
                for item in items:
                    if item.sprint != sprint_id:
                        self._check_sprint_member(item, self.now.sprints[sprint_id], kind=fields.get("kind"))
        boards = {i.board_id for i in items}
        targets: dict[str, str] = {}
        if status:
            for board_id in boards:
                column = self.now.boards[board_id].column(status)
                if column is None:
                    names = ", ".join(self.now.boards[board_id].column_names)
                    raise UserError(f"board {self.now.boards[board_id].name!r} has no column {status!r} (columns: {names})")
                targets[board_id] = column["name"]
        by_id = {i.id: i for i in items}
        warnings: list[str] = []

        def run() -> None:
            # Cards entering each target column, counted together against its WIP limit.
            counts = {b: self.board_index.count(b, c) for b, c in targets.items()}
            arriving = {b: sum(1 for i in items if i.board_id == b and i.status != c and i.kind != "epic"
                               and (fields.get("kind") or i.kind) != "epic")
                        for b, c in targets.items()}
            boards_of = {b: self.app.load(Board, b, "board") for b in targets}
            for b, c in targets.items():
                if arriving[b]:
                    warning = boards_of[b].check_wip(c, counts[b] + arriving[b])
                    if warning:
                        warnings.append(warning)

            def change(aggregate: WorkItem) -> None:
                view = by_id[str(aggregate.id)]
                changes = dict(fields)
                if labels:
                    changes["labels"] = labels_spec(list(aggregate.labels), labels)
                if sprint is not None:
                    changes["sprint"] = sprint_id
                changes = {k: v for k, v in changes.items() if getattr(aggregate, k) != v}
                if changes:
                    aggregate.edit(**changes)
                if view.board_id in targets and aggregate.status != targets[view.board_id]:
                    aggregate.move(targets[view.board_id])
            self.app.change_many(WorkItem, by_id, "item", change)
        with ExitStack() as stack:
            for board_id, column in targets.items():
                stack.enter_context(self._wip_lock(board_id, [column]))
            self.execute(run, reason)
        return warnings[0] if warnings else None

    def step_item(self, key: str, step: int, reason: str = "") -> str | None:
        """Move a card one column left (-1) or right (+1)."""
        item = self.item(key)
        names = self.now.boards[item.board_id].column_names
        index = names.index(item.status) if item.status in names else 0
        target = index + step
        if not 0 <= target < len(names):
            raise UserError(f"{item.key} is in the {'first' if step < 0 else 'last'} column already")
        return self.move_item(key, names[target], reason)

    def rank_item(self, key: str, where: str, other: str | None = None, reason: str = "",
                  scope: Callable[[ItemView], bool] | None = None) -> None:
        """Rank an item: ``top``, ``bottom``, ``up``, ``down``, or ``before``/``after`` another.

        ``scope`` limits the peers to the neighbours a user sees (e.g. the same board column)."""
        item = self.item(key)
        if item.archived:
            raise UserError(f"{item.key} is archived: restore it before ranking it")
        if where in ("before", "after") and other is not None and self.item(other).id == item.id:
            raise UserError(f"cannot rank {item.key} {where} itself")
        index = self.board_index

        def is_peer(i: ItemView) -> bool:  # the item's neighbours as the user sees them
            return not i.archived and (scope is None or scope(i))

        if where in ("top", "bottom"):
            new = self._rank_at_end(index, item, where, is_peer)
        elif where in ("up", "down"):
            new = self._rank_one_step(index, item, where, is_peer)
        elif where in ("before", "after"):
            new = self._rank_next_to(index, item, self.item(other or ""), where, is_peer)
        else:
            raise UserError(f"rank where? top, bottom, up, down, before or after (got {where!r})")
        if new is None:
            raise UserError(f"{item.key} is at the {'top' if where in ('top', 'up') else 'bottom'} already")
        self._change_item(item.id, "rerank", new, reason=reason)

    # Ranking walks the board's order from the item outwards: it costs the distance to the
    # nearest peers, not a sort of the whole board.
    @staticmethod
    def _rank_at_end(index: BoardOrder, item: ItemView, where: str,
                     is_peer: Callable[[ItemView], bool]) -> str | None:
        """A rank above the topmost (below the bottommost) peer; None if that peer is the item."""
        walk = "down" if where == "top" else "up"  # from the edge the item goes to
        edge = index.nearest(item.board_id, None, walk, lambda i: i.id == item.id or is_peer(i))
        if not edge or edge[0].id == item.id:
            return None
        return rank_between(None, edge[0].rank) if where == "top" else rank_between(edge[0].rank, None)

    # Two cards can hold the same rank (an open-ended step can land on a card outside the user's
    # scope); no rank lies strictly between equal ones, so the far bound of a move is the nearest
    # peer whose rank differs: the card then passes the whole tied group.
    @staticmethod
    def _rank_one_step(index: BoardOrder, item: ItemView, where: str,
                       is_peer: Callable[[ItemView], bool]) -> str | None:
        """A rank between the next two peers above (below) the item; None if there is none."""
        walk = "up" if where == "up" else "down"
        passed = index.nearest(item.board_id, item.id, walk, is_peer)
        if not passed:
            return None
        rank = passed[0].rank
        beyond = index.nearest(item.board_id, item.id, walk,
                               lambda i: is_peer(i) and (i.rank < rank if where == "up" else i.rank > rank))
        far = beyond[0].rank if beyond else None
        return rank_between(far, rank) if where == "up" else rank_between(rank, far)

    @staticmethod
    def _rank_next_to(index: BoardOrder, item: ItemView, target: ItemView, where: str,
                      is_peer: Callable[[ItemView], bool]) -> str:
        """A rank between ``target`` and its nearest other peer above (``before``) or below it."""
        if target.board_id != item.board_id or target.id == item.id or not is_peer(target):
            raise UserError(f"{target.key} is not on the same board as {item.key}")
        other_peer = lambda i: i.id != item.id and is_peer(i)  # noqa: E731 - the item leaves its place
        if where == "before":
            above = index.nearest(item.board_id, target.id, "up", lambda i: other_peer(i) and i.rank < target.rank)
            return rank_between(above[0].rank if above else None, target.rank)
        below = index.nearest(item.board_id, target.id, "down", lambda i: other_peer(i) and i.rank > target.rank)
        return rank_between(target.rank, below[0].rank if below else None)

    def archive_item(self, key: str, reason: str = "") -> None:
        self._change_item(self.item(key).id, "archive", reason=reason)

    def restore_item(self, key: str, reason: str = "") -> None:
        self._change_item(self.item(key).id, "restore", reason=reason)

    def comment(self, key: str, text: str, reason: str = "") -> None:
        self._change_item(self.item(key).id, "comment", text, reason=reason)

    def link(self, key: str, kind: str, other: str, remove: bool = False, reason: str = "") -> None:
        item, target = self.item(key), self.item(other)
        if remove:
            self._change_item(item.id, "unlink", target.id, target.key, reason=reason)
        else:
            self._change_item(item.id, "link", kind, target.id, target.key, reason=reason)

    # Sprints -----------------------------------------------------------------------------------
    def sprint_refusal(self, item: ItemView | None, sprint: SprintView, kind: str | None = None,
                       status: str | None = None) -> str | None:
        """Why an item (or a new one of ``kind`` in column ``status``) may not join ``sprint``; None
        if it may. The one rule of sprint membership, for the CLI, the TUI's planning list and
        importers alike."""
        ws = self.now
        kind = kind or (item.kind if item else "story")
        name = item.key if item else "a new item"
        if sprint.state == "closed":
            return f"sprint {sprint.name!r} is closed"
        if kind == "epic":
            return f"{name} is an epic: epics stay out of sprints (put its stories in)"
        if item is None:
            board = ws.boards.get(sprint.board_id)
            column = board.column(status) if board and status else None
            if column is not None and column["category"] == "done":
                return f"{name} in {column['name']} would be done already: only unfinished work joins a sprint"
            return None
        if item.board_id != sprint.board_id:
            return f"{item.key} is on another board than sprint {sprint.name!r}"
        if item.archived:
            return f"{item.key} is archived: restore it first"
        # Replayed history (an import) keeps its facts: in Jira a done item may join a sprint.
        if self._occurred is None and item.status in done_columns(ws, sprint.board_id):
            return f"{item.key} is done already ({item.status}): only unfinished work joins a sprint"
        return None  # moving between sprints is fine: the burndowns record it as scope changes

    def _check_sprint_member(self, item: ItemView | None, sprint: SprintView, kind: str | None = None,
                             status: str | None = None) -> None:
        why = self.sprint_refusal(item, sprint, kind, status)
        if why:
            raise UserError(f"cannot put {item.key if item else 'it'} into sprint {sprint.name!r}: {why}"
                            if not why.startswith("sprint ") else why)

    def plan_sprint(self, name: str, goal: str = "", start: str | None = None, end: str | None = None,
                    board: str | None = None, reason: str = "", items: list[str] | None = None) -> str:
        """Plan a sprint, with ``items`` in it: all or nothing (a bad key plans nothing)."""
        from domain.sprint import Sprint
        from domain.work_item import WorkItem
        b = self.board(board)
        views = [self.item(key) for key in items or []]
        probe = SprintView(id="", board_id=b.id, name=name, number=0, goal="", start=None, end=None, state="planned")
        for view in views:
            self._check_sprint_member(view, probe)
        made: list[Sprint] = []

        def make() -> Sprint:
            made[:] = [Sprint.plan(UUID(b.id), name, goal, start, end, self.read.next_number("sprints"))]
            return made[0]

        def run() -> None:
            self.app.change_many(WorkItem, [v.id for v in views], "item",
                                 lambda item: item.edit(sprint=str(made[0].id)), create=make,
                                 created="a sprint of that name")
        # The display number is read and the sprint saved under one lock (see _create_numbered).
        with exclusive(self.location, "numbers sprints"):
            self.execute(run, reason)
        return made[0].name

    def edit_sprint(self, sprint_name: str, /, reason: str = "", **values: Any) -> None:
        """Change a sprint's goal, dates or ``name`` (a rename)."""
        from domain.sprint import Sprint
        self._change(Sprint, self.sprint(sprint_name).id, "sprint", Sprint.edit, reason=reason, **values)

    def add_to_sprint(self, name: str, keys: list[str], reason: str = "") -> None:
        """Put items into a sprint: all or nothing."""
        from domain.work_item import WorkItem
        sprint = self.sprint(name)
        views = [self.item(key) for key in keys]
        for view in views:
            if view.sprint != sprint.id:
                self._check_sprint_member(view, sprint)
        moving = [v.id for v in views if v.sprint != sprint.id]
        if not moving:
            raise UserError(f"{', '.join(v.key for v in views)} {'is' if len(views) == 1 else 'are'} in sprint "
                            f"{sprint.name!r} already")
        self.execute(lambda: self.app.change_many(WorkItem, moving, "item", lambda i: i.edit(sprint=sprint.id)),
                     reason)

    def remove_from_sprint(self, keys: list[str], reason: str = "") -> None:
        """Take items out of their sprint: all or nothing."""
        from domain.work_item import WorkItem
        views = [self.item(key) for key in keys]
        leaving = [v.id for v in views if v.sprint is not None]
        if not leaving:
            raise UserError(f"{', '.join(v.key for v in views)}: in no sprint")
        self.execute(lambda: self.app.change_many(WorkItem, leaving, "item", lambda i: i.edit(sprint=None)), reason)

    def start_sprint(self, name: str, start: str | None = None, end: str | None = None, reason: str = "") -> None:
        """Start a planned sprint today (or on ``start``). Like Jira's start dialog, the planned
        window moves to the real start: it keeps its planned length unless ``end`` is given.
        A column holding the sprint's items over its hard WIP limit refuses the start."""
        from domain.board import Board
        from domain.sprint import Sprint
        ws = self.now
        sprint = self.sprint(name)
        running = active_sprint(ws, sprint.board_id)
        if running is not None and running.id != sprint.id and sprint.state == "planned":
            raise UserError(f"sprint {running.name!r} is still active: close it first")
        members = [i for i in ws.items.values() if i.sprint == sprint.id and not i.archived]
        committed = {i.id: i.points for i in members}
        today = (self._occurred or datetime.now(timezone.utc)).astimezone().date()
        start_day = date.fromisoformat(iso_date(start, "start") or today.isoformat())
        if end:
            end_day = date.fromisoformat(iso_date(end, "end") or "")
        else:
            length = 13
            if sprint.start and sprint.end:
                length = date.fromisoformat(sprint.end).toordinal() - date.fromisoformat(sprint.start).toordinal()
            end_day = date.fromordinal(start_day.toordinal() + max(length, 0))
        board_view_ = ws.boards[sprint.board_id]
        columns = sorted({i.status for i in members if i.kind != "epic"})

        def begin(aggregate: Sprint) -> None:
            board = self.app.load(Board, sprint.board_id, "board")
            for column in columns:
                # Starting commits the team to these cards: a column already past its hard limit
                # must be cleared first (a limit lowered, or history imported, can leave it there).
                if board_view_.column(column) is not None:
                    board.check_wip(column, self.board_index.count(sprint.board_id, column))
            aggregate.begin(committed, start_day.isoformat(), end_day.isoformat())
        self._change(Sprint, sprint.id, "sprint", begin, reason=reason)

    def close_sprint(self, name: str | None = None, carry_to: str = "backlog", reason: str = "") -> dict[str, Any]:
        """Close a sprint; unfinished items go to ``carry_to``: ``backlog``, ``next`` or a sprint name."""
        ws = self.now
        sprint = self.sprint(name)
        finished = done_columns(ws, sprint.board_id)
        items = [i for i in ws.items.values() if i.sprint == sprint.id and not i.archived]
        done = [i.id for i in items if i.status in finished]
        unfinished = [i.id for i in items if i.status not in finished]
        target: SprintView | None = None
        if carry_to == "next":
            target = next_planned(ws, sprint.board_id, sprint)
            if target is None and unfinished:
                raise UserError("there is no planned sprint to carry over to: plan one, or carry to the backlog")
        elif carry_to != "backlog":
            target = self.sprint(carry_to)
        self.execute(lambda: self.app.close_sprint(UUID(sprint.id), done, unfinished,
                                                None if target is None else UUID(target.id)), reason)
        return {"done": len(done), "carried": len(unfinished), "to": target.name if target else "backlog"}

    # Releases ----------------------------------------------------------------------------------
    def add_release(self, name: str, target: str | None = None, description: str = "", milestone: bool = False,
                    reason: str = "") -> str:
        from domain.release import Release
        product_id = UUID(self.product().id)
        release = self.create(lambda: Release.create(product_id, name, target, description, milestone),
                               "a release of that name", reason)
        return release.name

    def edit_release(self, release_name: str, /, reason: str = "", **values: Any) -> None:
        """Change a release's target, description or ``name`` (a rename)."""
        from domain.release import Release
        name = release_name
        release = next((r for r in self.now.releases.values() if r.name.lower() == name.lower()), None)
        if release is None:
            raise NotFoundError(f"no release named {name!r}")
        self._change(Release, release.id, "release", Release.edit, reason=reason, **values)

    # Roadmap -----------------------------------------------------------------------------------
    def roadmap_item(self, ref: str, ws: Workspace | None = None) -> Any:
        ws = ws or self.now
        found = find_roadmap_item(ws, ref)
        if found is None:
            raise NotFoundError(_unknown_ref("roadmap item", ref, "RM-", [r.number for r in ws.roadmap.values()],
                                             "the roadmap is empty: `pmtui roadmap add TITLE`"))
        return found

    def add_roadmap_item(self, title: str, horizon: str = "later", timeframe: str | None = None,
                         description: str = "", status: str = "proposed", reason: str = "") -> str:
        from domain.roadmap import RoadmapItem
        product_id = UUID(self.product().id)
        item = self._create_numbered(
            "roadmap", lambda number: RoadmapItem.propose(product_id, title, horizon, description, timeframe, status, number),
            "that roadmap item", reason)
        return f"RM-{self.now.roadmap[str(item.id)].number}"

    def decide(self, ref: str, reason: str = "", **values: Any) -> None:
        """Change a roadmap item's horizon, timeframe, status (decisions) or title/description."""
        from domain.roadmap import RoadmapItem
        self._change(RoadmapItem, self.roadmap_item(ref).id, "roadmap item", RoadmapItem.edit, reason=reason, **values)

    def link_roadmap(self, ref: str, epic: str | None = None, objective: str | None = None, remove: bool = False,
                     reason: str = "") -> None:
        from domain.roadmap import RoadmapItem
        item = self.roadmap_item(ref)
        if epic:
            target = self.item(epic)
            if target.kind != "epic":
                raise UserError(f"{target.key} is a {target.kind}; roadmap items link to epics")
            self._change(RoadmapItem, item.id, "roadmap item", RoadmapItem.link, "epics", target.id, not remove, reason=reason)
        if objective:
            target_obj = self.objective(objective)
            self._change(RoadmapItem, item.id, "roadmap item", RoadmapItem.link, "objectives", target_obj.id, not remove,
                         reason=reason)

    # OKRs --------------------------------------------------------------------------------------
    def objective(self, ref: str, ws: Workspace | None = None) -> Any:
        ws = ws or self.now
        found = find_objective(ws, ref)
        if found is None:
            raise NotFoundError(_unknown_ref("objective", ref, "O-", [o.number for o in ws.objectives.values()],
                                             "there is no objective yet: `pmtui okr add TITLE --period 2026-Q4`"))
        return found

    def add_objective(self, title: str, period: str, owner: str = "", description: str = "", reason: str = "") -> str:
        from domain.objective import Objective
        product_id = UUID(self.product().id)
        objective = self._create_numbered("objectives", lambda number: Objective.create(product_id, title, period, owner,
                                                                                        description, number),
                                 "that objective", reason)
        return f"O-{self.now.objectives[str(objective.id)].number}"

    def edit_objective(self, ref: str, reason: str = "", **values: Any) -> None:
        from domain.objective import Objective
        self._change(Objective, self.objective(ref).id, "objective", Objective.edit, reason=reason, **values)

    def add_key_result(self, ref: str, metric: str, target: Any, baseline: Any = 0, unit: str = "",
                       confidence: Any = 0.5, reason: str = "") -> str:
        from domain.objective import Objective
        objective = self.objective(ref)
        index = self._change(Objective, objective.id, "objective", Objective.add_key_result, metric, target, baseline, unit,
                             confidence, reason=reason)
        return f"O-{objective.number}.{index}"

    def check_in(self, ref: str, kr: int, value: Any, confidence: Any = None, comment: str = "",
                 reason: str = "") -> None:
        from domain.objective import Objective
        self._change(Objective, self.objective(ref).id, "objective", Objective.check_in, kr, value, confidence, comment,
                     reason=reason)

    def edit_key_result(self, ref: str, kr: int, reason: str = "", **values: Any) -> None:
        from domain.objective import Objective
        self._change(Objective, self.objective(ref).id, "objective", Objective.edit_key_result, kr, reason=reason, **values)

    # KPIs --------------------------------------------------------------------------------------
    def kpi(self, name: str, ws: Workspace | None = None) -> Any:
        found = find_kpi(ws or self.now, name)
        if found is None:
            names = ", ".join(k.name for k in (ws or self.now).kpis.values()) or "none yet"
            raise NotFoundError(f"no KPI named {name!r} (KPIs: {names})")
        return found

    def add_kpi(self, name: str, unit: str = "", direction: str = "higher", target: Any = None, warn: Any = None,
                alarm: Any = None, description: str = "", reason: str = "") -> str:
        from domain.kpi import Kpi
        product_id = UUID(self.product().id)
        kpi = self.create(lambda: Kpi.define(product_id, name, unit, direction, target, warn, alarm, description),
                           "a KPI of that name", reason)
        return kpi.name

    def edit_kpi(self, kpi_name: str, /, reason: str = "", **values: Any) -> None:
        from domain.kpi import Kpi
        self._change(Kpi, self.kpi(kpi_name).id, "KPI", Kpi.edit, reason=reason, **values)

    def measure(self, name: str, value: Any, at: datetime | None = None, reason: str = "", source: str = "manual") -> None:
        kpi = self.kpi(name)
        if at is not None and at.timestamp() > time.time() + FUTURE_SLACK:
            raise UserError(f"a measurement cannot be in the future (--at {at.isoformat()}); record it when it is made")
        with self.recorded_as(self._history_actor, at, self._history_reason) if at is not None else nullcontext():
            if self.location.kind == "sqlite":  # the quick path (pmtui/service/kpi_writes.py)
                from pmtui.service import kpi_writes

                self._execute_quick(lambda attribution: kpi_writes.measure(
                    self.log.connection(), kpi.id, value, source, attribution), reason)
                return
            from domain.kpi import Kpi

            self._change(Kpi, kpi.id, "KPI", Kpi.measure, value, source, reason=reason)


def _unknown_ref(noun: str, ref: str, prefix: str, numbers: list[int | None], when_none: str) -> str:
    """"no objective 'O-9' (use its number, like O-2, or its title)", with a number that exists,
    or what to do when there is none at all."""
    known = sorted(n for n in numbers if n)
    if not known:
        return f"no {noun} {ref!r}: {when_none}"
    return f"no {noun} {ref!r} (use its number, like {prefix}{known[-1]}, or its title)"
