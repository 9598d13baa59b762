"""``pmtui verify``, ``pmtui undo`` and ``pmtui redo``: trusting and correcting the history."""

from __future__ import annotations

import argparse

from pmtui.store import readmodel
from pmtui.cli.common import command, emit, reason, wants_json
from pmtui.progress import progress
from pmtui.service.workbench import Workbench
from pmtui.service.application import opened_log
from pmtui.store.storage import locate
from pmtui.store.verify import check_read_model, parse_expect, verify


def verify_command(args: argparse.Namespace, _: None) -> int:
    expect = parse_expect(args.expect) if args.expect else None
    # The store is opened raw: a tampered log may be one the read model cannot even fold.
    with opened_log(locate(getattr(args, "db", None))) as log, progress("verifying", unit="events") as bar:
        verdict = verify(log, expect, bar=bar)
        restores = log.recorder.read_provenance()
        unbuilt = verdict.intact and readmodel.never_built(log)
        cache_problem = check_read_model(log) if verdict.intact and not unbuilt else None

    def text() -> str:
        lines = [f"restored from {source} by {actor} at {at}: events #{first}..#{last}, head {head}"
                 for at, actor, source, first, last, head in restores]
        if cache_problem:
            lines.append(f"BROKEN: {cache_problem}")
        if unbuilt:
            lines.append("the read model's tables are not built yet (a store made before them): the next command "
                         "builds them, once")
        if verdict.intact:
            lines.append(f"verified {verdict.checked} events: the hash chain is intact")
            lines.append(f"head #{verdict.head_seq}:{verdict.head_hash}  (keep it; `pmtui verify --expect` checks "
                         "the log still holds it)")
        else:
            lines.append(f"BROKEN: {verdict.problem}")
            lines.append(f"{verdict.checked} events before it are intact (last good link #{verdict.head_seq})")
        return "\n".join(lines)

    emit(args, text, {
        "intact": verdict.intact, "checked": verdict.checked, "head_seq": verdict.head_seq,
        "head_hash": verdict.head_hash, "broken_at": verdict.broken_at, "problem": verdict.problem or None,
        "restores": [dict(zip(("at", "actor", "source", "first", "last", "head"), r, strict=True)) for r in restores],
        "read_model": cache_problem, "read_model_built": not unbuilt,
    })
    return 0 if verdict.intact and not cache_problem else 1


def rebuild_command(args: argparse.Namespace, _: None) -> int:
    """Refold the read model's tables from the log (after an upgrade, or when verify finds them changed)."""
    import time

    started = time.perf_counter()
    with opened_log(locate(getattr(args, "db", None))) as log, \
            progress("rebuilding the read model", unit="events") as bar:
        count = readmodel.rebuild(log, bar.update)
    seconds = time.perf_counter() - started
    emit(args, f"rebuilt the read model from {count:,} events in {seconds:.1f} s",
         {"events": count, "seconds": round(seconds, 3)})
    return 0


def undo_command(args: argparse.Namespace, wb: Workbench) -> None:
    if args.list:
        queue = wb.undo_list(args.limit)

        def text() -> str:
            if not queue:
                return f"nothing to undo: {wb.actor} has made no change here"
            lines = [f"{wb.actor}'s changes, newest first (undo takes the first; a refused one stops it):"]
            lines += [f"  {p.label}" + (f"  -- cannot: {p.refusal}" if p.refusal else "") for p in queue]
            return "\n".join(lines)
        emit(args, text, [{"event": p.seq, "description": p.label, "refusal": p.refusal} for p in queue])
        return
    from pmtui.service import undo as undoing

    done = undoing.undo(wb, reason(args))
    emit(args, done.description, {"undone": done.undone, "event": done.by, "description": done.description})


def redo_command(args: argparse.Namespace, wb: Workbench) -> None:
    from pmtui.service import undo as undoing

    done = undoing.redo(wb, reason(args))
    emit(args, done.description, {"redone": done.undone, "event": done.by, "description": done.description})


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "verify", verify_command,
                "check the hash chain: finds events edited, removed, reordered or renumbered in the database")
    p.add_argument("--expect", metavar="SEQ:HASH",
                   help="a head printed by an earlier verify: fail unless the log still holds that link "
                        "(catches events cut off the end)")
    p.set_defaults(raw_store=True)
    command(sub, "rebuild", rebuild_command,
            "fold the read model's tables again from the log (after an upgrade, or when verify finds them changed)"
            ).set_defaults(raw_store=True)
    p = command(sub, "undo", undo_command, "reverse your last change with a new event (history keeps both)",
                write=True)
    p.add_argument("--list", action="store_true", help="show what undo would reverse, newest first, and change nothing")
    p.add_argument("--limit", type=int, default=10, help="with --list: how many (default 10)")
    command(sub, "redo", redo_command, "reverse your last undo with a new event", write=True)
