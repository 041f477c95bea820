"""Pure tests of the event registry, upcasting and the personal-data codec."""

from typing import Annotated

import pytest

from backend.eventstore import REDACTED, Event, EventRegistry, PersonalData
from backend.eventstore.codec import (
    canonical_json,
    decode_event,
    new_key,
    seal,
    sealed_subjects,
    unseal,
)
from tests.events import ContactAdded, Pinged, ReferralReceived, Renamed, registry
from tests.events import Pinged as OriginalPinged

pytestmark = pytest.mark.unit


def test_events_are_tagged_with_their_class_name_and_frozen() -> None:
    event = Pinged(n=1)
    assert registry.of(event).name == "Pinged"
    with pytest.raises(AttributeError):
        event.n = 2  # type: ignore[misc]


def test_registry_knows_which_fields_are_personal_and_whose() -> None:
    personal = registry["ContactAdded"].personal
    assert set(personal) == {"name", "email"}
    assert registry["ReferralReceived"].personal["referred_name"].subject_field == "referred_stream"
    assert registry["Pinged"].personal == {}


def test_personal_fields_must_hold_text() -> None:
    class Bad(Event, frozen=True):
        age: Annotated[int, PersonalData()]

    with pytest.raises(TypeError, match="personal fields must be"):
        EventRegistry([Bad])


def test_a_type_name_belongs_to_one_class() -> None:
    class Pinged(Event, frozen=True):  # same tag as tests.events.Pinged
        n: int

    with pytest.raises(ValueError, match="already registered"):
        EventRegistry([OriginalPinged, Pinged])


def test_upcaster_turns_old_data_into_the_current_schema() -> None:
    event = decode_event(registry, "Renamed", 1, {"name": "Grace Hopper"})
    assert event == Renamed(first="Grace", last="Hopper")


def test_data_newer_than_the_code_is_refused() -> None:
    with pytest.raises(ValueError, match="newer than this code"):
        decode_event(registry, "Renamed", 3, {"first": "a", "last": "b"})


def test_missing_upcaster_is_reported() -> None:
    class Moved(Event, frozen=True):
        schema_version = 3
        to: str

    local = EventRegistry([Moved])
    with pytest.raises(LookupError, match="from v1 to v2"):
        local.upcast("Moved", 1, {"to": "x"})


def test_sealed_values_are_unreadable_without_the_key_and_exact_with_it() -> None:
    stream, key = "contact-1", new_key()
    event = ContactAdded(contact_id="1", name="Ada Lovelace", email="ada@example.org", organization="Analytical")
    stored, _ = seal(registry["ContactAdded"], event, stream, {stream: key})
    assert "Ada Lovelace" not in canonical_json(stored).decode()
    assert "ada@example.org" not in canonical_json(stored).decode()
    assert stored["organization"] == "Analytical"
    assert sealed_subjects(stored) == {stream}

    data, redacted = unseal("ContactAdded", dict(stored), {stream: key})
    assert redacted == frozenset()
    assert decode_event(registry, "ContactAdded", 1, data) == event


def test_without_the_key_personal_fields_read_as_redacted_and_the_rest_survives() -> None:
    stream = "contact-1"
    event = ContactAdded(contact_id="1", name="Ada", email=None, organization="Analytical")
    stored, _ = seal(registry["ContactAdded"], event, stream, {stream: new_key()})
    data, redacted = unseal("ContactAdded", dict(stored), {stream: None})
    assert redacted == {"name"}
    decoded = decode_event(registry, "ContactAdded", 1, data)
    assert decoded == ContactAdded(contact_id="1", name=REDACTED, email=None, organization="Analytical")


def test_a_field_can_belong_to_another_subject_than_the_stream() -> None:
    event = ReferralReceived(referred_stream="contact-2", referred_name="Alan")
    keys = {"contact-2": new_key()}
    stored, _ = seal(registry["ReferralReceived"], event, "contact-1", keys)
    assert sealed_subjects(stored) == {"contact-2"}
    data, _ = unseal("ReferralReceived", dict(stored), keys)
    assert data["referred_name"] == "Alan"


def test_a_sealed_value_moved_to_another_field_does_not_open() -> None:
    stream, key = "contact-1", new_key()
    event = ContactAdded(contact_id="1", name="Ada", email="ada@example.org")
    stored, _ = seal(registry["ContactAdded"], event, stream, {stream: key})
    swapped = {**stored, "name": stored["email"], "email": stored["name"]}
    _, redacted = unseal("ContactAdded", swapped, {stream: key})
    assert redacted == {"name", "email"}


def test_digest_form_is_stable_for_the_same_payload_and_hides_the_value() -> None:
    stream, key = "contact-1", new_key()
    event = ContactAdded(contact_id="1", name="Ada")
    _, first = seal(registry["ContactAdded"], event, stream, {stream: key})
    _, again = seal(registry["ContactAdded"], event, stream, {stream: key})
    _, other = seal(registry["ContactAdded"], ContactAdded(contact_id="1", name="Bob"), stream, {stream: key})
    assert canonical_json(first) == canonical_json(again)
    assert canonical_json(first) != canonical_json(other)
    assert "Ada" not in canonical_json(first).decode()


def test_events_with_floats_are_refused_because_they_would_not_hash_stably() -> None:
    class Measured(Event, frozen=True):
        score: float | None = None

    with pytest.raises(TypeError, match=r"no floats.*Measured\.score"):
        EventRegistry([Measured])
