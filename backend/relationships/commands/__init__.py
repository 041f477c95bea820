"""Commands on a contact: imperative Structs, each decided by a pure `decide(command, state, now)`.

`decide` returns the events to append to this contact's stream, or raises a DomainError that says
what is wrong. It does no I/O and never reads the clock: `now` is an argument.
"""

from datetime import datetime
from typing import Any

from backend.eventstore.events import Event
from backend.relationships.commands import contact, follow_through, interview, request
from backend.relationships.commands.rules import Decider
from backend.relationships.state import ContactState

DECIDERS: dict[type[Any], Decider] = {
    **contact.DECIDERS,
    **request.DECIDERS,
    **interview.DECIDERS,
    **follow_through.DECIDERS,
}


def decide(command: object, state: ContactState, now: datetime) -> list[Event]:
    """The events `command` produces on a contact in `state` at `now`."""
    try:
        decider = DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"no decider for {type(command).__name__}") from None
    return decider(command, state, now)
