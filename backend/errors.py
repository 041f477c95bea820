"""The domain's error vocabulary, free of any framework. REST maps it in backend/web/problems.py."""


class DomainError(Exception):
    """A command that the rules refuse. `code` is stable and machine-readable."""

    code = "rule-violated"
    title = "This step is not possible now"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    """The resource does not exist, or is not the principal's: both read the same, so nothing leaks."""

    code = "not-found"
    title = "Not found"


class ValidationFailedError(DomainError):
    """Well-formed input that makes no sense (e.g. an end before its start)."""

    code = "invalid-input"
    title = "Invalid input"


class BusyError(Exception):
    """Too many writers raced for the same thing to finish now; nothing was recorded. Try again later."""
