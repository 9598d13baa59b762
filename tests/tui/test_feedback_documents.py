"""The Feedback and Documents views, driven with Pilot on the demo: triage ten notes into links on
three items, open the PRD of an epic, edit it (in $EDITOR and in the TUI, conflicts included), see
the diff and who wrote each line, and travel back to the day of a roadmap decision to read the PRD
and the evidence as they were then. One snapshot of each view."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pmtui.service.workbench import Workbench
from pmtui.timespec import AsOf
from pmtui.tui.modals.fields_form import FieldsForm
from pmtui.tui.modals.item import ItemModal
from pmtui.tui.modals.prompt import AskModal
from pmtui.tui.screens import documents as documents_screen
from pmtui.tui.screens.backlog import BacklogScreen
from pmtui.tui.screens.documents import DocumentEditor, DocumentsScreen
from pmtui.tui.screens.feedback import FeedbackScreen
from projections.backlog_view import backlog
from projections.roadmap_view import decisions
from tests.tui.helpers import messages, writes_done
from tests.tui.views_support import frozen_app, frozen_demo_template, type_text  # noqa: F401

PRD = "Search that finds: PRD"



async def test_triage_ten_notes_into_links_on_three_items(make_app, wb: Workbench) -> None:
    app = make_app("feedback")
    targets = ["AC-8", "AC-14", "RM-4"]
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        inbox = [n.ref for n in screen.table.rows]
        assert len(inbox) == 10 and all(n.status == "inbox" for n in screen.table.rows)
        for n in range(10):
            note = screen.current_note()
            assert note is not None and note.ref == inbox[n]  # the next note moves under the cursor
            await pilot.press("l")
            await pilot.pause()
            assert isinstance(app.screen, FieldsForm)
            await type_text(pilot, targets[n % 3])
            await pilot.press("tab")
            if n % 3 == 2:
                await pilot.press("ctrl+u")  # the input holds "important"
                await type_text(pilot, "critical")
            await pilot.press("enter")
            await writes_done(pilot)
        assert screen.table.rows == [] and "No notes in the inbox" in screen.table.empty_text
        linked = {ref: wb.note(ref).links for ref in inbox}
        assert all(len(links) == 1 for links in linked.values())
        by_target = {t: [ref for ref in inbox if wb.target(t).id == linked[ref][0][0]] for t in targets}
        assert [len(v) for v in by_target.values()] == [4, 3, 3]
        assert {linked[ref][0][2] for ref in by_target["RM-4"]} == {"critical"}

        # Tag and archive, then the filter shows them.
        await pilot.press("f")  # all notes
        await pilot.pause()
        assert screen.filter == "all" and len(screen.table.rows) == 35
        note = screen.current_note()
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, AskModal)
        await pilot.press("end", "ctrl+u")  # (the input holds the current tags)
        await type_text(pilot, "holiday")
        await pilot.press("enter")
        await writes_done(pilot)
        assert "holiday" in wb.note(note.ref).tags
        await pilot.press("d")
        await writes_done(pilot)
        assert wb.note(note.ref).archived
        assert "archived" in str(screen.query_one("#feedback-detail").render())


async def test_backlog_sorts_by_evidence_and_the_item_detail_shows_it(make_app, wb: Workbench) -> None:
    expected = [i.key for i in backlog(wb.now, sort="evidence")][:3]
    assert expected[0] == "AC-3"  # the search epic: most distinct customers in the demo
    app = make_app("backlog")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        item = wb.item("AC-3")
        app.push_screen(ItemModal("AC-3"))
        await pilot.pause()
        evidence = str(app.screen.query_one("#item-evidence").render())
        assert "6 customers · 4 companies · 8 quotes" in evidence and "Priya Shah" in evidence
        documents = str(app.screen.query_one("#item-documents").render())
        assert "DOC-1  Search that finds: PRD · prd · version 5" in documents
        assert item.kind == "epic"


async def test_open_the_prd_edit_it_in_the_editor_see_diff_and_blame(make_app, wb: Workbench,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    edits: list[str] = []

    def fake_editor(app: Any, text: str) -> str:
        edits.append(text)
        return text + "\n## Next\nSynonyms in Q2.\n"

    monkeypatch.setattr(documents_screen.item_modal, "edit_in_editor", fake_editor)
    app = make_app("documents")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        doc = screen.current_document()
        assert doc is not None and doc.title == PRD and doc.revision == 5
        await pilot.pause()
        assert screen._shown is not None and screen._shown[1] == 5
        await pilot.press("e")
        await pilot.pause()
        assert edits == [doc.text]
        fresh = wb.document(PRD)
        assert fresh.revision == 6 and fresh.text.endswith("Synonyms in Q2.\n") and fresh.updated_by == "tester"
        await pilot.press("v")  # history: the newest version's diff
        await pilot.pause()
        assert screen.pane == "history" and screen.versions_table.current_row.revision == 6
        diff = str(screen.query_one("#documents-detail").render())
        assert "+## Next" in diff and "+Synonyms in Q2." in diff
        await pilot.press("j")  # version 5: what alice changed
        await pilot.pause()
        assert "-Customers search, find nothing and leave" in str(screen.query_one("#documents-detail").render())
        await pilot.press("b")
        await pilot.pause()
        blame = str(screen.query_one("#documents-detail").render())
        assert "v6   tester" in blame and "Synonyms in Q2." in blame and "v1   alice" in blame


async def test_editing_here_meets_a_colleagues_save_and_resolves_the_merge(make_app, wb: Workbench,
                                                                          store: Any) -> None:
    app = make_app("documents")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await pilot.press("E")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        # Meanwhile a colleague saves from another process.
        other = Workbench(db=str(store), actor="chen")
        try:
            base = other.document(PRD)
            other.edit_document(PRD, base.text.replace("# Search that finds", "# Search that finds (v2)"))
        finally:
            other.close()
        area = editor.query_one("#document-editor-text")
        area.load_text(area.text.replace("Contoso renewed.", "Contoso renewed in November."))
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert any("Conflict" in m and "chen saved version 6" in m for m in messages(app))
        again = app.screen
        assert isinstance(again, DocumentEditor)  # the merge, to resolve
        merged = again.query_one("#document-editor-text").text
        assert "# Search that finds (v2)" in merged and "Contoso renewed in November." in merged
        assert wb.document(PRD).revision == 6  # nothing overwritten
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert wb.document(PRD).revision == 7 and wb.document(PRD).text == merged
        assert isinstance(app.screen, DocumentsScreen)


async def test_travel_to_the_decision_day_shows_the_prd_and_evidence_of_then(make_app, wb: Workbench) -> None:
    (decision,) = [d for d in decisions(wb.records()) if d.reason.startswith("search complaints")]
    evening = datetime.fromtimestamp(decision.occurred, timezone.utc).replace(hour=23, minute=0)
    app = make_app("documents")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert app.travel_to(AsOf(moment=evening.timestamp(), text=evening.isoformat()))
        await pilot.pause()
        doc = screen.current_document()
        assert doc is not None and doc.revision == 3  # saved that afternoon, before the decision
        assert "Moved to **Now** on the roadmap." in doc.text and "Contoso renewed" not in doc.text
        await pilot.press("v")
        await pilot.pause()
        assert [v.revision for v in screen.versions_table.rows] == [3, 2, 1]
        await pilot.press("e")  # the past is read-only
        await pilot.pause()
        assert any("Read-only" in m for m in messages(app))
        assert wb.document(PRD).revision == 5

        await pilot.press("8")
        await pilot.pause()
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        await pilot.press("f")
        await pilot.pause()
        then = {n.ref for n in feedback.table.rows}
        assert len(then) < len(wb.now.notes) and all(
            wb.note(ref).recorded <= evening.timestamp() for ref in then)
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, FieldsForm)  # no triage in the past
        app.return_to_now()
        await pilot.pause()
        assert len(feedback.table.rows) == 35


def test_snapshot_feedback(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app("feedback"), terminal_size=(120, 30))


def test_snapshot_documents(snap_compare, frozen_app) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(frozen_app("documents"), terminal_size=(120, 30), run_before=settle)


async def test_the_palette_finds_notes_and_document_text(make_app, wb: Workbench) -> None:
    app = make_app("board")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "jaket")
        await pilot.pause(0.5)
        await pilot.press("down", "enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        assert screen.current_note().text == "Typos again: 'jaket' gives nothing."
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "vector index spike")
        await pilot.pause(0.5)
        await pilot.press("down", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DocumentsScreen) and app.screen.current_document().title == PRD


async def test_the_backlog_view_sorts_by_customer_evidence(make_app, wb: Workbench) -> None:
    expected = [i.key for i in backlog(wb.now, sort="evidence")]
    app = make_app("backlog")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        for _ in range(12):  # o cycles the sorts: rank, points, … evidence
            if screen.sort == "evidence":
                break
            await pilot.press("o")
            await pilot.pause()
        assert screen.sort == "evidence"
        rows = [i.key for i in screen.query_one("ItemTable").rows if hasattr(i, "key")]
        epics = {i.key for i in wb.now.items.values() if i.kind == "epic"}
        # Epics show with their children under them: the epics' order is the evidence order.
        assert rows[0] == "AC-3" and [k for k in rows if k in epics] == [k for k in expected if k in epics]


async def test_ctrl_r_in_an_item_takes_rice_reach_from_the_evidence(make_app, wb: Workbench) -> None:
    ws = wb.now
    with_evidence = [i for i in ws.items.values() if i.kind != "epic" and not i.archived
                     and wb.reach_suggestion(i.key) > 0]
    assert with_evidence, "the demo links feedback to stories"
    item = next(i for i in with_evidence if i.rice is None or i.rice["reach"] != wb.reach_suggestion(i.key))
    reach = wb.reach_suggestion(item.key)
    app = make_app("backlog")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(ItemModal(item.key))
        await pilot.pause()
        await pilot.press("ctrl+r")
        field = app.screen.query_one("#field-rice")
        assert field.value.split()[0] == str(reach)
        if len(field.value.split()) < 4:  # no RICE score yet: the user types the other parts
            await type_text(pilot, "2 0.8 3")
        await pilot.press("ctrl+s")
        await writes_done(pilot)
        assert not isinstance(app.screen, ItemModal)
    wb.refresh()
    assert wb.item(item.key).rice["reach"] == reach
    # An epic, or an item nobody asked for, is not offered the key.
    app = make_app("backlog")
    quiet = next(i for i in ws.items.values() if i.kind != "epic" and wb.reach_suggestion(i.key) == 0)
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(ItemModal(quiet.key))
        await pilot.pause()
        assert "accept_reach" not in {b.binding.action for b in app.screen.active_bindings.values()}
        await pilot.press("ctrl+r")
        assert app.screen.query_one("#field-rice").value == ("" if quiet.rice is None else app.screen.loaded["rice"])
