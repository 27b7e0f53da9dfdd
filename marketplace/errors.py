"""Domain errors: raised by services, shown to the user by views."""


class DomainError(Exception):
    """A rule of the domain refused an operation. ``message`` is safe to show a user (already translated)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The acting user may not do this to this object."""


class NotFound(DomainError):
    """The object does not exist (or is hidden from this user)."""
