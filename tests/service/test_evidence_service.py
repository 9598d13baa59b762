"""The evidence and documents story through the Workbench, on SQLite and on PostgreSQL: a PM records
what customers said, triages the inbox into links, reads the evidence and sorts the backlog by it,
accepts the suggested RICE reach, writes a PRD, edits it, meets a conflict with a colleague's save
and resolves it, and travels back to the day of a roadmap decision to read the PRD and the evidence
as they were then. Reopening the store replays it all."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.exceptions import EditConflictError, NothingChangedError, ValidationError
from pmtui.errors import NotFoundError, UserError
from pmtui.service.evidence import DocumentConflict
from pmtui.importers.csv_feedback import import_feedback_csv
from pmtui.service.workbench import Workbench
from projections.backlog_view import backlog
from projections.roadmap_view import decisions
from tests.storage.conftest import store  # noqa: F401 - the SQLite / PostgreSQL fixture

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_evidence_and_documents_story(store: str) -> None:  # noqa: F811
    wb = Workbench(db=store, actor="alice")
    try:
        with wb.recorded_as("alice", at(0)):
            wb.init_product("Shop", "AC")
            epic = wb.add_item("Checkout", kind="epic")
            coupon = wb.add_item("Coupon field", parent=epic, rice={"reach": 500, "impact": 2, "confidence": 0.8, "effort": 2})
            dark = wb.add_item("Dark mode")
            wb.add_item("Gift wrap")
            rm = wb.add_roadmap_item("One-page checkout", "next")
            wb.link_roadmap(rm, epic=epic)

        # Ten notes from four customers arrive in the inbox over two days.
        said = [("Ana", "Globex", "coupon field loses focus"), ("Bo", "Initech", "coupons are hidden"),
                ("Cy", "Umbrella", "please add dark mode"), ("Ana", "Globex", "still losing the coupon"),
                ("Dee", "Globex", "checkout takes too long"), ("Bo", "Initech", "dark mode at night"),
                ("Cy", "Umbrella", "checkout is slow on my phone"), ("Eve", "", "want gift wrap"),
                ("Ana", "Globex", "too many checkout steps"), ("Bo", "Initech", "coupon box too small")]
        refs = []
        for n, (customer, company, text) in enumerate(said):
            with wb.recorded_as("sam", at(1 + n * 0.1)):
                refs.append(wb.add_note(text, customer, company, "support", f"2026-09-{10 + n:02d}", "checkout"))
        assert refs == [f"FB-{n}" for n in range(1, 11)]
        assert len([n for n in wb.now.notes.values() if n.status == "inbox"]) == 10

        # Triage: links on three items, one archived.
        triage = [("FB-1", coupon, "critical"), ("FB-2", coupon, "important"), ("FB-4", coupon, "critical"),
                  ("FB-10", coupon, "nice-to-have"), ("FB-3", dark, "important"), ("FB-6", dark, "important"),
                  ("FB-5", rm, "critical"), ("FB-7", rm, "important"), ("FB-9", epic, "important")]
        with wb.recorded_as("alice", at(2)):
            for ref, target, importance in triage:
                wb.link_note(ref, target, importance)
            wb.archive_note("FB-8", reason="not our market")
        assert [n.ref for n in wb.now.notes.values() if n.status == "inbox"] == []
        # The inbox as a page of the store's index: newest first, with the count of them all.
        assert wb.note_page(wb.now, "inbox") == ([], 0)
        page, total = wb.note_page(wb.now, None, 3)
        assert ([n.ref for n in page], total) == (["FB-10", "FB-9", "FB-7"], 9)  # FB-8 is archived
        assert wb.note_page(wb.now, "all", 0)[1] == 10
        assert wb.note_page(wb.view(at(1.95).isoformat()), "inbox", 0)[1] == 10  # before triage
        with pytest.raises(NothingChangedError):
            wb.link_note("FB-1", coupon, "critical")
        with pytest.raises(NotFoundError):
            wb.link_note("FB-99", coupon)

        # Evidence: distinct customers and companies, quotes newest first; epics and roadmap roll up.
        found = wb.evidence(coupon)
        assert (found.customer_count, found.company_count) == (2, 2)
        assert [q.ref for q in found.quotes] == ["FB-10", "FB-4", "FB-2", "FB-1"]
        assert sorted(wb.evidence(epic).customers) == ["Ana", "Bo"]
        assert sorted(wb.evidence(rm).customers) == ["Ana", "Bo", "Cy", "Dee"]
        assert [i.key for i in backlog(wb.now, sort="evidence")][:3] == [epic, coupon, dark]

        # RICE reach: the suggestion is the count of distinct customers; accepting it is an edit.
        assert wb.reach_suggestion(coupon) == 2
        assert wb.accept_reach(coupon) == 2
        assert wb.item(coupon).rice["reach"] == 2
        with pytest.raises(UserError, match="no RICE score yet"):
            wb.accept_reach(dark)

        # A PRD for the epic, edited twice; the second edit on the day of a roadmap decision.
        with wb.recorded_as("alice", at(3)):
            doc = wb.add_document("Checkout PRD", "prd", epic, "# Checkout\n\nProblem: too many steps.\n")
        with wb.recorded_as("bob", at(4)):
            assert wb.edit_document(doc, "# Checkout\n\nProblem: too many steps.\nGoal: one page.\n") == 2
        with wb.recorded_as("alice", at(6)):
            wb.decide(rm, "customers keep asking", horizon="now")
            wb.edit_document(doc, "# Checkout\n\nProblem: too many steps.\nGoal: one page, in Q4.\n",
                             reason="after the roadmap decision")
        with wb.recorded_as("sam", at(7)):
            late = wb.add_note("checkout lost my cart", "Fay", "Hooli", "sales")
            wb.link_note(late, epic, "critical")

        # Two people edit at once: the stale save is refused, the merge keeps both.
        with pytest.raises(EditConflictError):
            wb.edit_document(doc, "# Checkout\n\nmine\n", base=2)
        result = wb.try_save_document(doc, "# Checkout (v2)\n\nProblem: too many steps.\nGoal: one page.\n", base=2)
        assert isinstance(result, DocumentConflict) and (result.base, result.current, result.conflicts) == (2, 3, 0)
        assert result.merged == "# Checkout (v2)\n\nProblem: too many steps.\nGoal: one page, in Q4.\n"
        assert wb.document(doc).revision == 3  # nothing was overwritten
        assert wb.try_save_document(doc, result.merged, result.current) == 4

        versions = wb.document_versions(doc)
        assert [(v.revision, v.actor) for v in versions] == [(1, "alice"), (2, "bob"), (3, "alice"), (4, "alice")]
        assert versions[2].reason == "after the roadmap decision"
        blame = wb.document_blame(doc)
        assert [(b.revision, b.actor) for b in blame] == [(4, "alice"), (1, "alice"), (1, "alice"), (3, "alice"), (1, "alice")]
        a, b, lines = wb.document_diff(doc)
        assert (a, b) == (3, 4) and "+# Checkout (v2)" in lines

        # Travel to the evening of the roadmap decision: the PRD and the evidence of then.
        (decision,) = [d for d in decisions(wb.records()) if d.changes.get("horizon") == ["next", "now"]]
        moment = datetime.fromtimestamp(decision.occurred, timezone.utc) + timedelta(hours=1)
        then = moment.isoformat()
        assert wb.document_version_text(doc, as_of=then) == "# Checkout\n\nProblem: too many steps.\nGoal: one page, in Q4.\n"
        assert [b.revision for b in wb.document_blame(doc, as_of=then)] == [1, 1, 1, 3, 1]
        past = wb.view(then)
        assert "Fay" not in wb.evidence(epic, past).customers and "Fay" in wb.evidence(epic).customers
        assert wb.document_version_text(doc, as_of=at(3.5).isoformat()) == "# Checkout\n\nProblem: too many steps.\n"

        # The product's stage is a decision with its reason.
        wb.change_stage("maturity", "growth has levelled off")
        assert [d.reason for d in decisions(wb.records()) if "stage" in d.changes] == ["growth has levelled off"]
        with pytest.raises(ValidationError):
            wb.change_stage("teen")
    finally:
        wb.close()

    # Reopened: everything comes back from the log.
    again = Workbench(db=store, actor="alice")
    try:
        assert again.document("Checkout PRD").revision == 4
        assert again.document(doc).text.startswith("# Checkout (v2)")
        assert again.evidence(coupon).customer_count == 2
        assert again.note("FB-8").archived and again.product().stage == "maturity"
    finally:
        again.close()


def test_refused_commands_write_nothing(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="alice")
    try:
        wb.init_product("Shop", "AC")
        key = wb.add_item("Thing")
        doc = wb.add_document("Spec", "spec", key, "hello")
        position = wb.now.position
        for bad in (lambda: wb.add_note("  "), lambda: wb.add_note("x", source="fax"),
                    lambda: wb.add_note("x", said_at="someday"), lambda: wb.link_note("FB-1", key),
                    lambda: wb.add_document("Spec", "prd"), lambda: wb.add_document("Other", "prd", "AC-99"),
                    lambda: wb.edit_document(doc, "hello"), lambda: wb.edit_document(doc, "new", base=7)):
            with pytest.raises((UserError, ValidationError, EditConflictError, NothingChangedError)):
                bad()
        assert wb.now.position == position
    finally:
        wb.close()


def test_csv_import_maps_columns_and_reports_what_it_skipped(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="alice")
    try:
        wb.init_product("Shop", "AC")
        wb.add_note("already here", "Ana", said_at="2026-10-02")
        survey = tmp_path / "survey.csv"
        survey.write_text(
            "Submitted At;Respondent;Organisation;What did they say;Labels\n"
            "02/10/2026;Ana;Globex;already here;\n"
            "03/10/2026;Bo;Initech;Coupons are hard to find;Checkout, Mobile App\n"
            "31/02/2026;Cy;;bad date row;\n"
            ";Dee;;;\n"
            "\n"
            "04/10/2026;Eve;Hooli;\"Two\nlines\";\n"
            "04/10/2026;Eve;Hooli;\"Two\nlines\";\n", encoding="utf-8")
        report = import_feedback_csv(wb, survey, date_format="%d/%m/%Y")
        assert report.imported == ["FB-2", "FB-3"] and report.count == 2
        assert [(s.row, s.reason.split(" (")[0]) for s in report.skipped] == [
            (2, "already there as FB-1"), (4, "date '31/02/2026' cannot be read"), (5, "no text"),
            (9, "already there as line 7")]
        bo = wb.note("FB-2")
        assert (bo.customer, bo.company, bo.said_at, bo.tags, bo.source) == \
            ("Bo", "Initech", "2026-10-03", ("checkout", "mobile-app"), "survey")
        assert wb.note("FB-3").text == "Two\nlines"
        position_after = wb.now.position
        with pytest.raises(UserError, match="no column 'Verbatim'"):
            import_feedback_csv(wb, survey, text_column="Verbatim")
        dry = import_feedback_csv(wb, survey, date_format="%d/%m/%Y", dry_run=True)
        assert dry.count == 0 and len(dry.skipped) == 6  # everything is there now
        assert wb.now.position == position_after
    finally:
        wb.close()


def test_import_in_chunks_numbers_every_note(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="alice")
    try:
        wb.init_product("Shop", "AC")
        numbers = wb.import_notes([{"text": f"note {n}", "customer": f"c{n % 7}"} for n in range(1203)])
        assert numbers == list(range(1, 1204))
        assert len(wb.now.notes) == 1203 and wb.note("FB-1203").text == "note 1202"
    finally:
        wb.close()


def test_triage_can_be_undone_and_redone(tmp_path: Path) -> None:
    wb = Workbench(db=str(tmp_path / "s.db"), actor="alice")
    try:
        wb.init_product("Shop", "AC")
        key = wb.add_item("Thing")
        wb.add_note("want it", "Ana")
        wb.link_note("FB-1", key, "critical")
        wb.archive_note("FB-1")
        assert "undo of" in wb.undo() and not wb.note("FB-1").archived
        wb.undo()
        assert wb.note("FB-1").links == () and wb.note("FB-1").status == "inbox"
        wb.redo()
        assert wb.note("FB-1").links[0][2] == "critical"
        wb.add_document("Spec", "spec", key, "line one\nline two\nline three")
        wb.edit_document("Spec", "line one\nline 2\n")
        wb.edit_document("Spec", "line one\nline 2\nline four")
        assert "undo of" in wb.undo()  # the text before the last save comes back as version 4
        assert wb.document_version_text("Spec") == "line one\nline 2\n"
        assert [v.revision for v in wb.document_versions("Spec")][-1] == 4
        wb.undo()  # the save before it: back to the deleted lines, which the diff did not carry
        assert wb.document_version_text("Spec") == "line one\nline two\nline three"
        wb.redo()
        assert wb.document_version_text("Spec") == "line one\nline 2\n"
        assert wb.document_version_text("Spec", 2) == "line one\nline 2\n"  # versions stay as saved
        bob = Workbench(db=str(tmp_path / "s.db"), actor="bob")
        try:
            bob.edit_document("Spec", "bob's text")
        finally:
            bob.close()
        with pytest.raises(UserError, match="bob changed"):
            wb.undo()  # would throw away bob's save
        assert wb.document_version_text("Spec") == "bob's text"
    finally:
        wb.close()
