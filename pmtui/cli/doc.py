"""``pmtui doc``: Markdown documents (PRDs, specs, strategy, release notes, meeting notes) with
their whole history: add, edit (in $EDITOR without --text/--file), show (any version, as of any
time), list, log, diff between versions, blame (each line with who wrote it and when).

Two people editing at once: the second save is refused as a conflict, never an overwrite. In
$EDITOR the merge of both edits is opened again to resolve; with --text/--file it is written to a
file named in the error, to resolve and save with --base."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from pmtui.counts import counted
from pmtui.terminal import safe_text
from pmtui.cli.common import as_of_banner, command, emit, group, reason, table
from pmtui.errors import UserError
from pmtui.service.evidence import DocumentConflict
from pmtui.service.workbench import Workbench
from pmtui.timespec import local
from projections.document_view import documents_of, owner_ref
from projections.state import DocumentView, Workspace


def doc_dict(ws: Workspace, doc: DocumentView, text: bool = True) -> dict[str, object]:
    data: dict[str, object] = {"ref": doc.ref, "title": doc.title, "kind": doc.kind, "for": owner_ref(ws, doc),
                               "version": doc.revision, "updated": local(doc.updated, True),
                               "updated_by": doc.updated_by, "created_by": doc.created_by}
    if text:
        data["text"] = doc.text
    return data


def edit_in_editor(text: str, title: str) -> str:
    """Open $EDITOR (or $VISUAL) on ``text``; returns what the user saved."""
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        raise UserError("no text given and no EDITOR set: give --text or --file, or set EDITOR")
    safe = "".join(c if c.isalnum() else "-" for c in title.lower())[:40] or "document"
    fd, name = tempfile.mkstemp(prefix=f"pmtui-{safe}-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            result = subprocess.run([*shlex.split(editor), name], check=False)
        except OSError as error:
            raise UserError(f"cannot run the editor {editor!r}: {error.strerror or error}") from None
        if result.returncode != 0:
            raise UserError(f"the editor exited with status {result.returncode}: nothing was saved")
        return Path(name).read_text(encoding="utf-8")
    finally:
        os.unlink(name)


def _given_text(args: argparse.Namespace) -> str | None:
    if args.text is not None and args.file is not None:
        raise UserError("give --text or --file, not both")
    if args.file is not None:
        if args.file == "-":
            return sys.stdin.read()
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read {args.file}: {getattr(error, 'strerror', None) or error}") from None
    return args.text


def add(args: argparse.Namespace, wb: Workbench) -> None:
    title = " ".join(args.title)
    text = _given_text(args)
    if text is None:
        wb.product()  # no product: say so before opening an editor
        text = edit_in_editor(f"# {title}\n\n", title)
    ref = wb.add_document(title, args.kind, args.for_, text, reason(args))
    emit(args, ref, doc_dict(wb.now, wb.document(ref)))


def edit(args: argparse.Namespace, wb: Workbench) -> None:
    ref = " ".join(args.title)
    doc = wb.document(ref)
    base = doc.revision if args.base is None else args.base
    text = _given_text(args)
    interactive = text is None
    if interactive:
        text = edit_in_editor(wb.document_version_text(doc.ref, base), doc.title)
    while True:
        result = wb.try_save_document(doc.ref, text, base, reason(args))
        if not isinstance(result, DocumentConflict):
            break
        if not interactive:
            fd, name = tempfile.mkstemp(prefix=f"{result.ref}-merge-", suffix=".md", dir=None)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(result.merged)
            raise UserError(
                f"{result.ref} was saved by {result.saved_by} since version {result.base} (now version "
                f"{result.current}); nothing was saved. Your text merged with theirs ({result.conflicts} "
                f"conflict(s) marked <<<<<<<) is in {name}: resolve it, then "
                f"`pmtui doc edit {result.ref} --file {name} --base {result.current}`")
        # In the editor: show the merge to resolve, and save it from the newer version.
        print(f"pmtui: {result.ref} was saved by {result.saved_by} meanwhile (version {result.current}); "
              f"opening the merge ({result.conflicts} conflict(s)) to resolve", file=sys.stderr)
        text, base = edit_in_editor(result.merged, doc.title), result.current
    fresh = wb.document(doc.ref)
    emit(args, f"{fresh.ref} saved as version {result}", doc_dict(wb.now, fresh, text=False))


def show(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    doc = wb.document(" ".join(args.title), ws)
    text = doc.text if args.version is None else wb.document_version_text(doc.ref, args.version, getattr(args, "as_of", None))
    version = args.version or doc.revision
    data = {**doc_dict(ws, doc, text=False), "version": version, "text": text}
    emit(args, lambda: as_of_banner(args, ws) + f"{doc.ref} {safe_text(doc.title)} · {doc.kind} · for "
         f"{owner_ref(ws, doc)} · version {version} of {doc.revision}\n\n" + safe_text(text), data)


def list_docs(args: argparse.Namespace, wb: Workbench) -> None:
    ws = wb.view(getattr(args, "as_of", None))
    owner = wb.target(args.for_, ws, releases=True).id if args.for_ else None
    if args.for_ in ("product",):
        owner = wb.product(ws).id
    docs = documents_of(ws, owner, args.kind)
    rows = [[d.ref, safe_text(d.title[:40]), d.kind, owner_ref(ws, d), d.revision, local(d.updated),
             safe_text(d.updated_by)] for d in docs]
    emit(args, lambda: as_of_banner(args, ws) + table(rows, ["doc", "title", "kind", "for", "ver", "updated", "by"])
         + f"\n{counted(len(docs), 'document')}", [doc_dict(ws, d, text=False) for d in docs])


def log(args: argparse.Namespace, wb: Workbench) -> None:
    ref = " ".join(args.title)
    ws = wb.view(getattr(args, "as_of", None))
    doc = wb.document(ref, ws)
    found = wb.document_versions(doc.ref, getattr(args, "as_of", None))
    found.reverse()
    rows = [[v.revision, f"#{v.seq}", local(v.occurred), safe_text(v.actor), f"+{v.added} -{v.removed}",
             safe_text(v.reason)] for v in found]
    emit(args, lambda: as_of_banner(args, ws) + f"{doc.ref} {safe_text(doc.title)}\n"
         + table(rows, ["ver", "event", "when", "who", "lines", "why"]),
         [{"version": v.revision, "event": v.seq, "occurred": local(v.occurred, True), "actor": v.actor,
           "added": v.added, "removed": v.removed, "reason": v.reason} for v in found])


def diff(args: argparse.Namespace, wb: Workbench) -> None:
    ref = args.title
    if (args.a is None) != (args.b is None):
        raise UserError("give two versions (pmtui doc diff TITLE 2 5), or none for the last two")
    ws = wb.view(getattr(args, "as_of", None))
    doc = wb.document(ref, ws)
    a, b, lines = wb.document_diff(doc.ref, args.a, args.b, getattr(args, "as_of", None))
    emit(args, lambda: as_of_banner(args, ws) + (safe_text("\n".join(lines)) or f"versions {a} and {b} are the same"),
         {"ref": doc.ref, "from": a, "to": b, "diff": lines})


def blame(args: argparse.Namespace, wb: Workbench) -> None:
    ref = " ".join(args.title)
    ws = wb.view(getattr(args, "as_of", None))
    doc = wb.document(ref, ws)
    lines = wb.document_blame(doc.ref, args.version, getattr(args, "as_of", None))
    width = max((len(b.actor) for b in lines), default=4)

    def text() -> str:
        return as_of_banner(args, ws) + "\n".join(
            f"v{b.revision:<3} {safe_text(b.actor):<{width}} {local(b.occurred)} {b.number:>4}│ {safe_text(b.text)}"
            for b in lines)
    emit(args, text, [{"line": b.number, "version": b.revision, "actor": b.actor, "occurred": local(b.occurred, True),
                       "text": b.text} for b in lines])


def register(sub: argparse._SubParsersAction) -> None:
    docs = group(sub, "doc", "documents (PRD, spec, strategy, release notes, meeting notes) with their history: "
                 "add, edit, show, list, log, diff, blame; alone: the list", default=list_docs, query=True,
                 for_=None, kind=None)

    def text_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--text", help="the whole text (Markdown)")
        p.add_argument("--file", help="read the text from a file (- for stdin)")

    p = command(docs, "add", add, "write a new document (no --text/--file: in $EDITOR); prints its reference",
                write=True)
    p.add_argument("title", nargs="+")
    p.add_argument("--kind", default="prd", help="prd, spec, strategy, release-notes, meeting-notes or your own")
    p.add_argument("--for", dest="for_", metavar="OWNER",
                   help="an epic or item (AC-12), a roadmap item (RM-3) or a release name; default the product")
    text_options(p)
    p = command(docs, "edit", edit, "save a new version (no --text/--file: in $EDITOR)", write=True)
    p.add_argument("title", nargs="+", help="the title or DOC-n")
    text_options(p)
    p.add_argument("--base", type=int, help="the version your text was edited from (default: the current)")
    p = command(docs, "show", show, "the text (of a version, or as of a time)", query=True)
    p.add_argument("title", nargs="+")
    p.add_argument("--version", type=int)
    p = command(docs, "list", list_docs, "documents, newest change first", query=True)
    p.add_argument("--for", dest="for_", metavar="OWNER")
    p.add_argument("--kind")
    p = command(docs, "log", log, "the versions, newest first, with who, when and why", query=True)
    p.add_argument("title", nargs="+")
    p = command(docs, "diff", diff, "what changed between two versions (default: the last two)", query=True)
    p.add_argument("title")
    p.add_argument("a", nargs="?", type=int)
    p.add_argument("b", nargs="?", type=int)
    p = command(docs, "blame", blame, "each line with the version, who wrote it and when", query=True)
    p.add_argument("title", nargs="+")
    p.add_argument("--version", type=int)
