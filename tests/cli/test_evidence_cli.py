"""``pmtui feedback`` and ``pmtui doc`` end to end on a temporary store: the shapes the issue gives,
--json, --as-of, $EDITOR (a script standing in for the user), and one-line mistakes that write
nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.support import event_count, run


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "shop.db"
    monkeypatch.setenv("PMTUI_DB", str(db))
    monkeypatch.setenv("PMTUI_ACTOR", "carol")
    for argv in (["product", "init", "Shop", "--key", "AC"], ["item", "add", "Checkout", "--kind", "epic"],
                 ["item", "add", "Coupon", "field", "--epic", "AC-1", "--rice", "100,2,0.5,2"],
                 ["item", "add", "Dark", "mode"], ["roadmap", "add", "One-page", "checkout", "--horizon", "next"]):
        code, _, err = run(capsys, *argv)
        assert code == 0, err
    return db


def editor_script(tmp_path: Path, text: str, name: str = "editor.py") -> str:
    """An $EDITOR that replaces the file's text (and records what it was shown)."""
    script = tmp_path / name
    script.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(tmp_path / (name + '.seen'))!r}).write_text(pathlib.Path(sys.argv[1]).read_text())\n"
        f"pathlib.Path(sys.argv[1]).write_text({text!r})\n")
    return f"{sys.executable} {script}"


def test_feedback_add_link_list_show_and_evidence(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "feedback", "add", "I can't find the coupon field", "--customer", "Ana",
                         "--company", "Globex", "--source", "support", "--at", "2026-10-01", "--tags", "checkout,mobile")
    assert (code, out.strip()) == (0, "FB-1"), err
    code, out, _ = run(capsys, "feedback", "add", "dark please", "--customer", "Bo", "--json")
    note = json.loads(out)
    assert (note["ref"], note["status"], note["source"]) == ("FB-2", "inbox", "other")
    code, out, _ = run(capsys, "feedback", "link", "FB-1", "AC-2", "--importance", "critical")
    assert (code, out.strip()) == (0, "FB-1 -> AC-2 (critical)")
    assert run(capsys, "feedback", "link", "FB-2", "RM-1", "--importance", "nice-to-have")[0] == 0
    code, out, _ = run(capsys, "feedback", "list", "--json")
    assert [(n["ref"], n["links"]) for n in json.loads(out)] == [
        ("FB-2", [{"target": "RM-1", "kind": "roadmap", "importance": "nice to have"}]),
        ("FB-1", [{"target": "AC-2", "kind": "item", "importance": "critical"}])]
    code, out, _ = run(capsys, "feedback", "show", "FB-1")
    assert "Ana · Globex" in out and "AC-2     critical" in out and "tags: checkout, mobile" in out
    code, out, _ = run(capsys, "feedback", "evidence", "AC-1", "--json")
    data = json.loads(out)
    assert (data["customer_count"], data["quotes"][0]["via"]) == (1, "AC-2")
    code, out, _ = run(capsys, "backlog", "--sort", "evidence")
    assert out.splitlines()[2].startswith("AC-1") and "1 (1 quotes)" in out.splitlines()[2]
    code, out, _ = run(capsys, "item", "show", "AC-2", "--json")
    assert json.loads(out)["reach_suggestion"] == 1
    code, out, _ = run(capsys, "item", "edit", "AC-2", "--reach-from-evidence")
    assert code == 0 and "RICE reach 1" in out
    code, out, _ = run(capsys, "item", "show", "AC-2", "--json")
    assert json.loads(out)["rice"]["reach"] == 1
    code, out, _ = run(capsys, "feedback", "unlink", "FB-1", "AC-2")
    assert code == 0
    code, out, _ = run(capsys, "feedback", "list", "--inbox", "--json")
    assert [n["ref"] for n in json.loads(out)] == ["FB-1"]
    code, out, _ = run(capsys, "feedback", "list", "--as-of", "#6", "--json")
    assert json.loads(out) == []  # before the first note


def test_feedback_mistakes_are_one_line_and_write_nothing(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "feedback", "add", "x", "--customer", "Ana")
    before = event_count(shop)
    for argv, message in ((["feedback", "add", "x", "--source", "fax"], "feedback source must be one of"),
                          (["feedback", "add", "x", "--at", "someday"], "must be a date"),
                          (["feedback", "link", "FB-1", "AC-99"], "no work item or roadmap item 'AC-99'"),
                          (["feedback", "link", "FB-1", "AC-2", "--importance", "meh"], "importance must be one of"),
                          (["feedback", "show", "FB-7"], "no feedback note 'FB-7'"),
                          (["feedback", "list", "--status", "done"], "--status is one of"),
                          (["feedback", "import", "/nonexistent.csv"], "cannot read /nonexistent.csv")):
        code, out, err = run(capsys, *argv)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (argv, err)
    assert event_count(shop) == before


def test_feedback_import_reports_skips(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("id,Verbatim,Name,Date\n1,love it,Ana,2026-10-01\n2,,Bo,2026-10-02\n3,meh,Cy,soon\n")
    code, out, err = run(capsys, "feedback", "import", str(csv_file))
    assert code == 2 and "which column holds the text? give --text-column NAME" in err
    code, out, _ = run(capsys, "feedback", "import", str(csv_file), "--text-column", "verbatim", "--customer-column",
                       "Name", "--date-column", "Date", "--source", "interview", "--json")
    report = json.loads(out)
    assert report["imported"] == ["FB-1"]
    assert report["skipped"] == [{"line": 3, "reason": "no text"},
                                 {"line": 4, "reason": "date 'soon' cannot be read (give --date-format, e.g. %d/%m/%Y)"}]
    code, out, _ = run(capsys, "feedback", "show", "FB-1", "--json")
    assert json.loads(out)["source"] == "interview"


def test_doc_add_edit_show_log_diff_blame(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(capsys, "doc", "add", "Checkout PRD", "--kind", "prd", "--for", "AC-1", "--text",
                         "# Checkout\n\nProblem: slow.\n")
    assert (code, out.strip()) == (0, "DOC-1"), err
    draft = tmp_path / "draft.md"
    draft.write_text("# Checkout\n\nProblem: slow on phones.\n")
    monkeypatch.setenv("PMTUI_ACTOR", "bob")
    code, out, _ = run(capsys, "doc", "edit", "Checkout PRD", "--file", str(draft), "--reason", "phones")
    assert out.strip() == "DOC-1 saved as version 2"
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, "# Checkout\n\nProblem: slow on phones.\nGoal: 1 minute.\n"))
    monkeypatch.setenv("PMTUI_ACTOR", "carol")
    code, out, err = run(capsys, "doc", "edit", "DOC-1")
    assert code == 0, err
    assert (tmp_path / "editor.py.seen").read_text() == "# Checkout\n\nProblem: slow on phones.\n"
    code, out, _ = run(capsys, "doc", "show", "checkout prd", "--json")
    assert json.loads(out)["text"].endswith("Goal: 1 minute.\n") and json.loads(out)["version"] == 3
    code, out, _ = run(capsys, "doc", "show", "DOC-1", "--version", "1")
    assert "Problem: slow.\n" in out and "version 1 of 3" in out
    code, out, _ = run(capsys, "doc", "log", "DOC-1", "--json")
    assert [(v["version"], v["actor"], v["reason"]) for v in json.loads(out)] == [
        (3, "carol", ""), (2, "bob", "phones"), (1, "carol", "")]
    code, out, _ = run(capsys, "doc", "diff", "DOC-1")
    assert "+Goal: 1 minute." in out and "--- DOC-1 version 2" in out
    code, out, _ = run(capsys, "doc", "diff", "DOC-1", "1", "2", "--json")
    assert "-Problem: slow." in json.loads(out)["diff"]
    code, out, _ = run(capsys, "doc", "blame", "DOC-1", "--json")
    assert [(b["version"], b["actor"]) for b in json.loads(out)] == [(1, "carol"), (1, "carol"), (2, "bob"),
                                                                      (3, "carol"), (1, "carol")]
    code, out, _ = run(capsys, "doc", "list", "--for", "AC-1", "--json")
    assert [(d["ref"], d["for"], d["version"]) for d in json.loads(out)] == [("DOC-1", "AC-1", 3)]
    code, out, _ = run(capsys, "item", "show", "AC-1")
    assert "DOC-1   Checkout PRD (prd, version 3)" in out


def test_doc_conflict_is_refused_with_the_merge_to_resolve(shop: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "doc", "add", "Spec", "--kind", "spec", "--text", "a\nb\nc\n")
    run(capsys, "doc", "edit", "Spec", "--text", "a\nB (bob)\nc\n")
    before = event_count(shop)
    code, out, err = run(capsys, "doc", "edit", "Spec", "--text", "a\nB (carol)\nc\n", "--base", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "saved by carol since version 1 (now version 2); nothing was saved" in err
    merge_file = err.split(" is in ")[1].split(":")[0]
    assert Path(merge_file).read_text() == "a\n<<<<<<< yours\nB (carol)\n=======\nB (bob)\n>>>>>>> version 2 by carol\nc\n"
    assert event_count(shop) == before
    Path(merge_file).write_text("a\nB (both)\nc\n")
    code, out, _ = run(capsys, "doc", "edit", "Spec", "--file", merge_file, "--base", "2")
    assert out.strip() == "Spec".replace("Spec", "DOC-1") + " saved as version 3"
    os.unlink(merge_file)


def test_doc_edit_in_editor_through_a_real_process(shop: Path, tmp_path: Path) -> None:
    """The whole process, as a user runs it: $EDITOR opens, the save is version 2, stdout is clean."""
    env = {**os.environ, "EDITOR": editor_script(tmp_path, "# Written in the editor\n"), "PMTUI_ACTOR": "dana"}
    add = subprocess.run([sys.executable, "-m", "pmtui.cli", "doc", "add", "Release", "notes", "--kind",
                          "release-notes"], env=env, capture_output=True, text=True, timeout=60)
    assert (add.returncode, add.stdout.strip(), add.stderr) == (0, "DOC-1", "")
    assert (tmp_path / "editor.py.seen").read_text() == "# Release notes\n\n"  # the template it was shown
    env["EDITOR"] = editor_script(tmp_path, "# Written in the editor\n\n- faster checkout\n")
    edit = subprocess.run([sys.executable, "-m", "pmtui.cli", "doc", "edit", "Release", "notes"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert (edit.returncode, edit.stdout.strip()) == (0, "DOC-1 saved as version 2"), edit.stderr
    blame = subprocess.run([sys.executable, "-m", "pmtui.cli", "doc", "blame", "DOC-1"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert blame.stdout.splitlines()[0].startswith("v1   dana") and "- faster checkout" in blame.stdout
    env.pop("EDITOR")
    env.pop("VISUAL", None)
    none = subprocess.run([sys.executable, "-m", "pmtui.cli", "doc", "edit", "DOC-1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert none.returncode == 2 and none.stderr.strip() == \
        "pmtui: no text given and no EDITOR set: give --text or --file, or set EDITOR"


def test_stored_escape_sequences_are_not_obeyed(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "feedback", "add", "evil \x1b]0;pwned\x07 text", "--customer", "Mallory\x1b[2J")
    code, out, _ = run(capsys, "feedback", "show", "FB-1")
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07" in out and "Mallory\\x1b[2J" in out


def test_stage_change_is_in_the_decision_log(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "product", "stage", "growth", "--reason", "paying customers")
    assert (code, out.strip()) == (0, "Shop: development -> growth")
    code, out, _ = run(capsys, "roadmap", "decisions", "--json")
    assert json.loads(out)[0] == {**json.loads(out)[0], "item": "product", "reason": "paying customers",
                                  "changes": {"stage": ["development", "growth"]}}
