"""Browser sessions: an opaque random token in an HttpOnly cookie, and a CSRF token beside it.

The cookie is SameSite=Lax, which already keeps it off cross-site POSTs in current browsers; the
CSRF token (which the client reads from a JSON body and echoes in `X-CSRF-Token`) covers the rest:
older browsers, and sibling subdomains, which count as same-site.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response

from backend.accounts.credentials import SESSION_COOKIE, SESSION_LIFETIME, Executor
from backend.eventstore.types import Conn
from backend.web.tokens import digest, new_secret


class NewSession(msgspec.Struct, frozen=True, kw_only=True):
    secret: str
    """Goes in the cookie, and nowhere else."""
    csrf_token: str


async def open_session(conn: Conn, account_id: UUID, now: datetime) -> NewSession:
    session = NewSession(secret=new_secret(), csrf_token=new_secret())
    await conn.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        digest(session.secret),
        account_id,
        session.csrf_token,
        now,
        now + SESSION_LIFETIME,
    )
    return session


async def revoke_session(conn: Executor, token_hash: bytes) -> None:
    await conn.execute(
        "UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
    )


async def revoke_every_session(conn: Executor, account_id: UUID) -> int:
    """Revoke all the account's live sessions; returns how many there were."""
    revoked: int = await conn.fetchval(
        """
        WITH revoked AS (
            UPDATE sessions SET revoked_at = now()
            WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > now()
            RETURNING 1
        )
        SELECT count(*) FROM revoked
        """,
        account_id,
    )
    return revoked


def set_session_cookie(request: Request[Any, Any, Any], response: Response[Any], session: NewSession) -> None:
    """Secure whenever the request came over HTTPS (a proxy terminating TLS must pass the scheme on)."""
    response.set_cookie(
        SESSION_COOKIE,
        session.secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
