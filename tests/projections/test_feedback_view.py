"""Feedback notes folded into the workspace: the inbox, links with importance, and the evidence of
an item, an epic and a roadmap item (distinct customers and companies, quotes newest first); the
backlog sorted by evidence; the product's stage changes in the decision log."""

from __future__ import annotations

from typing import Any

from domain.feedback import FeedbackNote
from projections.backlog_view import backlog
from projections.feedback_view import evidence, evidence_counts, find_note, notes, reach_suggestion
from projections.roadmap_view import decisions
from tests.projections.conftest import PRODUCT, Log, uid

RM = "00000000-0000-0000-0003-000000000001"


def note(log: Log, n: int, text: str, customer: str = "", company: str = "", said_at: str | None = None,
         tags: list[str] | None = None, **attribution: Any) -> str:
    note_id = str(FeedbackNote.create_id(PRODUCT, n))
    log.add("FeedbackNote.Recorded", note_id, {
        "product_id": PRODUCT, "number": n, "text": text, "customer": customer, "company": company,
        "source": "support", "said_at": said_at, "tags": tags or []}, **attribution)
    return note_id


def link(log: Log, note_id: str, old: list[list[str]], *new: list[str]) -> list[list[str]]:
    links = [*old, *new]
    log.change("FeedbackNote.Linked", note_id, links=[old, links])
    return links


def setup(log: Log) -> dict[str, str]:
    log.product()
    epic = log.item(1, "Checkout", kind="epic")
    story = log.item(2, "Coupon field", parent=epic)
    other = log.item(3, "Dark mode")
    log.add("RoadmapItem.Proposed", RM, {"product_id": PRODUCT, "title": "One-page checkout", "description": "",
                                         "horizon": "now", "timeframe": None, "status": "planned"})
    log.change("RoadmapItem.Edited", RM, epics=[[], [epic]])
    return {"epic": epic, "story": story, "other": other}


def test_notes_arrive_in_the_inbox_and_leave_it_when_linked_or_archived(log: Log) -> None:
    ids = setup(log)
    a = note(log, 1, "coupon field loses focus", "Ana", "Globex")
    b = note(log, 2, "want dark mode", "Bo", "Initech")
    c = note(log, 3, "spam")
    link(log, a, [], [ids["story"], "item", "critical"])
    log.change("FeedbackNote.Archived", c, archived=[False, True])
    ws = log.fold()
    assert [n.ref for n in notes(ws, "inbox")] == ["FB-2"]
    assert [n.ref for n in notes(ws)] == ["FB-2", "FB-1"]  # not archived, newest first
    assert [n.ref for n in notes(ws, "all")] == ["FB-3", "FB-2", "FB-1"]
    assert ws.notes[a].status == "linked" and ws.notes[c].status == "archived"
    assert find_note(ws, "fb-2") is ws.notes[b] and find_note(ws, "2") is ws.notes[b]
    assert [n.ref for n in notes(ws, "all", words="DARK")] == ["FB-2"]
    assert [n.ref for n in notes(ws, "all", target_ids={ids["story"]})] == ["FB-1"]


def test_evidence_counts_distinct_customers_and_rolls_up_to_epics_and_roadmap(log: Log) -> None:
    ids = setup(log)
    a = note(log, 1, "coupon loses focus", "Ana", "Globex", "2026-09-01")
    b = note(log, 2, "coupon again!", " ana ", "Globex", "2026-09-20")  # the same customer, written differently
    c = note(log, 3, "checkout is long", "Cy", "Umbrella", "2026-09-10")
    d = note(log, 4, "nobody named", "", "", "2026-09-05")
    link(log, a, [], [ids["story"], "item", "important"])
    link(log, b, [], [ids["story"], "item", "critical"])
    link(log, c, [], [ids["epic"], "item", "nice to have"])
    link(log, d, [], [RM, "roadmap", "important"])
    ws = log.fold()
    story = evidence(ws, ids["story"])
    assert (story.customer_count, story.company_count) == (1, 1)
    assert [q.ref for q in story.quotes] == ["FB-2", "FB-1"]  # newest said first
    assert story.weight == 3  # Ana's highest importance: critical
    epic = evidence(ws, ids["epic"])
    assert sorted(epic.customers) == ["Ana", "Cy"] and sorted(epic.companies) == ["Globex", "Umbrella"]
    assert [q.ref for q in epic.quotes] == ["FB-2", "FB-3", "FB-1"]
    roadmap = evidence(ws, RM)
    assert [q.ref for q in roadmap.quotes] == ["FB-2", "FB-3", "FB-4", "FB-1"]
    assert roadmap.customer_count == 2  # the unnamed note is a quote, not a customer
    assert evidence(ws, ids["other"]).quotes == []
    assert reach_suggestion(ws, ids["epic"]) == 2


def test_unlinking_archiving_and_relinking_change_the_evidence(log: Log) -> None:
    ids = setup(log)
    a = note(log, 1, "x", "Ana")
    links = link(log, a, [], [ids["story"], "item", "important"])
    assert evidence(log.fold(), ids["story"]).customer_count == 1
    log.change("FeedbackNote.Linked", a, links=[links, []])
    assert evidence(log.fold(), ids["story"]).customer_count == 0
    link(log, a, [], [ids["other"], "item", "critical"])
    log.change("FeedbackNote.Archived", a, archived=[False, True])
    assert evidence(log.fold(), ids["other"]).quotes == []


def test_backlog_sorts_by_distinct_customers_then_quotes(log: Log) -> None:
    ids = setup(log)
    for n, (customer, target) in enumerate([("Ana", "other"), ("Bo", "other"), ("Ana", "story"),
                                            ("Ana", "story"), ("Ana", "story")], 1):
        link(log, note(log, n, "x", customer), [], [ids[target], "item", "important"])
    ws = log.fold()
    counts = evidence_counts(ws)
    assert counts[ids["other"]] == (2, 2) and counts[ids["story"]] == (1, 3) and counts[ids["epic"]] == (1, 3)
    ordered = [i.key for i in backlog(ws, sort="evidence")]
    assert ordered[0] == "PM-3"  # two customers beat one customer with three quotes
    assert set(ordered[1:]) == {"PM-1", "PM-2"}  # one customer, three quotes each: by rank
    assert ordered[1:] == sorted(ordered[1:], key=lambda k: ws.item_by_key(k).rank)


def test_stage_changes_are_in_the_decision_log_with_their_reason(log: Log) -> None:
    log.product()
    log.change("Product.StageChanged", PRODUCT, stage=["development", "growth"], reason="product-market fit")
    ws = log.fold()
    assert ws.product.stage == "growth"
    (decision,) = decisions(log.records)
    assert (decision.roadmap_id, decision.changes, decision.reason) == \
        (PRODUCT, {"stage": ["development", "growth"]}, "product-market fit")
    assert decisions(log.records, uid("i", 9)) == []  # one roadmap item's log holds only its own
