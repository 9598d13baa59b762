"""Running an import plan through the Workbench: every step is an ordinary command, attributed to
its original author at its original time (``wb.recorded_as``); the recorded time stays the
import's own, and every event's reason says where it came from."""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from domain.exceptions import DomainError, NothingChangedError
from pmtui.errors import UserError
from pmtui.importers.plan import ImportFormatError, ImportPlan, Step
from pmtui.service import Workbench


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

    def summary(self) -> str:
        lines = [
            f"imported {self.items} item(s) from {self.system} into board {self.board!r}"
            f"{' (new product)' if self.created_product else ''}: {self.events} event(s)",
        ]
        if not self.created_product:
            lines.append(f"  see it with: pmtui board --board {shlex.quote(self.board)}")
        if self.seeded:
            lines.append(f"  {self.seeded} item(s) created before the export's window were seeded from its snapshot")
        if self.replayed:
            lines.append("  replayed: " + ", ".join(f"{name} {n}" for name, n in sorted(self.replayed.items())))
        if self.skipped:
            lines.append(f"  skipped {sum(self.skipped.values())}: "
                         + ", ".join(f"{name} {n}" for name, n in sorted(self.skipped.items())))
        return "\n".join(lines)

    def as_data(self) -> dict[str, Any]:
        return {
            "system": self.system, "board": self.board, "created_product": self.created_product,
            "items": self.items, "seeded": self.seeded, "events": self.events, "keys": self.keys,
            "replayed": dict(self.replayed), "skipped": dict(self.skipped),
        }


def check_target(wb: Workbench, plan: ImportPlan) -> None:
    """Refuse before writing anything if the plan's board exists already (imported twice?)."""
    wb.refresh()
    if wb.now.product is None:
        return
    for board in wb.now.boards.values():
        if board.name.lower() == plan.board_name.lower():
            raise UserError(
                f"there is a board named {board.name!r} already (imported before?): nothing was imported"
            )


def rehearse(plan: ImportPlan) -> None:
    """Run the whole plan on a throw-away in-memory store first: whatever the domain would refuse
    halfway is found before the real store gets its first event."""
    stage = Workbench(db=":memory:", actor="import rehearsal", role="admin")
    try:
        _replay(stage, plan)
    except DomainError as error:
        raise ImportFormatError(f"the {plan.system} file cannot be imported ({error}); nothing was written") from None
    finally:
        stage.close()


def apply_plan(wb: Workbench, plan: ImportPlan, rehearsed: bool = False) -> ImportReport:
    check_target(wb, plan)
    if not rehearsed:
        rehearse(plan)
    return _replay(wb, plan)


def _replay(wb: Workbench, plan: ImportPlan) -> ImportReport:
    start = wb.now.position
    reason = plan.reason
    fresh = wb.now.product is None
    with wb.recorded_as(plan.started_by, plan.started):
        if fresh:
            # A fresh store: the import is the product, and its board is the product's board.
            wb.init_product(plan.product_name, plan.key_prefix, mode=plan.mode, board_name=plan.board_name,
                            columns=plan.columns, reason=reason)
        else:
            wb.add_board(plan.board_name, mode=plan.mode, columns=plan.columns, reason=reason)
    board = wb.board(plan.board_name).name
    for sprint in plan.sprints:
        with wb.recorded_as(sprint["actor"], sprint["occurred"]):
            wb.plan_sprint(sprint["name"], start=sprint.get("start"), end=sprint.get("end"), board=board,
                           reason=reason)
    keys: dict[str, str] = {}
    for step in plan.sorted_steps():
        with wb.recorded_as(step.actor, step.occurred):
            _apply_step(wb, step, keys, board, reason)
    return ImportReport(plan.system, board, fresh, plan.items, plan.seeded, wb.now.position - start, keys,
                        plan.replayed, plan.skipped)


def _apply_step(wb: Workbench, step: Step, keys: dict[str, str], board: str, reason: str) -> None:
    values = dict(step.values)
    if step.action == "create":
        title, kind, status = values.pop("title"), values.pop("kind", "story"), values.pop("status")
        fields = {k: v for k, v in values.items() if v not in (None, "", [])}
        keys[step.ref] = wb.add_item(title, kind=kind, status=status, board=board, reason=reason, **fields)
        return
    key = keys[step.ref]
    if step.action == "comment":
        wb.comment(key, values["text"], reason=reason)
        return
    if step.action == "archive":
        if not wb.item(key).archived:
            wb.archive_item(key, reason=reason)
        return
    if step.action == "restore":
        if wb.item(key).archived:
            wb.restore_item(key, reason=reason)
        return
    if step.action == "rank":
        other = keys[values["after"]]
        if wb.item(key).rank <= wb.item(other).rank:
            wb.rank_item(key, "after", other, reason=reason)
        return
    archived = wb.item(key).archived
    if archived:
        # The source let someone change an archived card; pmtui asks to restore it first. Replay
        # it the same way: restore, change, archive again, all at the original moment.
        wb.restore_item(key, reason=f"{reason} (changed while archived)")
    try:
        if step.action == "move":
            wb.move_item(key, values["column"], reason=reason)
        elif step.action == "edit":
            if values.get("parent"):
                values["parent"] = keys[values["parent"]]  # the epic's source ref -> its pmtui key
            wb.edit_item(key, reason=reason, **values)
        else:
            raise AssertionError(f"unknown import step {step.action!r}")
    except NothingChangedError:
        pass  # the plan only holds real changes; a no-op here is harmless and writes nothing
    finally:
        if archived:
            wb.archive_item(key, reason=f"{reason} (changed while archived)")
