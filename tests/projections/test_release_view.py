"""Releases with their progress: one rule for the CLI's list and the TUI's Releases (epics and
archived items are not counted; done is a done column)."""

from projections.release_view import release_progress
from tests.projections.conftest import PRODUCT, Log, uid


def release(log: Log, n: int, name: str, target: str | None, **fields: object) -> str:
    release_id = uid("r", n)
    log.add("Release.Created", release_id, {"product_id": PRODUCT, "name": name, "target": target,
                                             "description": "", "milestone": False})
    if fields:
        log.change("Release.Edited", release_id, **{k: [None, v] for k, v in fields.items()})
    return release_id


def test_a_release_counts_its_items_and_those_done_but_no_epic_and_nothing_archived(log: Log) -> None:
    later = release(log, 1, "2.0", "2027-03-01")
    sooner = release(log, 2, "1.0", "2026-12-01", shipped=True)
    undated = release(log, 3, "Someday", None)
    log.item(1, "Epic", kind="epic", release=sooner)
    log.item(2, "Done one", status="Done", release=sooner)
    log.item(3, "Open one", release=sooner)
    gone = log.item(4, "Archived", status="Done", release=sooner)
    log.change("WorkItem.Archived", gone, archived=[False, True])
    log.item(5, "Next one", release=later)
    progress = release_progress(log.fold())
    assert [(p.release.name, p.done, p.items, p.state) for p in progress] == [
        ("1.0", 1, 2, "shipped"), ("2.0", 0, 1, "planned"), ("Someday", 0, 0, "planned")]
    assert progress[2].release.id == undated
