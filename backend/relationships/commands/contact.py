"""Adding, editing, archiving, restoring and erasing a contact; free notes."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from backend.errors import DomainError
from backend.eventstore.events import Event
from backend.fields import (
    Body,
    Email,
    EmailOrEmpty,
    LongText,
    Name,
    NonBlankText,
    Phone,
    PhoneOrEmpty,
    ShortText,
    Tags,
    Url,
    UrlOrEmpty,
)
from backend.relationships.commands.rules import Decider, must_be_active, must_exist, text
from backend.relationships.events import (
    ContactAdded,
    ContactArchived,
    ContactDetailsEdited,
    ContactErased,
    ContactRestored,
    HowFound,
    NoteAdded,
)
from backend.relationships.state import ContactState


class AddContact(Body, frozen=True, kw_only=True):
    """Add a person to the network: a name and how you found them are enough."""

    name: Name
    how_found: HowFound
    title: ShortText | None = None
    organization: ShortText | None = None
    career_field: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    linkedin_url: Url | None = None
    tags: Tags = msgspec.field(default_factory=list)
    notes: LongText | None = None
    contact_id: UUID | None = None


class EditContactDetails(Body, frozen=True, kw_only=True):
    """Change some details. Omitted fields stay; an empty string clears an optional one."""

    name: Name | None = None
    title: ShortText | None = None
    organization: ShortText | None = None
    career_field: ShortText | None = None
    email: EmailOrEmpty | None = None
    phone: PhoneOrEmpty | None = None
    linkedin_url: UrlOrEmpty | None = None
    tags: Tags | None = None
    notes: LongText | None = None


class AddNote(Body, frozen=True, kw_only=True):
    text: NonBlankText


class ArchiveContact(Body, frozen=True, kw_only=True):
    reason: ShortText | None = None


class RestoreContact(Body, frozen=True, kw_only=True):
    reason: ShortText | None = None


class EraseContact(Body, frozen=True, kw_only=True):
    """Make this person's personal data unrecoverable; dates, stages and counts remain."""


def _tags(tags: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = tag.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def add_contact(
    cmd: AddContact, state: ContactState, now: datetime, *, student_id: UUID, referred_by: UUID | None = None
) -> list[Event]:
    if state.exists:
        raise DomainError("This contact already exists.", code="contact-exists")
    if cmd.contact_id is None:
        raise ValueError("the handler assigns the contact id")
    if cmd.how_found == "referral" and referred_by is None:
        raise DomainError(
            "A referral is recorded on the contact who referred you, which adds this person.",
            code="referral-needs-referrer",
        )
    return [
        ContactAdded(
            contact_id=cmd.contact_id,
            student_id=student_id,
            name=cmd.name.strip(),
            title=text(cmd.title),
            organization=text(cmd.organization),
            career_field=text(cmd.career_field),
            email=text(cmd.email),
            phone=text(cmd.phone),
            linkedin_url=text(cmd.linkedin_url),
            how_found=cmd.how_found,
            referred_by=referred_by,
            tags=_tags(cmd.tags),
            notes=text(cmd.notes),
            added_at=now,
        )
    ]


def edit_details(cmd: EditContactDetails, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    changed: dict[str, object] = {}
    for field in ("title", "organization", "career_field", "email", "phone", "linkedin_url", "notes"):
        value = getattr(cmd, field)
        if value is not None and (text(value) or None) != getattr(state, field):
            changed[field] = value.strip()  # "" clears
    if cmd.name is not None and cmd.name.strip() != state.name:
        changed["name"] = cmd.name.strip()
    if cmd.tags is not None and tuple(_tags(cmd.tags)) != state.tags:
        changed["tags"] = _tags(cmd.tags)
    if not changed:
        return []
    return [ContactDetailsEdited(**changed)]  # type: ignore[arg-type]


def add_note(cmd: AddNote, state: ContactState, now: datetime) -> list[Event]:
    must_exist(state)
    return [NoteAdded(text=cmd.text.strip(), noted_at=now)]


def archive(cmd: ArchiveContact, state: ContactState, now: datetime) -> list[Event]:
    must_exist(state)
    if state.archived:
        raise DomainError("This contact is already archived.", code="already-archived")
    return [ContactArchived(reason=text(cmd.reason), archived_at=now)]


def restore(cmd: RestoreContact, state: ContactState, now: datetime) -> list[Event]:
    must_exist(state)
    if not state.archived:
        raise DomainError("This contact is not archived.", code="not-archived")
    return [ContactRestored(reason=text(cmd.reason), restored_at=now)]


def erase(cmd: EraseContact, state: ContactState, now: datetime) -> list[Event]:
    must_exist(state)
    return [ContactErased(erased_at=now)]


DECIDERS: dict[type[Any], Decider] = {
    EditContactDetails: edit_details,
    AddNote: add_note,
    ArchiveContact: archive,
    RestoreContact: restore,
    EraseContact: erase,
}
