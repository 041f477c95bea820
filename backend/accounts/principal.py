"""Who is asking: set on `request.user` by the authentication middleware, read by everything else."""

from typing import Literal
from uuid import UUID

import msgspec

Role = Literal["student", "advisor"]
Via = Literal["session", "token"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in account. A student's account id is also their student id (one namespace)."""

    account_id: UUID
    role: Role
    via: Via
    csrf_token: str | None = None
    """The session's CSRF token (cookie sessions only): unsafe requests must echo it."""

    @property
    def actor_id(self) -> str:
        """What each event's metadata records as the actor."""
        return f"{self.role}:{self.account_id}"
