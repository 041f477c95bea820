"""An advisor's own row (`advisors`): who they are to the students who grant them access."""

from datetime import datetime
from uuid import UUID

from backend.eventstore.types import Conn

_REGISTER = "INSERT INTO advisors (advisor_id, display_name, created_at) VALUES ($1, $2, $3)"


async def register(conn: Conn, advisor_id: UUID, display_name: str, now: datetime) -> None:
    """Make the account `advisor_id` an advisor, in the caller's transaction (the account's sign-up)."""
    await conn.execute(_REGISTER, advisor_id, display_name, now)
