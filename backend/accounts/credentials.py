"""Secrets handed to clients (session cookies, personal access tokens) and how a request proves one.

Only a secret's SHA-256 is stored. The secrets are 256 random bits, so a fast hash is enough: there
is nothing to guess, and a stolen table gives no usable cookie or token. Looking one up is a single
statement that joins the account; a credential checked in the last few seconds is not looked up
again (RecentCredentials), so most requests authenticate without a round trip.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

import asyncpg
import msgspec

from backend.accounts.principal import Principal, Role
from backend.eventstore.types import Conn
from backend.web.tokens import digest, new_secret

SESSION_COOKIE = "rapport_session"
SESSION_LIFETIME = timedelta(days=30)
TOKEN_PREFIX = "rpt_"  # noqa: S105 - a public marker, not a secret
"""Personal access tokens start with this, so secret scanners and people can tell what they are."""
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
"""`last_used_at` is rewritten at most this often per token: a busy script does not write on every request."""


def new_access_token() -> str:
    return TOKEN_PREFIX + new_secret()


class SessionCredential(msgspec.Struct, frozen=True, kw_only=True):
    """`request.auth` for a cookie session."""

    token_hash: bytes
    csrf_token: str


class TokenCredential(msgspec.Struct, frozen=True, kw_only=True):
    """`request.auth` for a personal access token."""

    token_id: UUID


Credential = SessionCredential | TokenCredential
Executor = Conn | asyncpg.Pool


_SESSION_LOOKUP = """
SELECT a.account_id, a.role, s.csrf_token
FROM sessions s JOIN accounts a USING (account_id)
WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
"""

# The touch rides in the same statement as the lookup. The outer SELECT reads the snapshot taken
# before the UPDATE, which is all it needs; concurrent requests with one token queue briefly on the
# row and then skip it, since the first one made `last_used_at` recent.
_BEARER_LOOKUP = """
WITH touched AS (
    UPDATE access_tokens SET last_used_at = now()
    WHERE token_hash = $1 AND revoked_at IS NULL
      AND (last_used_at IS NULL OR last_used_at < now() - $2::interval)
    RETURNING token_id
)
SELECT t.token_id, a.account_id, a.role
FROM access_tokens t JOIN accounts a USING (account_id)
WHERE t.token_hash = $1 AND t.revoked_at IS NULL
"""


class RecentCredentials:
    """Credentials this process checked in the last few seconds: a burst of requests costs one lookup.

    Looking a credential up is a round trip per request, as much as many handlers' own work. A
    revocation made in this process drops the account's entries at once (sign-out, sign-out
    everywhere, a revoked token); another process notices within `ttl` seconds. Only valid
    credentials are kept, so guessing cannot fill the cache. Concurrent misses for one credential
    share a single lookup, so an expiry under load is one query, not a queue of them.
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[bytes, tuple[float, tuple[Principal, Credential]]] = {}
        self._pending: dict[bytes, asyncio.Future[tuple[Principal, Credential] | None]] = {}

    async def lookup(
        self, token_hash: bytes, load: Callable[[], Awaitable[tuple[Principal, Credential] | None]]
    ) -> tuple[Principal, Credential] | None:
        """The cached credential, or the result of `load` (shared with concurrent callers)."""
        cached = self.get(token_hash)
        if cached is not None:
            return cached
        pending = self._pending.get(token_hash)
        if pending is not None:
            shared: tuple[Principal, Credential] | None = await asyncio.shield(pending)
            return shared
        future: asyncio.Future[tuple[Principal, Credential] | None] = asyncio.get_running_loop().create_future()
        self._pending[token_hash] = future
        try:
            found = await load()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # marked retrieved: concurrent callers re-raise it themselves
            raise
        else:
            future.set_result(found)
            if found is not None:
                self.put(token_hash, found)
            return found
        finally:
            del self._pending[token_hash]

    def get(self, token_hash: bytes) -> tuple[Principal, Credential] | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(token_hash, None)
            return None
        return entry[1]

    def put(self, token_hash: bytes, found: tuple[Principal, Credential]) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare; a miss only costs the lookup
        self._entries[token_hash] = (time.monotonic() + self.ttl, found)

    def clear(self) -> None:
        self._entries.clear()

    def drop_account(self, account_id: UUID) -> None:
        for key in [k for k, (_, (p, _c)) in self._entries.items() if p.account_id == account_id]:
            self._entries.pop(key, None)


RECENT = RecentCredentials()


async def by_session(conn: Executor, secret: str) -> tuple[Principal, SessionCredential] | None:
    """The live session whose cookie this is, and its account."""
    token_hash = digest(secret)

    async def load() -> tuple[Principal, Credential] | None:
        row = await conn.fetchrow(_SESSION_LOOKUP, token_hash)
        if row is None:
            return None
        role: Role = row["role"]
        principal = Principal(account_id=row["account_id"], role=role, via="session", csrf_token=row["csrf_token"])
        return principal, SessionCredential(token_hash=token_hash, csrf_token=row["csrf_token"])

    found = await RECENT.lookup(token_hash, load)
    if found is None or not isinstance(found[1], SessionCredential):
        return None
    return found[0], found[1]


async def by_access_token(conn: Executor, secret: str) -> tuple[Principal, TokenCredential] | None:
    """The unrevoked personal access token this is, and its account (noting that it was used)."""
    token_hash = digest(secret)

    async def load() -> tuple[Principal, Credential] | None:
        row = await conn.fetchrow(_BEARER_LOOKUP, token_hash, TOKEN_TOUCH_INTERVAL)
        if row is None:
            return None
        role: Role = row["role"]
        return Principal(account_id=row["account_id"], role=role, via="token"), TokenCredential(
            token_id=row["token_id"]
        )

    found = await RECENT.lookup(token_hash, load)
    if found is None or not isinstance(found[1], TokenCredential):
        return None
    return found[0], found[1]
