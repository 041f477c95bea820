"""Calendar feeds (`calendar_feeds`): a secret address per student whose interviews a calendar app
subscribes to. Only a token's SHA-256 is stored; a new address revokes the old one.
"""

from datetime import datetime
from uuid import UUID

from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.relationships.views import (
    View,
)
from backend.web.tokens import MAX_SECRET_LENGTH, digest, new_secret


class CalendarFeedView(View):
    url: str
    """Subscribe to this in a calendar app. Anyone with it can read the feed: revoke it to stop them."""
    created_at: datetime


class CalendarFeedStatus(View):
    """Whether the student has a live feed. Its address cannot be shown again (only a hash of its token is
    kept): a new feed gives a new address and stops this one."""

    active: bool
    created_at: datetime | None


# Creating a feed takes a per-student lock first, in its own statement, so that the revoking UPDATE
# (a later statement, hence a later snapshot) sees a feed a concurrent creation has just committed:
# two creations at once cannot leave two live feeds.
_LOCK_FEEDS = "SELECT pg_advisory_xact_lock(hashtextextended('calendar-feed:' || $1::uuid::text, 0))"

_CREATE_FEED = """
WITH revoked AS (UPDATE calendar_feeds SET revoked_at = now() WHERE student_id = $1 AND revoked_at IS NULL)
INSERT INTO calendar_feeds (token_hash, student_id) VALUES ($2, $1)
RETURNING created_at
"""

_REVOKE_FEED = "UPDATE calendar_feeds SET revoked_at = now() WHERE student_id = $1 AND revoked_at IS NULL"

_FEED_OWNER = "SELECT student_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL"


async def create_feed(conn: Conn, student_id: UUID) -> tuple[str, datetime]:
    """A new feed token (256 random bits) for the student; any earlier feed stops working."""
    token = new_secret()
    async with conn.transaction():
        await conn.execute(_LOCK_FEEDS, student_id)
        created_at: datetime = await conn.fetchval(_CREATE_FEED, student_id, digest(token))
    return token, created_at


_FEED_STATUS = "SELECT max(created_at) FROM calendar_feeds WHERE student_id = $1 AND revoked_at IS NULL"


async def feed_status(conn: Conn, student_id: UUID) -> CalendarFeedStatus:
    created_at: datetime | None = await conn.fetchval(_FEED_STATUS, student_id)
    return CalendarFeedStatus(active=created_at is not None, created_at=created_at)


async def revoke_feed(conn: Conn, student_id: UUID) -> None:
    await conn.execute(_REVOKE_FEED, student_id)


async def feed_owner(conn: Conn, token: str) -> UUID:
    """The student whose live feed this token opens; anything else is not found."""
    owner: UUID | None = None
    if 0 < len(token) <= MAX_SECRET_LENGTH:  # longer is none of ours: not worth hashing
        owner = await conn.fetchval(_FEED_OWNER, digest(token))
    if owner is None:
        raise NotFoundError("No such calendar feed. It may have been revoked.")
    return owner
