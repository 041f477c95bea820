"""Guards shared by the deciders: one place for each invariant's wording."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.events import Event
from backend.relationships.state import ContactState, Interview

Decider = Callable[[Any, ContactState, datetime], list[Event]]


def must_exist(state: ContactState) -> None:
    if not state.exists:
        raise NotFoundError("No such contact.")
    if state.erased:
        raise DomainError("This contact was erased; nothing more can be recorded.", code="contact-erased")


def must_be_active(state: ContactState) -> None:
    must_exist(state)
    if state.archived:
        raise DomainError("This contact is archived; restore it first.", code="contact-archived")


def not_in_future(at: datetime, now: datetime, what: str) -> None:
    # A few minutes of slack for phone clocks that run ahead of the server's.
    if (at - now).total_seconds() > 300:
        raise ValidationFailedError(f"{what} cannot be in the future.")


def not_before(at: datetime, earlier: datetime | None, what: str, reference: str) -> None:
    if earlier is not None and at < earlier:
        raise ValidationFailedError(f"{what} cannot be before {reference}.")


def interview_of(state: ContactState, interview_id: UUID) -> Interview:
    found = state.interview(interview_id)
    if found is None:
        raise NotFoundError("No such interview for this contact.")
    return found


def text(value: str | None) -> str | None:
    """Trimmed text, or None when blank."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None
