"""The board: columns with cards in rank order, WIP counts, swimlanes."""

from projections.board_view import board_view, count_in_column, default_board, lane_of
from projections.state import Workspace
from tests.projections.conftest import BOARD, Log


def test_no_board_yet() -> None:
    assert board_view(Workspace()) is None and default_board(Workspace()) is None


def test_cards_sit_in_their_columns_in_rank_order(log: Log) -> None:
    a = log.item(1, "A", status="In progress", rank="n", points=3)
    b = log.item(2, "B", status="In progress", rank="c", points=2.5)
    log.item(3, "C", status="Done")
    gone = log.item(4, "Gone", status="In progress")
    log.change("WorkItem.Archived", gone, archived=[False, True])
    log.item(5, "Epic", status="In progress", kind="epic")
    view = board_view(log.fold())
    assert view is not None and view.board.id == BOARD
    columns = {c.name: c for c in view.columns}
    assert [c.name for c in view.columns] == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert [i.key for i in columns["In progress"].cards] == ["PM-2", "PM-1"]
    assert [i.id for i in columns["In progress"].cards] == [b, a]
    assert columns["In progress"].points == 5.5 and columns["Done"].count == 1
    with_epics = board_view(log.fold(), include_epics=True)
    assert with_epics is not None and [i.key for i in with_epics.columns[2].cards] == ["PM-2", "PM-5", "PM-1"]  # m005 < n


def test_wip_limits(log: Log) -> None:
    log.item(1, "A", status="In progress")
    log.item(2, "B", status="Review")
    view = board_view(log.fold())
    assert view is not None
    progress, review = view.columns[2], view.columns[3]
    assert (progress.wip, progress.at_limit, progress.over_limit) == (2, False, False)
    assert (review.wip, review.hard, review.at_limit, review.over_limit) == (1, True, True, False)
    assert view.breaches == []
    log.item(3, "C", status="In progress")
    log.item(4, "D", status="In progress")  # a soft limit lets a third card in: a breach to show
    view = board_view(log.fold())
    assert view is not None and [c.name for c in view.breaches] == ["In progress"]
    assert view.columns[0].wip is None and not view.columns[0].over_limit


def test_sprint_board_shows_only_that_sprints_items(log: Log) -> None:
    s1 = log.sprint(1, "S1")
    log.item(1, "In sprint", sprint=s1)
    log.item(2, "Not in sprint")
    view = board_view(log.fold(), sprint_id=s1)
    assert view is not None
    assert [i.key for col in view.columns for i in col.cards] == ["PM-1"]


def test_count_in_column_skips_archived_and_epics(log: Log) -> None:
    log.item(1, "A", status="Review")
    log.item(2, "Epic", status="Review", kind="epic")
    gone = log.item(3, "Gone", status="Review")
    log.change("WorkItem.Archived", gone, archived=[False, True])
    ws = log.fold()
    assert count_in_column(ws, BOARD, "Review") == 1
    assert count_in_column(ws, BOARD, "Done") == 0


def test_swimlanes(log: Log) -> None:
    epic = log.item(1, "Payments", kind="epic")
    log.item(2, "A", assignee="bob", parent=epic, moscow="must")
    log.item(3, "B", labels=["expedite"], moscow="wont")
    log.item(4, "C", moscow="wont")
    log.change("Board.Edited", BOARD, swimlanes=["none", "assignee"])
    ws = log.fold()
    view = board_view(ws)
    assert view is not None and view.swimlanes == "assignee"
    assert view.lanes() == ["bob", "(unassigned)"]
    items = {i.key: i for i in ws.items.values()}
    assert lane_of(items["PM-2"], "epic", view.epic_titles) == "PM-1 Payments"
    assert lane_of(items["PM-3"], "epic", view.epic_titles) == "(no epic)"
    assert [lane_of(items[k], "class") for k in ("PM-2", "PM-3", "PM-4")] == ["expedite", "expedite", "intangible"]
    assert lane_of(items["PM-2"], "none") == ""
