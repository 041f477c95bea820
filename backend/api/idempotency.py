"""`Idempotency-Key` on every POST: the same key gives the same response, and nothing happens twice.

A phone on a bad connection sends a step, loses the answer, and sends it again. The first response
to a (principal, key) pair is kept in `idempotency_keys` and replayed for every repeat of the same
request (`Idempotent-Replayed: true`); the same key with a different request is a 422. A repeat
that arrives while the first is still running gets 409 and tries again a moment later.

Two layers make this hold even if the process dies between the append and storing the response:
the key also derives the event store's command id (backend/relationships/service.py), so the
append itself is idempotent, and the ids a command creates derive from it too.

Responses that depend on a moment rather than on the request (401, 403, 409, 412, 429, 5xx) are
not kept: after resolving a conflict, the same key may be sent again. Routes whose answer carries a
new secret (an access token, a calendar feed's URL) opt out with `opt=SECRET_ANSWER`: keeping the
answer would store the secret in clear, so each such POST makes a new one. Signing up and in are not
covered either: without a principal there is nobody to scope a key to.
"""

import hashlib
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
)
from litestar.types import ASGIApp, HTTPReceiveMessage, Message, Receive, Scope, Send

from backend.accounts.principal import Principal
from backend.fields import MAX_BODY_BYTES
from backend.opts import SECRET_ANSWER
from backend.problems import problem

HEADER = b"idempotency-key"
MAX_KEY = 200
NOT_KEPT = frozenset({401, 403, 409, 412, 429})
ABANDONED_AFTER = "5 minutes"

_CLAIM = f"""
WITH claimed AS (
    INSERT INTO idempotency_keys (account_id, key, fingerprint) VALUES ($1, $2, $3)
    ON CONFLICT (account_id, key) DO UPDATE SET created_at = now(), fingerprint = EXCLUDED.fingerprint
    WHERE idempotency_keys.status IS NULL
      AND idempotency_keys.created_at < now() - interval '{ABANDONED_AFTER}'
      AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
    RETURNING true AS claimed
)
SELECT true AS claimed, NULL::bytea AS fingerprint, NULL::int AS status, NULL::jsonb AS headers, NULL::bytea AS body
FROM claimed
UNION ALL
SELECT false, fingerprint, status, headers, body FROM idempotency_keys
WHERE account_id = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM claimed)
"""
_KEEP = "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE account_id = $1 AND key = $2"
_RELEASE = "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status IS NULL"


def _key_of(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, refusing (413) one longer than the app accepts before holding it all."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # pragma: no cover - a disconnect while uploading
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise problem(HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too-large", "The request body is too large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = next(iter(SECRET_ANSWER))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = scope["method"] if scope["type"] == ScopeType.HTTP else ""
        key = _key_of(scope) if method == "POST" else None
        principal = scope.get("user")
        if key is None or not isinstance(principal, Principal):
            await next_app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY:
            raise problem(HTTP_400_BAD_REQUEST, "bad-idempotency-key", "Idempotency-Key must be 1-200 characters")
        body = await _read_body(receive, MAX_BODY_BYTES)
        fingerprint = hashlib.sha256(
            b"\x00".join([method.encode(), scope["path"].encode(), scope["query_string"], body])
        ).digest()
        pool = scope["litestar_app"].state.pool
        async with pool.acquire() as conn:
            row = await conn.fetchrow(_CLAIM, principal.account_id, key, fingerprint)
        if row is None or not row["claimed"]:
            await self._answer_repeat(row, fingerprint, send)
            return
        await self._first(scope, body, send, next_app, principal=principal, key=key)

    @staticmethod
    async def _answer_repeat(row: Any, fingerprint: bytes, send: Send) -> None:
        if row is None:  # pragma: no cover - the claim either inserts or finds the row
            raise problem(HTTP_409_CONFLICT, "request-in-progress", "Try again in a moment")
        if row["fingerprint"] != fingerprint:
            raise problem(
                HTTP_422_UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This idempotency key was used with a different request",
                "Use a new key for a new request.",
            )
        if row["status"] is None:
            raise problem(
                HTTP_409_CONFLICT,
                "request-in-progress",
                "The first request with this key is still running",
                "Try again in a moment.",
            )
        headers = [(bytes(n, "latin-1"), bytes(v, "latin-1")) for n, v in row["headers"]]
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": row["status"], "headers": headers})
        await send({"type": "http.response.body", "body": bytes(row["body"]), "more_body": False})

    @staticmethod
    async def _first(
        scope: Scope, body: bytes, send: Send, next_app: ASGIApp, *, principal: Principal, key: str
    ) -> None:
        sent = False

        async def replay_body() -> HTTPReceiveMessage:
            nonlocal sent
            if sent:  # pragma: no cover - the app reads the body once
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend((n.decode("latin-1"), v.decode("latin-1")) for n, v in message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        pool = scope["litestar_app"].state.pool
        try:
            await next_app(scope, replay_body, capture)
        finally:
            async with pool.acquire() as conn:
                if status < 500 and status not in NOT_KEPT:
                    await conn.execute(_KEEP, principal.account_id, key, status, headers, b"".join(chunks))
                else:
                    await conn.execute(_RELEASE, principal.account_id, key)
