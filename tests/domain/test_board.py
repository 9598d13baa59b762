"""Board: columns, WIP limits (soft warns, hard refuses), swimlanes."""

import pytest

from domain.board import DEFAULT_COLUMNS, Board, column
from domain.exceptions import DomainError, ValidationError, WipLimitExceededError
from domain.product import Product
from tests.domain.conftest import names, refused, take


def test_create_with_default_columns(product: Product) -> None:
    board = Board.create(product.id, " Main ")
    assert names(take(board)) == ["Board.Created"]
    assert board.name == "Main" and board.mode == "scrum" and board.swimlanes == "none"
    assert [c["name"] for c in board.columns] == [c["name"] for c in DEFAULT_COLUMNS]
    assert board.column_named("review") == {"name": "Review", "category": "doing", "wip": 3, "hard": True}
    assert board.id == Board.create_id(product.id, "MAIN")


def test_create_refuses_bad_mode_and_columns(product: Product) -> None:
    with pytest.raises(ValidationError, match="board mode must be scrum or kanban"):
        Board.create(product.id, "Main", mode="waterfall")
    with pytest.raises(ValidationError, match="column names must be different"):
        Board.create(product.id, "Main", columns=[{"name": "A"}, {"name": "a"}])
    with pytest.raises(ValidationError, match="column name must not be empty"):
        Board.create(product.id, "Main", columns=[{"name": " "}])
    with pytest.raises(ValidationError, match="board name must not be empty"):
        Board.create(product.id, "")


@pytest.mark.parametrize("wip", [0, -1, 1.5])
def test_column_refuses_bad_wip(wip: float) -> None:
    with pytest.raises(ValidationError, match="WIP limit must be a whole number of 1 or more"):
        column("X", wip=wip)


def test_hard_without_a_limit_is_not_hard() -> None:
    assert column("X", hard=True)["hard"] is False
    with pytest.raises(ValidationError, match="column category must be one of: todo, doing, done"):
        column("X", category="blocked")


def test_add_rename_remove_column(board: Board) -> None:
    board.add_column("QA", "doing", 2, True, position=3)
    board.rename_column("qa", "Testing")
    board.remove_column("Testing", occupied=0)
    events = take(board)
    assert names(events) == ["Board.Edited"] * 3
    added_cols = events[0].changes["columns"][1]
    assert [c["name"] for c in added_cols][3] == "QA"
    assert events[1].changes["columns"][1][3]["name"] == "Testing"
    assert [c["name"] for c in board.columns] == [c["name"] for c in DEFAULT_COLUMNS]


def test_add_column_clamps_position(board: Board) -> None:
    board.add_column("First", position=-5)
    board.add_column("Last", position=99)
    assert board.columns[0]["name"] == "First" and board.columns[-1]["name"] == "Last"


def test_move_column_reorders_the_workflow(board: Board) -> None:
    board.move_column("review", 1)
    board.move_column("Backlog", 99)  # clamped: the last place
    events = take(board)
    assert names(events) == ["Board.Edited"] * 2
    assert [c["name"] for c in board.columns] == ["Review", "To do", "In progress", "Done", "Backlog"]
    assert board.column_named("Review")["wip"] == 3 and board.column_named("Review")["hard"]


@pytest.mark.parametrize(("command", "error", "message"), [
    (lambda b: b.move_column("Nope", 0), ValidationError, "has no column 'Nope'"),
    (lambda b: b.move_column("Backlog", 0), DomainError, "nothing to change"),
    (lambda b: b.add_column("review"), ValidationError, "different from each other"),
    (lambda b: b.rename_column("Nope", "X"), ValidationError, "has no column 'Nope'"),
    (lambda b: b.rename_column("Review", "done"), ValidationError, "different from each other"),
    (lambda b: b.remove_column("Review", occupied=2), ValidationError, "still holds 2 item"),
    (lambda b: b.set_wip_limit("Review", 0), ValidationError, "WIP limit"),
    (lambda b: b.set_wip_limit("Review", 3, hard=True), DomainError, "nothing to change"),
    (lambda b: b.set_swimlanes("colour"), ValidationError, "swimlanes must be one of"),
    (lambda b: b.set_swimlanes("none"), DomainError, "nothing to change"),
])
def test_refused_board_commands_change_nothing(board: Board, command, error, message: str) -> None:
    with refused(board, error, message):
        command(board)


def test_removing_every_column_is_refused(product: Product) -> None:
    board = Board.create(product.id, "Tiny", columns=[{"name": "Only"}])
    with refused(board, ValidationError, "at least one column"):
        board.remove_column("Only", occupied=0)


def test_set_wip_limit_and_swimlanes(board: Board) -> None:
    board.set_wip_limit("In progress", 2, hard=True)
    board.set_wip_limit("Review", None)
    board.set_swimlanes("assignee")
    events = take(board)
    assert board.column_named("In progress")["wip"] == 2 and board.column_named("In progress")["hard"] is True
    assert board.column_named("Review") == {"name": "Review", "category": "doing", "wip": None, "hard": False}
    assert events[-1].changes == {"swimlanes": ["none", "assignee"]}


def test_check_wip_soft_limit_warns(board: Board) -> None:
    assert board.check_wip("In progress", 4) is None  # at the limit is fine
    warning = board.check_wip("in progress", 5)
    assert warning == "warning: In progress would hold 5 items, over its WIP limit of 4"


def test_check_wip_hard_limit_refuses(board: Board) -> None:
    assert board.check_wip("Review", 3) is None
    with pytest.raises(WipLimitExceededError, match=r"Review is full: it would hold 4 items, over its hard WIP limit of 3"):
        board.check_wip("Review", 4)


def test_check_wip_without_limit_and_unknown_column(board: Board) -> None:
    assert board.check_wip("Backlog", 10_000) is None
    with pytest.raises(ValidationError, match="no column 'Limbo'"):
        board.check_wip("Limbo", 1)


def test_first_and_done_columns(product: Product, board: Board) -> None:
    assert board.first_column() == "Backlog"
    assert board.done_column() == "Done"
    no_done = Board.create(product.id, "Flow", columns=[{"name": "A", "category": "todo"}, {"name": "B"}])
    assert no_done.done_column() == "B"


def test_an_archived_column_leaves_the_board_keeps_its_name_taken_and_comes_back_at_its_place() -> None:
    from uuid import uuid4

    from domain.board import Board
    from domain.exceptions import ValidationError
    board = Board.create(uuid4(), "Team", "kanban", [{"name": "To do", "category": "todo"},
                                                     {"name": "Later", "category": "todo"},
                                                     {"name": "Done", "category": "done"}])
    board.collect_events()
    board.archive_column("later")
    (archived,) = board.collect_events()
    assert type(archived).__name__ == "ColumnArchived"
    assert [c["name"] for c in board.columns] == ["To do", "Done"]
    with pytest.raises(ValidationError, match="different from each other"):
        board.add_column("Later")  # items name their column: an archived one's name stays taken
    with pytest.raises(ValidationError, match="has no column 'Later'"):
        board.column_named("Later")  # nothing moves into an archived column
    board.rename_column("Later", "Someday")  # an archived column can still be renamed
    board.restore_column("someday")
    assert [c["name"] for c in board.columns] == ["To do", "Someday", "Done"] and board.archived_columns == []
    board.archive_column("To do")
    board.archive_column("Someday")
    with pytest.raises(ValidationError, match="needs at least one column"):
        board.archive_column("Done")
