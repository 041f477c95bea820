"""A relationship's history as a readable timeline: what happened, when, recorded by whom.

Entries come straight from the contact's stream (the log, not a read model), so the timeline is the
audit trail itself; after an erasure, personal fields read as REDACTED and are listed as such.
"""

from datetime import datetime
from typing import Any, assert_never

import msgspec

from backend.eventstore.events import REDACTED
from backend.eventstore.types import RecordedEvent
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    ContactAdded,
    ContactArchived,
    ContactDetailsEdited,
    ContactErased,
    ContactEvent,
    ContactRestored,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewRescheduled,
    InterviewScheduled,
    KeptInTouch,
    NoteAdded,
    ReferralReceived,
    ReflectionRecorded,
    RequestAnswered,
    RequestFollowedUp,
    ThanksSent,
    contact_event,
)
from backend.relationships.views import View

_FORMATS = {"phone": "a phone call", "video": "a video call", "in_person": "an in-person meeting"}


class Actor(View):
    id: str
    label: str
    """`you`, or who else recorded it (an advisor, the system)."""


class HistoryEntry(View):
    version: int
    type: str
    recorded_at: datetime
    actor: Actor
    summary: str
    data: dict[str, Any]
    redacted: list[str]
    """Fields whose personal data has been erased."""


class HistoryPage(View):
    items: list[HistoryEntry]
    next_cursor: str | None


def _name(value: str) -> str:
    return "someone (erased)" if value == REDACTED else value


def describe(event: ContactEvent) -> str:  # noqa: PLR0911, PLR0912 - one sentence per event type
    """One plain sentence for one event."""
    match event:
        case ContactAdded():
            via = (
                "referred by another contact" if event.referred_by else f"found via {event.how_found.replace('_', ' ')}"
            )
            return f"Added {_name(event.name)} ({via})."
        case ContactDetailsEdited():
            fields = [f.replace("_", " ") for f in event.__struct_fields__ if getattr(event, f) is not None]
            return f"Edited {', '.join(fields) or 'details'}."
        case InterviewRequested():
            return (
                f"Asked for {_FORMATS[event.format]} of {event.minutes} minutes, by {event.channel.replace('_', ' ')}."
            )
        case RequestFollowedUp():
            return f"Followed up by {event.channel.replace('_', ' ')}."
        case RequestAnswered():
            return "They accepted." if event.answer == "accepted" else "They declined."
        case InterviewScheduled():
            return f"Scheduled {_FORMATS[event.format]} for {event.starts_at:%a %d %b %Y %H:%M %Z}."
        case InterviewRescheduled():
            return f"Rescheduled (by the {event.by}) to {event.starts_at:%a %d %b %Y %H:%M %Z}."
        case InterviewCancelled():
            return f"Interview cancelled by the {event.by}" + (f": {event.reason}." if event.reason else ".")
        case InterviewHeld():
            return f"Held the interview ({event.minutes} minutes)."
        case ThanksSent():
            return "Sent a thank-you."
        case ReferralReceived():
            return f"Referred you to {_name(event.referred_name)}."
        case ActionItemAdded():
            return f"Promised: {event.what} (by {event.due:%d %b %Y})."
        case ActionItemCompleted():
            return "Kept a promise."
        case ReflectionRecorded():
            return "Reflected on what you learned."
        case KeptInTouch():
            return "Stayed in touch with an update."
        case NoteAdded():
            return "Added a note."
        case ContactArchived():
            return "Archived" + (f": {event.reason}." if event.reason else ".")
        case ContactRestored():
            return "Restored from the archive."
        case ContactErased():
            return "Erased this person's personal data."
        case _:
            # A new event without its sentence is a type error, not a bare class name in the timeline.
            assert_never(event)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def entry(recorded: RecordedEvent, you: str) -> HistoryEntry:
    data = msgspec.to_builtins(recorded.event)
    return HistoryEntry(
        version=recorded.version,
        type=recorded.type,
        recorded_at=recorded.recorded_at,
        actor=Actor(id=recorded.actor_id, label="you" if recorded.actor_id == you else recorded.actor_id.split(":")[0]),
        summary=describe(contact_event(recorded.event)),
        data={_camel(k): v for k, v in data.items() if k != "type"},
        redacted=sorted(_camel(f) for f in recorded.redacted),
    )
