"""``pmtui okr``: objectives and key results, check-ins, progress."""

from __future__ import annotations

import argparse

from pmtui.cli.common import as_of_banner, command, emit, group, reason
from pmtui.errors import UserError
from pmtui.service.workbench import Workbench
from projections.okr_progress import okrs


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    found = okrs(ws, getattr(args, "period", None))

    def text() -> str:
        lines = []
        for o in found:
            ob = o.objective
            conf = f" · confidence {o.confidence:.0%}" if o.confidence is not None else ""
            lines.append(f"O-{ob.number} {ob.title}  [{ob.period}, {ob.owner or 'no owner'}]  {bar(o.progress)} {o.progress:.0%}{conf}")
            for n, kr, p in o.key_results:
                lines.append(f"   {n}. {kr['metric']}: {kr['current']:g}{kr['unit']} (from {kr['baseline']:g} to "
                             f"{kr['target']:g}{kr['unit']})  {bar(p, 12)} {p:.0%} · conf {kr['confidence']:.0%}")
        return "\n".join(lines) or "no objectives yet: `pmtui okr add TITLE --period 2026-Q4`"
    emit(args, lambda: as_of_banner(args, ws) + text(), [
        {"ref": f"O-{o.objective.number}", "title": o.objective.title, "period": o.objective.period,
         "owner": o.objective.owner, "progress": o.progress, "confidence": o.confidence,
         "key_results": [{"index": n, **kr, "progress": p} for n, kr, p in o.key_results]} for o in found])


def add(args: argparse.Namespace, wb: Workbench) -> None:
    ref = wb.add_objective(" ".join(args.title), args.period, args.owner or "", args.description or "", reason(args))
    emit(args, ref, {"ref": ref})


def add_kr(args: argparse.Namespace, wb: Workbench) -> None:
    ref = wb.add_key_result(args.objective, " ".join(args.metric), args.target, args.baseline, args.unit or "",
                            args.confidence, reason(args))
    emit(args, ref, {"ref": ref})


def _kr_ref(text: str) -> tuple[str, int]:
    """``O-1.2`` -> (``O-1``, 2)."""
    objective, _, index = text.rpartition(".")
    if not objective or not index.isdigit():
        raise UserError(f"a key result is named like O-1.2 (objective O-1, key result 2); got {text!r}")
    return objective, int(index)


def checkin(args: argparse.Namespace, wb: Workbench) -> None:
    objective, index = _kr_ref(args.kr)
    wb.check_in(objective, index, args.value, args.confidence, " ".join(args.comment or []), reason(args))
    emit(args, f"checked in {args.kr}: {args.value}", {"kr": args.kr, "value": args.value})


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    values = {k: getattr(args, k) for k in ("title", "period", "owner", "description") if getattr(args, k) is not None}
    if args.archive:
        values["archived"] = True
    if not values:
        raise UserError("nothing to edit: give --title, --period, --owner, --description or --archive")
    wb.edit_objective(args.objective, reason(args), **values)
    emit(args, f"{args.objective} edited", values)


def register(sub: argparse._SubParsersAction) -> None:
    okr = group(sub, "okr", "objectives and key results: progress; add, kr, checkin, edit", default=show, query=True)
    okr.parser.add_argument("--period", help="only this period, e.g. 2026-Q4")
    p = command(okr, "add", add, "add an objective", write=True)
    p.add_argument("title", nargs="+")
    p.add_argument("--period", required=True, help="2026-Q4, 2026-H1 or 2026")
    p.add_argument("--owner")
    p.add_argument("--description")
    p = command(okr, "kr", add_kr, "add a key result to an objective", write=True)
    p.add_argument("objective", help="O-n or the title")
    p.add_argument("metric", nargs="+")
    p.add_argument("--target", required=True)
    p.add_argument("--baseline", default=0)
    p.add_argument("--unit")
    p.add_argument("--confidence", default=0.5, help="0 to 1")
    p = command(okr, "checkin", checkin, "record a key result's new value", write=True)
    p.add_argument("kr", help="O-1.2: objective 1, key result 2")
    p.add_argument("value")
    p.add_argument("--confidence", help="0 to 1")
    p.add_argument("--comment", nargs="*")
    p = command(okr, "edit", edit, "change an objective", write=True)
    p.add_argument("objective")
    for name in ("title", "period", "owner", "description"):
        p.add_argument(f"--{name}")
    p.add_argument("--archive", action="store_true")
    command(okr, "show", show, "objectives with progress", query=True).set_defaults(period=None)
