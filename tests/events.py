"""A small set of events for the store's own tests (the real domain's events live in its contexts)."""

from typing import Annotated, Any

from backend.eventstore import Event, EventRegistry, Personal, PersonalData


class ContactAdded(Event, frozen=True):
    contact_id: str
    name: Personal[str]
    email: Personal[str | None] = None
    organization: str | None = None


class NoteAdded(Event, frozen=True):
    text: Personal[str]


class ReferralReceived(Event, frozen=True):
    referred_stream: str
    referred_name: Annotated[str, PersonalData(subject_field="referred_stream")]


class Pinged(Event, frozen=True):
    n: int


class Renamed(Event, frozen=True):
    """Version 2 split `name` into `first` and `last`."""

    schema_version = 2
    first: str
    last: str


registry = EventRegistry([ContactAdded, NoteAdded, ReferralReceived, Pinged, Renamed])


@registry.upcaster("Renamed", from_version=1)
def _split_name(data: dict[str, Any]) -> dict[str, Any]:
    first, _, last = data.pop("name").partition(" ")
    return {**data, "first": first, "last": last}
