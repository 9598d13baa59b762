"""Running an import plan through the Workbench: every step is a command of the domain, attributed
to its original author at its original time; the recorded time stays the import's own, and every
event's reason says where it came from.

The steps run once, in memory, through the Workbench's history batch (``pmtui/service/batch.py``): all of
them are decided before the first event is written, so a plan the domain refuses halfway writes
nothing; then the events are appended many per transaction.

Items are known by their source ids (Trello card id; Jira issue id and key), kept on the items.
Importing again finds them wherever they are: a step on an item imported before is replayed only
if it occurred after that item's latest event, so the same export writes nothing and a newer one
brings only what happened since.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.exceptions import DomainError
from pmtui.service.batch import HistoryBatch
from pmtui.errors import UserError
from pmtui.importers.plan import ImportFormatError, ImportPlan, Step
from pmtui.service.workbench import Workbench

Progress = Callable[[int], None]  # told how many more steps are done


@dataclass
class ImportReport:
    system: str
    board: str
    created_product: bool
    items: int
    seeded: int
    events: int  # events written by the import
    keys: dict[str, str] = field(default_factory=dict)  # source ref (card id, Jira key) -> pmtui key
    replayed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    created: int = 0  # items new to the store
    updated: int = 0  # items imported before that this import changed
    unchanged: int = 0  # items imported before, with nothing new

    def summary(self) -> str:
        if not self.events:
            lines = [f"nothing new from {self.system}: the {self.items} item(s) were imported before into board "
                     f"{self.board!r} and are up to date; nothing was written"]
        else:
            lines = [
                f"imported {self.items} item(s) from {self.system} into board {self.board!r}"
                f"{' (new product)' if self.created_product else ''}: {self.events} event(s)",
            ]
            if self.updated or self.unchanged:
                lines.append(f"  {self.created} new, {self.updated} updated, {self.unchanged} unchanged "
                             "(imported before: known by their source ids)")
        if not self.created_product:
            lines.append(f"  see it with: pmtui board --board {shlex.quote(self.board)}")
        if self.seeded:
            lines.append(f"  {self.seeded} item(s) created before the export's window were seeded from its snapshot")
        if self.replayed and self.events:
            lines.append("  replayed: " + ", ".join(f"{name} {n}" for name, n in sorted(self.replayed.items())))
        if self.skipped:
            lines.append(f"  skipped {sum(self.skipped.values())}: "
                         + ", ".join(f"{name} {n}" for name, n in sorted(self.skipped.items())))
        return "\n".join(lines)

    def as_data(self) -> dict[str, Any]:
        return {
            "system": self.system, "board": self.board, "created_product": self.created_product,
            "items": self.items, "seeded": self.seeded, "events": self.events, "keys": self.keys,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "replayed": dict(self.replayed), "skipped": dict(self.skipped),
        }


def apply_plan(wb: Workbench, plan: ImportPlan, board: str | None = None,
               progress: Progress | None = None) -> ImportReport:
    """Replay the plan into ``board`` (created if absent), or by default into the board holding
    the items imported before, else a new board named after the export."""
    return _Replay(wb, plan, board, progress).run()


class _Replay:
    def __init__(self, wb: Workbench, plan: ImportPlan, board: str | None, progress: Progress | None) -> None:
        self.wb, self.plan, self.progress = wb, plan, progress
        self.batch: HistoryBatch = wb.history_batch(plan.reason)
        self.board_name = board.strip() if board and board.strip() else None
        self.ids: dict[str, UUID] = {}  # plan ref -> item id
        self.known_until: dict[str, float] = {}  # ref of an item imported before -> its latest occurred time
        self.columns: dict[str, str] = {}  # plan column name -> the board's column name now
        self.sprints: dict[str, UUID] = {}  # plan sprint name -> sprint id
        self.board_until: float | None = None  # an existing board's latest occurred time
        self.skipped: Counter[str] = Counter()
        self.touched: set[str] = set()

    # Where the items go -----------------------------------------------------------------------
    def _known_items(self) -> dict[str, Any]:
        """Plan ref -> the item imported before from the same source, if any."""
        by_source: dict[str, Any] = {}
        for item in self.wb.now.items.values():
            for source in item.source:
                by_source.setdefault(source, item)
        found = {}
        for ref, sources in self.plan.sources.items():
            item = next((by_source[s] for s in sources if s in by_source), None)
            if item is not None:
                found[ref] = item
        return found

    def _target(self, known: dict[str, Any]) -> Any:
        """The board to import into (a BoardView), or None to create one."""
        ws = self.wb.now
        named = lambda name: next((b for b in ws.boards.values() if b.name.lower() == name.lower()), None)  # noqa: E731
        if self.board_name:
            return named(self.board_name)
        if known:
            return ws.boards[Counter(i.board_id for i in known.values()).most_common(1)[0][0]]
        existing = named(self.plan.board_name)
        if existing is not None:
            raise UserError(f"there is a board named {existing.name!r} already, holding none of these items: "
                            f"add them to it with --board {shlex.quote(existing.name)}, or rename that board; "
                            "nothing was imported")
        return None

    def _open_board(self, target: Any) -> UUID:
        plan, batch = self.plan, self.batch
        if target is None:
            name = self.board_name or plan.board_name
            with batch.acting(plan.started_by, plan.started):
                if self.wb.now.product is None:
                    board_id = batch.create_product(plan.product_name, plan.key_prefix, name, plan.mode, plan.columns)
                else:
                    board_id = batch.add_board(name, plan.mode, plan.columns)
            self.columns = {c["name"]: c["name"] for c in plan.columns}
            return board_id
        board_id = UUID(target.id)
        board = batch.board(board_id)
        self.board_until = max((r.occurred for r in self.wb.records_of(target.id)), default=None)
        every = [*board.columns, *board.archived_columns]
        for col in plan.columns:
            match = next((c for c in every if col.get("source") and c.get("source") == col.get("source")), None)
            match = match or next((c for c in every if c["name"].lower() == col["name"].lower()), None)
            if match is None:
                with batch.acting(plan.started_by, plan.started):
                    batch.change(board, lambda col=col: board.add_column(
                        col["name"], col.get("category", "doing"), source=col.get("source")))
                match = {"name": col["name"]}
            self.columns[col["name"]] = match["name"]
        return board_id

    def run(self) -> ImportReport:
        plan, batch, wb = self.plan, self.batch, self.wb
        fresh = wb.now.product is None
        known = self._known_items()
        target = self._target(known)
        self.board_id = board_id = self._open_board(target)
        for ref, item in known.items():
            self.ids[ref] = UUID(item.id)
            self.known_until[ref] = item.updated
        for sprint in plan.sprints:
            with batch.acting(sprint.get("actor") or plan.started_by, sprint.get("occurred") or plan.started):
                self.sprints[sprint["name"].lower()] = batch.plan_sprint(board_id, sprint["name"], sprint.get("start"),
                                                                         sprint.get("end"))
        steps = plan.sorted_steps()
        done = 0
        for step in steps:
            try:
                with batch.acting(step.actor, step.occurred):
                    self._apply(step)
            except UserError:
                raise
            except DomainError as error:  # nothing is written yet: the batch holds it all
                raise ImportFormatError(f"the {plan.system} file cannot be imported ({error}); "
                                        "nothing was written") from None
            done += 1
            if self.progress and done % 200 == 0:
                self.progress(200)
        if self.progress and done % 200:
            self.progress(done % 200)
        events = batch.commit()
        keys = {ref: known[ref].key if ref in known else batch.item(item_id).key for ref, item_id in self.ids.items()}
        board_view = wb.now.boards[str(board_id)]
        report = ImportReport(plan.system, board_view.name, fresh, plan.items, plan.seeded, events, keys,
                              plan.replayed, plan.skipped + self.skipped)
        report.created = sum(1 for ref in self.ids if ref not in self.known_until)
        report.updated = sum(1 for ref in self.known_until if ref in self.touched)
        report.unchanged = len(self.known_until) - report.updated
        return report

    # Steps ------------------------------------------------------------------------------------
    def _before_known(self, step: Step) -> bool:
        """Whether this step happened before what the store already holds of its item or board."""
        occurred = step.occurred.timestamp()
        if step.ref:
            until = self.known_until.get(step.ref)
            return until is not None and occurred <= until
        return self.board_until is not None and occurred <= self.board_until

    def _apply(self, step: Step) -> None:
        if self._before_known(step):
            self.skipped["imported before"] += 1
            return
        if not step.ref:
            self._board_step(step)
            return
        batch, values = self.batch, dict(step.values)
        if step.action == "create":
            title, kind, status = values.pop("title"), values.pop("kind", "story"), values.pop("status")
            fields = {k: v for k, v in values.items() if v not in (None, "", [])}
            fields = self._resolved(fields)
            column = self.columns.get(status, status)
            self.ids[step.ref] = self._in_open_column(column, lambda: batch.add_item(
                self.board_id, title, kind, column, source=self.plan.sources.get(step.ref), **fields))
            return
        item_id = self.ids[step.ref]
        item = batch.item(item_id)
        changed = False
        if step.action == "comment":
            changed = batch.change(item, lambda: item.comment(values["text"]))
        elif step.action == "archive":
            changed = not item.archived and batch.change(item, item.archive)
        elif step.action == "restore":
            changed = item.archived and batch.change(item, item.restore)
        elif step.action == "rank":
            changed = not item.archived and batch.rank_after(item_id, self.ids[values["after"]])
        else:
            changed = self._change_item(item, step.action, values)
        if changed:
            self.touched.add(step.ref)

    def _change_item(self, item: Any, action: str, values: dict[str, Any]) -> bool:
        batch = self.batch
        archived = item.archived
        if archived:
            # The source let someone change an archived card; pmtui asks to restore it first. Replay
            # it the same way: restore, change, archive again, all at the original moment.
            batch.change(item, item.restore)
        try:
            if action == "move":
                column = self.columns.get(values["column"], values["column"])
                return self._in_open_column(column, lambda: batch.move(item.id, column))
            if action == "edit":
                return batch.change(item, lambda: item.edit(**self._resolved(values)))
            raise AssertionError(f"unknown import step {action!r}")
        finally:
            if archived:
                batch.change(item, item.archive)

    def _resolved(self, values: dict[str, Any]) -> dict[str, Any]:
        """Plan refs and names -> the ids the domain keeps (epic -> item id, sprint -> sprint id)."""
        out = dict(values)
        if out.get("parent"):
            out["parent"] = str(self.ids[out["parent"]])
        if out.get("sprint"):
            out["sprint"] = str(self.sprints[out["sprint"].lower()])
        return out

    def _in_open_column(self, column: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn``; if ``column`` is archived (a card moved into an archived list), restore the
        column around it, at the same moment, as Trello let it happen."""
        board = self.batch.board(self.board_id)
        archived = any(c["name"].lower() == column.lower() for c in board.archived_columns)
        if not archived:
            return fn()
        self.batch.change(board, lambda: board.restore_column(column))
        try:
            return fn()
        finally:
            self.batch.change(board, lambda: board.archive_column(column))

    def _board_step(self, step: Step) -> None:
        batch, values = self.batch, step.values
        board = batch.board(self.board_id)
        if step.action in ("rename_column", "archive_column", "restore_column"):
            column = self.columns[values["column"]]
            if step.action == "rename_column":
                if batch.rename_column(self.board_id, column, values["name"]) or column != values["name"]:
                    self.columns[values["column"]] = values["name"]
            elif step.action == "archive_column":
                if not any(c["name"] == column for c in board.archived_columns):
                    batch.change(board, lambda: board.archive_column(column))
            elif any(c["name"] == column for c in board.archived_columns):
                batch.change(board, lambda: board.restore_column(column))
            return
        if step.action in ("start_sprint", "close_sprint"):
            self._sprint_step(step)
            return
        raise AssertionError(f"unknown import step {step.action!r}")

    def _sprint_step(self, step: Step) -> None:
        batch, values = self.batch, step.values
        sprint_id = self.sprints[values["sprint"].lower()]
        sprint = batch.sprint(sprint_id)
        members = [batch.item(i) for i in batch.items_on(self.board_id)]
        members = [i for i in members if i.sprint == str(sprint_id) and not i.archived]
        if step.action == "start_sprint":
            if sprint.state != "planned":
                self.skipped["sprint start (not planned)"] += 1
                return
            if any(s.board_id == str(self.board_id) and s.state == "active" for s in self._sprints()):
                self.skipped["sprint start (another sprint of the board is active)"] += 1
                return
            if not members:
                self.skipped["sprint start (no items in it then)"] += 1
                return
            start, end = values.get("start") or sprint.start, values.get("end") or sprint.end
            if not start:
                start = step.occurred.date().isoformat()
            if not end or end < start:
                end = start
            batch.change(sprint, lambda: sprint.begin({str(i.id): i.points for i in members}, start, end))
            return
        if sprint.state != "active":
            self.skipped["sprint close (not active)"] += 1
            return
        board = batch.board(self.board_id)
        finished = {c["name"] for c in board.columns if c["category"] == "done"}
        done = [str(i.id) for i in members if i.status in finished]
        unfinished = [str(i.id) for i in members if i.status not in finished]
        # Items are not carried here: the source's own history says where each went next.
        batch.change(sprint, lambda: sprint.close(done, unfinished, None))

    def _sprints(self) -> list[Any]:
        ids = {UUID(s.id) for s in self.wb.now.sprints.values()} | set(self.sprints.values())
        return [self.batch.sprint(i) for i in ids]
