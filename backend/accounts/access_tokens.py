"""Personal access tokens: named, revocable Bearer secrets for scripts and API clients.

The secret is shown once, when the token is made; afterwards only its display prefix is.
"""

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar.status_codes import HTTP_409_CONFLICT

from backend.accounts.credentials import DISPLAY_PREFIX_LENGTH, new_access_token
from backend.eventstore.types import Conn
from backend.web.problems import problem
from backend.web.tokens import digest

MAX_LIVE_TOKENS = 100


class AccessToken(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: AccessToken
    secret: str


def _token(row: Any) -> AccessToken:
    return AccessToken(
        token_id=row["token_id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
    )


_COLUMNS = "token_id, name, prefix, created_at, last_used_at"

# The cap is checked in the insert itself; two concurrent creations may both squeeze past it, once.
_ISSUE = f"""
INSERT INTO access_tokens (token_id, account_id, name, token_hash, prefix, created_at)
SELECT $1, $2, $3, $4, $5, $6
WHERE (SELECT count(*) FROM access_tokens WHERE account_id = $2 AND revoked_at IS NULL) < $7
RETURNING {_COLUMNS}
"""


async def issue_token(conn: Conn, *, account_id: UUID, name: str, now: datetime) -> IssuedToken:
    secret = new_access_token()
    row = await conn.fetchrow(
        _ISSUE,
        uuid.uuid4(),
        account_id,
        name,
        digest(secret),
        secret[:DISPLAY_PREFIX_LENGTH],
        now,
        MAX_LIVE_TOKENS,
    )
    if row is None:
        raise problem(
            HTTP_409_CONFLICT,
            "too-many-tokens",
            "Too many access tokens",
            f"An account can hold {MAX_LIVE_TOKENS} live tokens; revoke some first.",
        )
    return IssuedToken(token=_token(row), secret=secret)


async def live_tokens(conn: Conn, account_id: UUID) -> list[AccessToken]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM access_tokens WHERE account_id = $1 AND revoked_at IS NULL "
        "ORDER BY created_at, token_id",
        account_id,
    )
    return [_token(row) for row in rows]


async def revoke_token(conn: Conn, *, account_id: UUID, token_id: UUID) -> bool:
    """False when there is no such live token of this account (another's reads the same as none)."""
    revoked = await conn.fetchval(
        "UPDATE access_tokens SET revoked_at = now() "
        "WHERE token_id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING token_id",
        token_id,
        account_id,
    )
    return revoked is not None
