"""``pmtui demo``: create a realistic demo workspace in an empty store."""

from __future__ import annotations

import argparse

from pmtui.cli.common import command, emit
from pmtui.errors import UserError
from pmtui.service import Workbench


def demo(args: argparse.Namespace, wb: Workbench) -> None:
    if wb.now.product is not None:
        raise UserError(f"the store {wb.location.describe()} already holds {wb.now.product.name!r}; "
                        "use an empty one, e.g. --db /tmp/demo.db")
    from pmtui.demo import generate
    generate(wb, seed=args.seed)
    ws = wb.now
    emit(args, f"demo workspace created in {wb.location.describe()}: {len(ws.items)} items, "
               f"{len(ws.sprints)} sprints, {len(ws.roadmap)} roadmap items, {ws.count} events",
         {"items": len(ws.items), "sprints": len(ws.sprints), "events": ws.count})


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "demo", demo, "fill an empty store with a realistic demo workspace (backdated history)")
    p.add_argument("--seed", type=int, default=14)
