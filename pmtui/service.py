"""The workbench: the one facade the CLI, the TUI and the SSH sessions call.

Commands take keys and names (``PM-12``, ``Sprint 14``), resolve them through the read model,
check the caller's role, and run the application's command attributed to the caller (actor,
reason, and for imported or generated history, the time it occurred). Queries return read models,
now or as of any point in the log.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import partial
from typing import Any
from uuid import UUID

import msgspec

from domain.base import attributed
from domain.board import Board
from domain.kpi import Kpi
from domain.objective import Objective
from domain.rank import rank_between
from domain.release import Release
from domain.roadmap import RoadmapItem
from domain.sprint import Sprint
from domain.values import Role
from domain.work_item import WorkItem
from pmtui import undo as undoing
from pmtui.application import PmApplication
from pmtui.errors import NotFoundError, PermissionDeniedError, UserError
from pmtui.evidence import EvidenceCommands
from pmtui.readmodel import BoardOrder, Point, StoredWorkspace, catch_up, open_read_model
from pmtui.storage import EventLog, Location, exclusive, locate, open_application
from pmtui.timespec import AsOf, parse_as_of
from projections.backlog_view import find_epic
from projections.board_view import default_board
from projections.kpi_series import find_kpi
from projections.okr_progress import find_objective
from projections.records import EventRecord
from projections.roadmap_view import find_roadmap_item
from projections.sprint_view import active_sprint, done_columns, find_sprint, next_planned
from projections.state import BoardView, ItemView, ProductView, SprintView, Workspace

def default_actor() -> str:
    return os.environ.get("PMTUI_ACTOR") or getpass.getuser()


class Workbench(EvidenceCommands):
    def __init__(self, db: str | None = None, actor: str | None = None, role: str | None = None,
                 location: Location | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """``progress(done, total)`` hears of a long first fold of the read model (a store made by
        an older pmtui builds its tables once, on open)."""
        self.location = location or locate(db)
        self.app: PmApplication = open_application(self.location)  # type: ignore[assignment]
        self.log = EventLog(self.app, self.location)
        self.actor = (actor or default_actor()).strip() or "unknown"
        self.role = Role.parse(role or os.environ.get("PMTUI_ROLE") or "admin")
        self._history_actor: str | None = None
        self._occurred: datetime | None = None
        self._history_reason: str | None = None
        self.read = open_read_model(self.log)
        self._now: StoredWorkspace | None = None
        self._seen = -1
        self.catch_up(progress)
        self.refresh()

    # Read model (pmtui/readmodel.py: tables in the store, written with the events) ------------
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

    def close(self) -> None:
        self.read.close()
        self.log.close()
        self.app.close()

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

    def _require(self, needed: str) -> None:
        order = ["viewer", "editor", "admin"]
        if order.index(self.role) < order.index(needed):
            article = "an" if self.role[0] in "aeiou" else "a"
            raise PermissionDeniedError(
                f"{self.actor} is {article} {self.role}: "
                f"{'changing users and roles needs' if needed == 'admin' else 'changes need'} the {needed} role"
            )

    def _run(self, fn: Callable[[], Any], reason: str = "", needs: str = "editor") -> Any:
        self._require(needs)
        self.refresh()
        with attributed(self._history_actor or self.actor, reason or self._history_reason or "", self._occurred):
            result = fn()
        self.refresh()
        return result

    def _create(self, make: Callable[[], Any], what: str, reason: str = "", needs: str = "editor") -> Any:
        """Create an aggregate (inside the attribution, so its first event names the actor) and save it."""
        def create() -> Any:
            aggregate = make()
            self.app.save_new(what, aggregate)
            return aggregate
        return self._run(create, reason, needs)

    def _create_numbered(self, table: str, make: Callable[[int], Any], what: str, reason: str = "") -> Any:
        """Create a thing with a display number (S-n, RM-n, O-n) fixed in its Created event: the
        next number is read and the thing saved under one lock of the store, so two people creating
        at once never get the same number."""
        with exclusive(self.location, f"numbers {table}"):
            return self._create(lambda: make(self.read.next_number(table)), what, reason)

    def _change(self, cls: type, aggregate_id: str | UUID, what: str, method: str, *args: Any,
                reason: str = "", **kwargs: Any) -> Any:
        return self._run(
            lambda: self.app.change(cls, aggregate_id, what, lambda agg: getattr(agg, method)(*args, **kwargs)),
            reason,
        )

    # Undo and redo (compensating events; see pmtui/undo.py) -------------------------------------
    def undo(self, reason: str = "") -> str:
        """Reverse this actor's last change with a new event; returns what was done."""
        return undoing.undo(self, reason).description

    def redo(self, reason: str = "") -> str:
        """Reverse this actor's last undo with a new event; returns what was done."""
        return undoing.redo(self, reason).description

    # Product and board -------------------------------------------------------------------------
    def init_product(self, name: str, key: str, vision: str = "", stage: str = "development",
                     mode: str = "scrum", board_name: str = "Main", reason: str = "",
                     columns: list[dict[str, Any]] | None = None) -> UUID:
        if self.now.product is not None:
            raise UserError(f"this store already holds the product {self.now.product.name!r}")
        return self._run(lambda: self.app.create_product(name, key, vision, stage, board_name, mode, columns),
                         reason, "admin")

    def add_board(self, name: str, mode: str = "kanban", columns: list[dict[str, Any]] | None = None,
                  reason: str = "") -> str:
        """A further board of the product (an imported Trello board, another team's flow)."""
        product_id = UUID(self.product().id)
        board = self._create(lambda: Board.create(product_id, name, mode, columns), "a board of that name", reason)
        return board.name

    def edit_product(self, reason: str = "", **values: Any) -> None:
        from domain.product import Product
        self._change(Product, self.product().id, "product", "edit", reason=reason, **values)

    def add_column(self, name: str, category: str = "doing", wip: int | None = None, hard: bool = False,
                   position: int | None = None, board: str | None = None, reason: str = "") -> None:
        self._change(Board, self.board(board).id, "board", "add_column", name, category, wip, hard, position, reason=reason)

    def rename_column(self, old: str, new: str, board: str | None = None, reason: str = "") -> None:
        b = self.board(board)
        if self._items_in_column(b.id, old):
            # Items keep their column by name: move them along with the rename.
            raise UserError(f"column {old!r} holds items: move them out before renaming it")
        self._change(Board, b.id, "board", "rename_column", old, new, reason=reason)

    def remove_column(self, name: str, board: str | None = None, reason: str = "") -> None:
        b = self.board(board)
        self._change(Board, b.id, "board", "remove_column", name, self._items_in_column(b.id, name), reason=reason)

    def _items_in_column(self, board_id: str, name: str) -> int:
        """The items (epics too; archived ones not) whose column this is, named as the domain
        matches names (any case): a rename or removal would leave them in no column. Rare
        commands: a scan."""
        wanted = name.strip().lower()
        return sum(1 for i in self.now.items.values()
                   if i.board_id == board_id and i.status.lower() == wanted and not i.archived)

    def set_wip_limit(self, column: str, limit: int | None, hard: bool = False, board: str | None = None,
                      reason: str = "") -> None:
        self._change(Board, self.board(board).id, "board", "set_wip_limit", column, limit, hard, reason=reason)

    def set_swimlanes(self, by: str, board: str | None = None, reason: str = "") -> None:
        self._change(Board, self.board(board).id, "board", "set_swimlanes", by, reason=reason)

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
        b = self.board(board)
        low, high = self.board_index.extremes(b.id)
        rank = rank_between(None, low) if top and low else rank_between(high, None)
        fields = self._resolve_fields(values)
        product = self.product()
        return self._run(lambda: self.app.add_item(
            UUID(product.id), product.key_prefix, self.now.products[product.id].last_number + 1, UUID(b.id),
            title, status or b.columns[0]["name"], rank, kind, **fields), reason)

    def edit_item(self, key: str, reason: str = "", **values: Any) -> None:
        item = self.item(key)
        self._change(WorkItem, item.id, "item", "edit", reason=reason, **self._resolve_fields(values))

    def move_item(self, key: str, column: str, reason: str = "") -> str | None:
        """Move a card to a column; returns a warning past a soft WIP limit."""
        item = self.item(key)
        counter = lambda col: self.board_index.count(item.board_id, col)  # noqa: E731
        target = self.now.boards[item.board_id].column(column)
        if target is None or not target["hard"] or target["wip"] is None:
            return self._run(lambda: self.app.move_item(UUID(item.id), column, counter), reason)
        # A hard limit holds among everyone: the count (after folding every move saved so far)
        # and the move are made under one lock of the board, so two people moving different
        # cards into the last free place cannot both get in.
        with exclusive(self.location, f"wip {item.board_id}"):
            return self._run(lambda: self.app.move_item(UUID(item.id), column, counter), reason)

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
        self._change(WorkItem, item.id, "item", "rerank", new, reason=reason)

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
        self._change(WorkItem, self.item(key).id, "item", "archive", reason=reason)

    def restore_item(self, key: str, reason: str = "") -> None:
        self._change(WorkItem, self.item(key).id, "item", "restore", reason=reason)

    def comment(self, key: str, text: str, reason: str = "") -> None:
        self._change(WorkItem, self.item(key).id, "item", "comment", text, reason=reason)

    def link(self, key: str, kind: str, other: str, remove: bool = False, reason: str = "") -> None:
        item, target = self.item(key), self.item(other)
        if remove:
            self._change(WorkItem, item.id, "item", "unlink", target.id, target.key, reason=reason)
        else:
            self._change(WorkItem, item.id, "item", "link", kind, target.id, target.key, reason=reason)

    # Sprints -----------------------------------------------------------------------------------
    def plan_sprint(self, name: str, goal: str = "", start: str | None = None, end: str | None = None,
                    board: str | None = None, reason: str = "") -> str:
        b = self.board(board)
        sprint = self._create_numbered("sprints", lambda number: Sprint.plan(UUID(b.id), name, goal, start, end, number),
                                       "a sprint of that name", reason)
        return sprint.name

    def edit_sprint(self, name: str, reason: str = "", **values: Any) -> None:
        self._change(Sprint, self.sprint(name).id, "sprint", "edit", reason=reason, **values)

    def add_to_sprint(self, name: str, keys: list[str], reason: str = "") -> None:
        sprint = self.sprint(name)
        if sprint.state == "closed":
            raise UserError(f"sprint {sprint.name!r} is closed")
        for key in keys:
            if self.item(key).sprint != sprint.id:
                self._change(WorkItem, self.item(key).id, "item", "edit", reason=reason, sprint=sprint.id)

    def remove_from_sprint(self, keys: list[str], reason: str = "") -> None:
        for key in keys:
            if self.item(key).sprint is not None:
                self._change(WorkItem, self.item(key).id, "item", "edit", reason=reason, sprint=None)

    def start_sprint(self, name: str, start: str | None = None, end: str | None = None, reason: str = "") -> None:
        ws = self.now
        sprint = self.sprint(name)
        running = active_sprint(ws, sprint.board_id)
        if running is not None and running.id != sprint.id and sprint.state == "planned":
            raise UserError(f"sprint {running.name!r} is still active: close it first")
        committed = {i.id: i.points for i in ws.items.values() if i.sprint == sprint.id and not i.archived}
        today = (self._occurred or datetime.now(timezone.utc)).astimezone().date()
        start_date = start or sprint.start or today.isoformat()
        end_date = end or sprint.end or date.fromordinal(date.fromisoformat(start_date).toordinal() + 13).isoformat()
        self._change(Sprint, sprint.id, "sprint", "begin", committed, start_date, end_date, reason=reason)

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
        self._run(lambda: self.app.close_sprint(UUID(sprint.id), done, unfinished,
                                                None if target is None else UUID(target.id)), reason)
        return {"done": len(done), "carried": len(unfinished), "to": target.name if target else "backlog"}

    # Releases ----------------------------------------------------------------------------------
    def add_release(self, name: str, target: str | None = None, description: str = "", milestone: bool = False,
                    reason: str = "") -> str:
        product_id = UUID(self.product().id)
        release = self._create(lambda: Release.create(product_id, name, target, description, milestone),
                               "a release of that name", reason)
        return release.name

    def edit_release(self, name: str, reason: str = "", **values: Any) -> None:
        release = next((r for r in self.now.releases.values() if r.name.lower() == name.lower()), None)
        if release is None:
            raise NotFoundError(f"no release named {name!r}")
        self._change(Release, release.id, "release", "edit", reason=reason, **values)

    # Roadmap -----------------------------------------------------------------------------------
    def roadmap_item(self, ref: str, ws: Workspace | None = None) -> Any:
        found = find_roadmap_item(ws or self.now, ref)
        if found is None:
            raise NotFoundError(f"no roadmap item {ref!r} (use its number, like RM-3, or its title)")
        return found

    def add_roadmap_item(self, title: str, horizon: str = "later", timeframe: str | None = None,
                         description: str = "", status: str = "proposed", reason: str = "") -> str:
        product_id = UUID(self.product().id)
        item = self._create_numbered(
            "roadmap", lambda number: RoadmapItem.propose(product_id, title, horizon, description, timeframe, status, number),
            "that roadmap item", reason)
        return f"RM-{self.now.roadmap[str(item.id)].number}"

    def decide(self, ref: str, reason: str = "", **values: Any) -> None:
        """Change a roadmap item's horizon, timeframe, status (decisions) or title/description."""
        self._change(RoadmapItem, self.roadmap_item(ref).id, "roadmap item", "edit", reason=reason, **values)

    def link_roadmap(self, ref: str, epic: str | None = None, objective: str | None = None, remove: bool = False,
                     reason: str = "") -> None:
        item = self.roadmap_item(ref)
        if epic:
            target = self.item(epic)
            if target.kind != "epic":
                raise UserError(f"{target.key} is a {target.kind}; roadmap items link to epics")
            self._change(RoadmapItem, item.id, "roadmap item", "link", "epics", target.id, not remove, reason=reason)
        if objective:
            target_obj = self.objective(objective)
            self._change(RoadmapItem, item.id, "roadmap item", "link", "objectives", target_obj.id, not remove,
                         reason=reason)

    # OKRs --------------------------------------------------------------------------------------
    def objective(self, ref: str, ws: Workspace | None = None) -> Any:
        found = find_objective(ws or self.now, ref)
        if found is None:
            raise NotFoundError(f"no objective {ref!r} (use its number, like O-2, or its title)")
        return found

    def add_objective(self, title: str, period: str, owner: str = "", description: str = "", reason: str = "") -> str:
        product_id = UUID(self.product().id)
        objective = self._create_numbered("objectives", lambda number: Objective.create(product_id, title, period, owner,
                                                                                        description, number),
                                 "that objective", reason)
        return f"O-{self.now.objectives[str(objective.id)].number}"

    def edit_objective(self, ref: str, reason: str = "", **values: Any) -> None:
        self._change(Objective, self.objective(ref).id, "objective", "edit", reason=reason, **values)

    def add_key_result(self, ref: str, metric: str, target: Any, baseline: Any = 0, unit: str = "",
                       confidence: Any = 0.5, reason: str = "") -> str:
        objective = self.objective(ref)
        index = self._change(Objective, objective.id, "objective", "add_key_result", metric, target, baseline, unit,
                             confidence, reason=reason)
        return f"O-{objective.number}.{index}"

    def check_in(self, ref: str, kr: int, value: Any, confidence: Any = None, comment: str = "",
                 reason: str = "") -> None:
        self._change(Objective, self.objective(ref).id, "objective", "check_in", kr, value, confidence, comment,
                     reason=reason)

    def edit_key_result(self, ref: str, kr: int, reason: str = "", **values: Any) -> None:
        self._change(Objective, self.objective(ref).id, "objective", "edit_key_result", kr, reason=reason, **values)

    # KPIs --------------------------------------------------------------------------------------
    def kpi(self, name: str, ws: Workspace | None = None) -> Any:
        found = find_kpi(ws or self.now, name)
        if found is None:
            names = ", ".join(k.name for k in (ws or self.now).kpis.values()) or "none yet"
            raise NotFoundError(f"no KPI named {name!r} (KPIs: {names})")
        return found

    def add_kpi(self, name: str, unit: str = "", direction: str = "higher", target: Any = None, warn: Any = None,
                alarm: Any = None, description: str = "", reason: str = "") -> str:
        product_id = UUID(self.product().id)
        kpi = self._create(lambda: Kpi.define(product_id, name, unit, direction, target, warn, alarm, description),
                           "a KPI of that name", reason)
        return kpi.name

    def edit_kpi(self, name: str, reason: str = "", **values: Any) -> None:
        self._change(Kpi, self.kpi(name).id, "KPI", "edit", reason=reason, **values)

    def measure(self, name: str, value: Any, at: datetime | None = None, reason: str = "", source: str = "manual") -> None:
        kpi = self.kpi(name)
        if at is not None:
            with self.recorded_as(self._history_actor, at, self._history_reason):
                self._change(Kpi, kpi.id, "KPI", "measure", value, source, reason=reason)
        else:
            self._change(Kpi, kpi.id, "KPI", "measure", value, source, reason=reason)
