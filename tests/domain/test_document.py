"""Document: every save holds a line diff from the version it was edited from (not a copy); a save
from a stale version is refused as a conflict; the three-way merge keeps both sides' changes and
marks the lines both changed."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import attributed
from domain.document import Document, apply_ops, join_lines, line_diff, merge, split_lines
from domain.exceptions import EditConflictError, NothingChangedError, ValidationError
from tests.domain.conftest import fresh, names, refused, take

PRD = "# One-page checkout\n\n## Problem\nToo many steps.\n\n## Goals\n- under a minute\n"


@pytest.fixture
def doc() -> Document:
    with attributed("alice"):
        return fresh(lambda: Document.write("p1", 1, "Checkout PRD", "PRD", "item", "epic-1", PRD))


def test_write_creates_version_one(doc: Document) -> None:
    assert (doc.ref, doc.title, doc.kind, doc.owner_kind, doc.owner_id, doc.revision) == \
        ("DOC-1", "Checkout PRD", "prd", "item", "epic-1", 1)
    assert doc.text == PRD


def test_a_save_stores_a_diff_not_a_copy(doc: Document) -> None:
    new = PRD.replace("Too many steps.", "Too many steps, and too slow on phones.")
    assert doc.save(new, base=1) == 2
    (saved,) = take(doc)
    assert names([saved]) == ["Document.Saved"]
    assert saved.base == 1 and saved.revision == 2
    # Only the changed line travels: keep 3, delete 1, insert 1, keep the rest.
    assert saved.ops == [3, -1, ["Too many steps, and too slow on phones."], 4]
    assert doc.text == new


def test_a_stale_save_is_a_conflict_and_changes_nothing(doc: Document) -> None:
    doc.save(PRD + "more\n", base=1)
    with refused(doc, EditConflictError, "saved by someone else since version 1 \\(it is at version 2 now\\)"):
        doc.save(PRD + "mine\n", base=1)
    with refused(doc, NothingChangedError):
        doc.save(doc.text, base=2)


def test_kinds_and_owners_are_checked() -> None:
    assert Document.write("p1", 2, "Notes", "Meeting notes").kind == "meeting-notes"
    assert Document.write("p1", 3, "Ideas", "pitch").kind == "pitch"  # free kinds
    with pytest.raises(ValidationError, match="one word"):
        Document.write("p1", 4, "x", "two words!")
    with pytest.raises(ValidationError, match="belongs to one of"):
        Document.write("p1", 4, "x", "prd", "sprint", "s1")
    with pytest.raises(ValidationError, match="needs which one"):
        Document.write("p1", 4, "x", "prd", "item", None)


def test_rename(doc: Document) -> None:
    doc.rename(title="Checkout PRD v2", kind="spec")
    assert (doc.title, doc.kind) == ("Checkout PRD v2", "spec")
    with refused(doc, NothingChangedError):
        doc.rename(title="Checkout PRD v2")


lines = st.lists(st.sampled_from(["a", "b", "c", "", "# h", "- x"]), max_size=12)


@given(lines, lines)
def test_ops_rebuild_any_text_exactly(old: list[str], new: list[str]) -> None:
    assert apply_ops(old, line_diff(old, new)) == new
    text = join_lines(new)
    assert join_lines(split_lines(text)) == text


def test_merge_keeps_changes_to_different_places() -> None:
    base = "a\nb\nc\nd\ne"
    merged, conflicts = merge(base, "A\nb\nc\nd\ne", "a\nb\nc\nd\nE")
    assert (merged, conflicts) == ("A\nb\nc\nd\nE", 0)


def test_merge_marks_lines_both_changed() -> None:
    merged, conflicts = merge("a\nb\nc", "a\nmine\nc", "a\ntheirs\nc", "yours", "version 3 by bob")
    assert conflicts == 1
    assert merged == "a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> version 3 by bob\nc"
    same, none = merge("a\nb", "a\nX", "a\nX")
    assert (same, none) == ("a\nX", 0)


def test_merge_of_random_edits_to_separate_halves_has_no_conflict() -> None:
    rng = random.Random(3)
    base = [f"line {n}" for n in range(40)]
    for _ in range(50):
        mine, theirs = list(base), list(base)
        mine[rng.randrange(0, 15)] = "mine"
        theirs[rng.randrange(25, 40)] = "theirs"
        merged, conflicts = merge(join_lines(base), join_lines(mine), join_lines(theirs))
        assert conflicts == 0 and "mine" in merged and "theirs" in merged
        assert len(split_lines(merged)) == 40
