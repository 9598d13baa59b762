"""Errors the domain raises when a command is refused. Each message is meant for a user."""


class DomainError(ValueError):
    """A command was refused; the message says why, in words a user understands."""


class ValidationError(DomainError):
    """A value given to a command is not acceptable."""


class WipLimitExceededError(DomainError):
    """A hard WIP limit refuses one more card in a column."""


class InvalidTransitionError(DomainError):
    """The command does not fit the aggregate's current state (e.g. closing a planned sprint)."""


class NothingChangedError(DomainError):
    """An edit that would change nothing; refused so the log holds only real changes."""


class EditConflictError(DomainError):
    """A document was saved by someone else since the version an edit started from.

    Nothing is overwritten: the caller merges (``domain.document.merge``) and saves again from the
    newer version, or shows the user the conflict to resolve."""

    def __init__(self, message: str, base: int, current: int) -> None:
        super().__init__(message)
        self.base = base
        self.current = current
