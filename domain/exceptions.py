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
