"""Documents folded into the workspace (the current text rebuilt from diffs), and their history as
pure functions of the document's records: versions, any version's text, diffs, blame, as of a time."""

from __future__ import annotations

from domain.document import line_diff, split_lines
from projections.document_history import blame, diff, text_of, versions, visible
from projections.document_view import documents_of, find_document, owner_ref
from tests.projections.conftest import DAY, PRODUCT, T0, Log

DOC = "00000000-0000-0000-00dd-000000000001"
V1 = "# PRD\n\nProblem: slow checkout.\n"
V2 = "# PRD\n\nProblem: slow checkout.\nGoal: under a minute.\n"
V3 = "# Checkout PRD\n\nProblem: slow checkout.\nGoal: under a minute.\n"


def write(log: Log) -> None:
    log.product()
    epic = log.item(1, "Checkout", kind="epic")
    log.add("Document.Created", DOC, {"product_id": PRODUCT, "number": 1, "title": "Checkout PRD", "kind": "prd",
                                      "owner_kind": "item", "owner_id": epic, "text": V1}, actor="alice", occurred=T0)
    for revision, (old, new, who) in enumerate([(V1, V2, "bob"), (V2, V3, "chen")], 2):
        log.add("Document.Saved", DOC, {"ops": line_diff(split_lines(old), split_lines(new)), "base": revision - 1,
                                        "revision": revision}, actor=who, occurred=T0 + (revision - 1) * DAY)


def test_the_fold_rebuilds_the_current_text_from_diffs(log: Log) -> None:
    write(log)
    ws = log.fold()
    doc = ws.documents[DOC]
    assert (doc.text, doc.revision, doc.updated_by, doc.created_by) == (V3, 3, "chen", "alice")
    assert find_document(ws, "doc-1") is doc and find_document(ws, "checkout prd") is doc
    assert owner_ref(ws, doc) == "PM-1" and documents_of(ws, ws.item_by_key("PM-1").id) == [doc]


def test_versions_text_of_and_diff(log: Log) -> None:
    write(log)
    records = [r for r in log.records if r.aggregate_id == DOC]
    assert [(v.revision, v.actor, v.added, v.removed) for v in versions(records)] == \
        [(1, "alice", 4, 0), (2, "bob", 1, 0), (3, "chen", 1, 1)]
    assert [text_of(records, n) for n in (1, 2, 3)] == [V1, V2, V3] and text_of(records) == V3
    assert diff(V2, V3, "v2", "v3")[2:] == ["@@ -1,4 +1,4 @@", "-# PRD", "+# Checkout PRD", " ", " Problem: slow checkout.",
                                            " Goal: under a minute."]


def test_blame_names_who_wrote_each_line_and_when(log: Log) -> None:
    write(log)
    records = [r for r in log.records if r.aggregate_id == DOC]
    lines = blame(records)
    assert [(b.number, b.revision, b.actor, b.text) for b in lines] == [
        (1, 3, "chen", "# Checkout PRD"), (2, 1, "alice", ""), (3, 1, "alice", "Problem: slow checkout."),
        (4, 2, "bob", "Goal: under a minute."), (5, 1, "alice", "")]
    assert lines[3].occurred == T0 + DAY
    assert [b.actor for b in blame(records, 2)] == ["alice", "alice", "alice", "bob", "alice"]


def test_as_of_a_moment_shows_the_version_of_then(log: Log) -> None:
    write(log)
    records = [r for r in log.records if r.aggregate_id == DOC]
    then = visible(records, position=10**6, moment=T0 + DAY + 1)
    assert text_of(then) == V2 and [v.revision for v in versions(then)] == [1, 2]
    ws = log.fold()
    cut = [r for r in log.records if r.occurred <= T0 + DAY + 1 or r.aggregate_id != DOC]
    from projections.state import fold
    assert fold(cut).documents[DOC].text == V2 and ws.documents[DOC].text == V3
