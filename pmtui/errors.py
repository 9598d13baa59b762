"""Errors of the application layer. Every one of them is a user's mistake or a refused action:
the CLI prints the message on one line and exits 2, the TUI shows it as a notification."""

from domain.exceptions import DomainError


class UserError(DomainError):
    """Bad input or a refused action, explained in one line."""


class NotFoundError(UserError):
    pass


class ConflictError(UserError):
    """Someone else kept changing the same thing; the command was re-decided and still lost."""


class PermissionDeniedError(UserError):
    pass


class ReadOnlyError(UserError):
    """Past views (time travel) cannot be changed."""
