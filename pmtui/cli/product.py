"""``pmtui product``: create the product (workspace) and change its name, vision and stage."""

from __future__ import annotations

import argparse

import msgspec

from pmtui.cli.common import command, emit, group, reason
from pmtui.counts import counted
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench


def init(args: argparse.Namespace, wb: Workbench) -> None:
    wb.init_product(" ".join(args.name), args.key, args.vision or "", args.stage, args.mode, args.board, reason(args))
    show(args, wb)


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    p = wb.product(ws)
    boards = [b.name for b in ws.boards.values()]
    emit(args, f"{p.name} ({p.key_prefix}) · {p.stage}\n{p.vision}\nboards: {', '.join(boards)}\n"
               f"{counted(len(ws.items), 'item')} · {counted(len(ws.sprints), 'sprint')} · {counted(ws.count, 'event')}",
         {**msgspec.structs.asdict(p), "boards": boards, "items": len(ws.items), "events": ws.count})


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("name", "vision", "stage") if getattr(args, k) is not None}
    if not values:
        raise UserError("nothing to edit: give --name, --vision or --stage")
    wb.edit_product(reason(args), **values)
    show(args, wb)


def stage(args: argparse.Namespace, wb: Workbench) -> None:
    before = wb.product().stage
    wb.change_stage(args.stage, reason(args))
    after = wb.product()
    emit(args, f"{after.name}: {before} -> {after.stage}" + ("" if reason(args) else " (no reason given)"),
         {**msgspec.structs.asdict(after), "previous_stage": before})


def register(sub: argparse._SubParsersAction) -> None:
    products = group(sub, "product", "the product: init, show, edit", default=show, query=True)
    p = command(products, "init", init, "create the product with its first board", write=True)
    p.add_argument("name", nargs="+")
    p.add_argument("--key", required=True, help="item key prefix, e.g. PM gives PM-1, PM-2…")
    p.add_argument("--vision")
    p.add_argument("--stage", default="development", help="development, growth, maturity or decline")
    p.add_argument("--mode", default="scrum", choices=["scrum", "kanban"])
    p.add_argument("--board", default="Main", help="the first board's name")
    command(products, "show", show, "show the product", query=True)
    p = command(products, "stage", stage, "change the lifecycle stage (a decision: give --reason)", write=True)
    p.add_argument("stage", help="development, growth, maturity or decline")
    p = command(products, "edit", edit, "change the name, vision or lifecycle stage", write=True)
    p.add_argument("--name")
    p.add_argument("--vision")
    p.add_argument("--stage")
