"""Given/when/then for adding, editing, noting, archiving, restoring and erasing a contact."""

from datetime import timedelta
from uuid import UUID

import pytest

from backend.errors import DomainError, NotFoundError
from backend.relationships.commands import decide
from backend.relationships.commands.contact import (
    AddContact,
    AddNote,
    ArchiveContact,
    EditContactDetails,
    EraseContact,
    RestoreContact,
    add_contact,
)
from backend.relationships.commands.follow_through import RecordReferral
from backend.relationships.events import (
    ContactAdded,
    ContactArchived,
    ContactDetailsEdited,
    ContactErased,
    ContactRestored,
    NoteAdded,
)
from backend.relationships.state import ContactState
from tests.unit.decide_support import CONTACT, ERASED, NOW, STUDENT, given, refused

pytestmark = pytest.mark.unit

REFERRER = UUID(int=3)

ADDED = ContactAdded(
    contact_id=CONTACT,
    student_id=STUDENT,
    name="Ada Lovelace",
    title="Engineer",
    organization="Acme Labs",
    email="ada@example.org",
    how_found="alumni",
    tags=["math"],
    added_at=NOW - timedelta(days=10),
)
ARCHIVED = ContactArchived(reason="moved on", archived_at=NOW - timedelta(days=2))


# -- add -----------------------------------------------------------------------------------------


def test_add_contact_trims_cleans_and_dates_it_now() -> None:
    cmd = AddContact(
        name="  Ada Lovelace ",
        how_found="colloquium",
        title=" Engineer ",
        organization="   ",
        email="ada@example.org",
        tags=["Math", " math ", "", "History"],
        notes=" met after the talk ",
        contact_id=CONTACT,
    )
    assert add_contact(cmd, ContactState(), NOW, student_id=STUDENT) == [
        ContactAdded(
            contact_id=CONTACT,
            student_id=STUDENT,
            name="Ada Lovelace",
            title="Engineer",
            organization=None,
            email="ada@example.org",
            how_found="colloquium",
            referred_by=None,
            tags=["math", "history"],
            notes="met after the talk",
            added_at=NOW,
        )
    ]


def test_add_a_referred_contact_names_the_referrer() -> None:
    cmd = AddContact(name="Grace Hopper", how_found="referral", contact_id=CONTACT)
    (event,) = add_contact(cmd, ContactState(), NOW, student_id=STUDENT, referred_by=REFERRER)
    assert isinstance(event, ContactAdded)
    assert (event.how_found, event.referred_by) == ("referral", REFERRER)


def test_a_referral_cannot_be_added_without_its_referrer() -> None:
    cmd = AddContact(name="Grace Hopper", how_found="referral", contact_id=CONTACT)
    with pytest.raises(DomainError) as caught:
        add_contact(cmd, ContactState(), NOW, student_id=STUDENT)
    assert caught.value.code == "referral-needs-referrer"


def test_a_contact_cannot_be_added_twice() -> None:
    cmd = AddContact(name="Ada Lovelace", how_found="alumni", contact_id=CONTACT)
    with pytest.raises(DomainError) as caught:
        add_contact(cmd, given(ADDED), NOW, student_id=STUDENT)
    assert caught.value.code == "contact-exists"
    # Erasing keeps the stream: the id stays taken.
    with pytest.raises(DomainError, match="already exists"):
        add_contact(cmd, given(ADDED, ERASED), NOW, student_id=STUDENT)


def test_the_handler_must_assign_the_contact_id() -> None:
    with pytest.raises(ValueError, match="contact id"):
        add_contact(AddContact(name="Ada", how_found="alumni"), ContactState(), NOW, student_id=STUDENT)


# -- edit ----------------------------------------------------------------------------------------


def test_edit_records_only_what_changed() -> None:
    cmd = EditContactDetails(
        name="Ada King",
        title="Engineer",  # unchanged
        organization=" Analytical Engines ",
        email="",  # cleared
        phone=None,  # untouched
        tags=["Math", "engines"],
    )
    assert decide(cmd, given(ADDED), NOW) == [
        ContactDetailsEdited(name="Ada King", organization="Analytical Engines", email="", tags=["math", "engines"])
    ]


def test_edit_with_nothing_new_records_nothing() -> None:
    cmd = EditContactDetails(name=" Ada Lovelace ", title="Engineer", organization="Acme Labs", tags=["MATH"], phone="")
    assert decide(cmd, given(ADDED), NOW) == []


def test_edit_refused_on_a_missing_archived_or_erased_contact() -> None:
    cmd = EditContactDetails(title="CTO")
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, ARCHIVED), "contact-archived")
    error = refused(cmd, given(ADDED, ERASED), "contact-erased")
    assert "erased" in str(error)


# -- notes ---------------------------------------------------------------------------------------


def test_add_a_note() -> None:
    assert decide(AddNote(text="  likes chess "), given(ADDED), NOW) == [NoteAdded(text="likes chess", noted_at=NOW)]


def test_notes_can_be_added_to_an_archived_contact() -> None:
    assert decide(AddNote(text="still interesting"), given(ADDED, ARCHIVED), NOW) == [
        NoteAdded(text="still interesting", noted_at=NOW)
    ]


def test_no_notes_on_a_missing_or_erased_contact() -> None:
    refused(AddNote(text="hello"), ContactState(), "not-found", NotFoundError)
    refused(AddNote(text="hello"), given(ADDED, ERASED), "contact-erased")


# -- archive and restore -------------------------------------------------------------------------


def test_archive_then_restore() -> None:
    assert decide(ArchiveContact(reason=" moved on "), given(ADDED), NOW) == [
        ContactArchived(reason="moved on", archived_at=NOW)
    ]
    assert decide(RestoreContact(reason=""), given(ADDED, ARCHIVED), NOW) == [
        ContactRestored(reason=None, restored_at=NOW)
    ]


def test_archive_twice_or_restore_what_is_not_archived_is_refused() -> None:
    refused(ArchiveContact(), given(ADDED, ARCHIVED), "already-archived")
    refused(RestoreContact(), given(ADDED), "not-archived")
    restored = given(ADDED, ARCHIVED, ContactRestored(restored_at=NOW - timedelta(hours=1)))
    refused(RestoreContact(), restored, "not-archived")


def test_archive_and_restore_refused_on_missing_or_erased_contacts() -> None:
    refused(ArchiveContact(), ContactState(), "not-found", NotFoundError)
    refused(RestoreContact(), ContactState(), "not-found", NotFoundError)
    refused(ArchiveContact(), given(ADDED, ERASED), "contact-erased")
    refused(RestoreContact(), given(ADDED, ARCHIVED, ERASED), "contact-erased")


# -- erase ---------------------------------------------------------------------------------------


def test_erase_an_active_or_archived_contact() -> None:
    assert decide(EraseContact(), given(ADDED), NOW) == [ContactErased(erased_at=NOW)]
    assert decide(EraseContact(), given(ADDED, ARCHIVED), NOW) == [ContactErased(erased_at=NOW)]


def test_erase_refused_when_missing_or_already_erased() -> None:
    refused(EraseContact(), ContactState(), "not-found", NotFoundError)
    refused(EraseContact(), given(ADDED, ERASED), "contact-erased")


# -- the dispatcher ------------------------------------------------------------------------------


def test_commands_with_their_own_signature_are_not_dispatched() -> None:
    # Adding a contact and recording a referral need more than (command, state, now).
    with pytest.raises(TypeError, match="AddContact"):
        decide(AddContact(name="Ada", how_found="alumni", contact_id=CONTACT), ContactState(), NOW)
    with pytest.raises(TypeError, match="RecordReferral"):
        decide(RecordReferral(name="Grace"), given(ADDED), NOW)
    with pytest.raises(TypeError, match="str"):
        decide("archive", given(ADDED), NOW)
