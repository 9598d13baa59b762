"""``pmtui demo``: create a realistic demo workspace in an empty store."""

from __future__ import annotations

import argparse

from pmtui.cli.common import command, emit
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench


def demo(args: argparse.Namespace, wb: Workbench) -> None:
    if wb.now.product is not None:
        raise UserError(f"the store {wb.location.describe()} already holds {wb.now.product.name!r}; "
                        "use an empty one, e.g. --db /tmp/demo.db")
    if args.items:
        from pmtui.service.demo_scale import generate_at_scale
        from pmtui.progress import progress

        with progress("writing the demo workspace", unit="items") as bar:
            generate_at_scale(wb, args.items, seed=args.seed, progress=bar.update)
    else:
        from pmtui.service.demo import generate
        generate(wb, seed=args.seed)
    ws = wb.now
    emit(args, f"demo workspace created in {wb.location.describe()}: {len(ws.items)} items, "
               f"{len(ws.sprints)} sprints, {len(ws.roadmap)} roadmap items, {ws.count} events",
         {"items": len(ws.items), "sprints": len(ws.sprints), "events": ws.count})


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "demo", demo, "fill an empty store with a realistic demo workspace (backdated history)")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--items", type=_items, metavar="N",
                   help="instead of the small demo, a workspace of about N items with a year of history "
                        "(about ten events an item), for trying pmtui at scale")


def _items(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--items takes a whole number (got {text!r})") from None
    if not 1 <= value <= 5_000_000:
        raise argparse.ArgumentTypeError(f"--items takes 1 to 5,000,000 (got {value})")
    return value
