"""The command palette finds feedback notes and document text: type words, pick a note (the
Feedback view opens on it) or a document line (the Documents view opens on the document).

Plain word matching (every word, any case), not fuzzy: it scans 100,000 notes per keystroke, and
a quote is found by what it says. It searches the workspace on show, so in the past it finds what
was known then."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import Hit, Hits, Provider

if TYPE_CHECKING:
    from pmtui.tui.app import PmApp

LIMIT = 12  # hits of each kind


def _snippet(text: str, word: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    at = max(0, flat.casefold().find(word) - 20)
    piece = flat[at:at + width]
    return ("…" if at else "") + piece + ("…" if at + width < len(flat) else "")


class EvidenceSearch(Provider):
    @property
    def pm(self) -> PmApp:
        return self.app  # type: ignore[return-value]

    def _open(self, mode: str, target_id: str) -> None:
        app = self.pm
        app.action_switch_view(mode)

        def select() -> None:
            screen = app.current_view()
            chooser: Callable[[str], Any] | None = getattr(screen, "select", None)
            if chooser is not None:
                chooser(target_id)

        app.call_after_refresh(select)

    async def search(self, query: str) -> Hits:
        words = query.casefold().split()
        if not words or len(query.strip()) < 3:
            return
        ws = self.pm.ws
        found = 0
        for note in reversed(list(ws.notes.values())):  # newest first
            haystack = f"{note.ref} {note.customer} {note.company} {note.text}".casefold()
            if all(w in haystack for w in words):
                who = " · ".join(p for p in (note.customer, note.company) if p) or "someone"
                yield Hit(1.0 - found / 100, f"Note {note.ref} ({who}): {_snippet(note.text, words[0])}",
                          partial(self._open, "feedback", note.id), help=f"{note.status} · said {note.said_at or '?'}")
                found += 1
                if found >= LIMIT:
                    break
        shown = 0
        for doc in ws.documents.values():
            for number, line in enumerate(doc.text.split("\n"), 1):
                if all(w in line.casefold() for w in words) or (number == 1 and all(w in doc.title.casefold() for w in words)):
                    yield Hit(0.9 - shown / 100, f"{doc.ref} {doc.title}, line {number}: {_snippet(line, words[0])}",
                              partial(self._open, "documents", doc.id), help=f"{doc.kind} · version {doc.revision}")
                    shown += 1
                    break
            if shown >= LIMIT:
                break
