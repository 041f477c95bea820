"""What the given/when/then tests of `decide` share: a fixed now, ids, folding a history, a refusal."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from backend.errors import DomainError
from backend.eventstore.events import Event
from backend.relationships.commands import decide
from backend.relationships.events import ContactErased
from backend.relationships.state import ContactState, fold

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
CONTACT = UUID(int=1)
STUDENT = UUID(int=2)
MEETING = UUID(int=10)
ERASED = ContactErased(erased_at=NOW - timedelta(hours=1))


def given(*events: Event) -> ContactState:
    """The state after these events (each recorded a day before NOW)."""
    return fold([(e, NOW - timedelta(days=1)) for e in events])


def refused(command: object, state: ContactState, code: str, kind: type[DomainError] = DomainError) -> DomainError:
    """Deciding `command` raises exactly `kind` with this `code`."""
    with pytest.raises(DomainError) as caught:
        decide(command, state, NOW)
    assert type(caught.value) is kind
    assert caught.value.code == code
    return caught.value
