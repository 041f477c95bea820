"""Every event type and every projection Rapport knows, gathered from the bounded contexts."""

from backend.advisors.projection import ADVISORS
from backend.audit.activity import ACTIVITY_DAILY
from backend.audit.stream_summary import STREAM_SUMMARY
from backend.eventstore.events import EventRegistry
from backend.eventstore.projection import Mode, Projection
from backend.relationships.events import CONTACT_EVENTS
from backend.relationships.projection import RELATIONSHIPS
from backend.students.events import STUDENT_EVENTS

CORE_PROJECTIONS: tuple[Projection, ...] = (STREAM_SUMMARY, ACTIVITY_DAILY)
"""The store's own, generic read models: they work on any events (the core's tests use them alone)."""
PROJECTIONS: tuple[Projection, ...] = (*CORE_PROJECTIONS, RELATIONSHIPS, ADVISORS)


def event_registry() -> EventRegistry:
    """All event classes of all contexts (each context adds its own here as it is built)."""
    return EventRegistry((*STUDENT_EVENTS, *CONTACT_EVENTS))


def inline_projections(projections: tuple[Projection, ...] = PROJECTIONS) -> tuple[Projection, ...]:
    return tuple(p for p in projections if p.mode is Mode.INLINE)


def async_projections() -> tuple[Projection, ...]:
    return tuple(p for p in PROJECTIONS if p.mode is Mode.ASYNC)
