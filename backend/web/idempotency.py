"""`Idempotency-Key` on every POST: the same key gives the same response, and nothing happens twice.

A phone on a bad connection sends a step, loses the answer, and sends it again. The first response
to a (principal, key) pair is kept in `idempotency_keys` and replayed for every repeat of the same
request (`Idempotent-Replayed: true`); the same key with a different request is a 422.

One transaction per keyed request. The middleware opens it, takes a transaction-scoped advisory lock
on the key, runs the handler on that transaction's connection (backend/infra/db.py `ambient`: the append
and every read the handler makes), stores the response beside what it recorded, commits, and only
then sends the response. So:
- an answered request is always replayable: a client that saw the 201 finds it kept, even after a
  kill -9 of the server right after the commit;
- a request whose transaction never committed recorded nothing and keeps nothing, and its key is
  free at once (the lock goes with the connection), never "in progress" for minutes;
- a repeat that arrives while the first still runs finds the lock taken and gets 409
  `request-in-progress` with `Retry-After`: try again later, the first may yet succeed.

The key also derives the event store's command id (backend/relationships/service.py), and the ids a
command creates, so the append is idempotent on its own as well.

Responses that depend on a moment rather than on the request (401, 403, 409, 412, 429, 5xx) are
not kept, and whatever their transaction did is rolled back: after resolving a conflict, the same key
may be sent again. Routes whose answer carries a new secret (an access token, a calendar feed's URL)
opt out with `opt=SECRET_ANSWER`: keeping the answer would store the secret in clear, so each such
POST makes a new one. Signing up and in are not covered either: without a principal there is nobody
to scope a key to.
"""

import hashlib
import os
from typing import Any
from uuid import UUID

import asyncpg
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
from backend.eventstore.erasure import vacuum_read_models
from backend.fields import MAX_BODY_BYTES
from backend.infra.db import Ambient, after_commit, ambient
from backend.web.opts import SECRET_ANSWER
from backend.web.problems import problem

HEADER = b"idempotency-key"
MAX_KEY = 200
NOT_KEPT = frozenset({401, 403, 409, 412, 429})
RETRY_AFTER_SECONDS = 1
FAULTS_ENV = "RAPPORT_TEST_FAULTS"
"""Fault injection for the crash tests: `exit-after-commit` or `exit-before-commit` makes the process
die there (os._exit), on requests whose key starts with `crash-`. Never set in production."""

# A transaction-scoped lock per (principal, key): held while the first request runs, released by its
# commit, its rollback, or its connection dying with the process.
# (Two int4 keys: a lock space apart from the projectors' single bigint keys.)
_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext($1::text), hashtext($2))"
_FIND = "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE account_id = $1 AND key = $2"
_KEEP = """
INSERT INTO idempotency_keys (account_id, key, fingerprint, status, headers, body) VALUES ($1, $2, $3, $4, $5, $6)
"""


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


async def forget_answers(pool: asyncpg.Pool, account_id: UUID) -> None:
    """Drop every answer kept for this account's keys (after an erasure: they may quote the person)."""
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM idempotency_keys WHERE account_id = $1", account_id)

    async def vacuum() -> None:
        async with pool.acquire() as conn:
            await vacuum_read_models(conn, ["idempotency_keys"])

    await after_commit(vacuum)


class _Rollback(Exception):  # noqa: N818 - a signal, not an error
    """Leave the request's transaction without committing what it did, and send this answer."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__("rolled back")
        self.messages = messages


def _fault(where: str, key: str) -> None:
    """Die here if the crash tests asked for it (see FAULTS_ENV)."""
    if os.environ.get(FAULTS_ENV) == where and key.startswith("crash-"):
        os._exit(9)


def _in_progress() -> Exception:
    return problem(
        HTTP_409_CONFLICT,
        "request-in-progress",
        "The first request with this key is still running",
        "Nothing is lost: try again in a moment, and you will get its answer.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


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
        if not key.strip() or len(key) > MAX_KEY or not key.isprintable():
            raise problem(
                HTTP_400_BAD_REQUEST, "bad-idempotency-key", "Idempotency-Key must be 1-200 printable characters"
            )
        body = await _read_body(receive, MAX_BODY_BYTES)
        fingerprint = hashlib.sha256(
            b"\x00".join([method.encode(), scope["path"].encode(), scope["query_string"], body])
        ).digest()
        pool = scope["litestar_app"].state.pool
        answer: list[Message] = []
        request: Ambient | None = None
        async with pool.acquire() as conn:
            try:
                async with conn.transaction():
                    if not await conn.fetchval(_LOCK, str(principal.account_id), key):
                        raise _in_progress()
                    row = await conn.fetchrow(_FIND, principal.account_id, key)
                    if row is not None:
                        answer = self._repeat(row, fingerprint)
                    else:
                        answer, request = await self._first(
                            conn, scope, body, next_app, fingerprint=fingerprint, principal=principal, key=key
                        )
            except _Rollback as rolled_back:
                answer = rolled_back.messages
            else:
                _fault("exit-after-commit", key)
        for message in answer:
            await send(message)
        if request is not None:
            await request.committed()

    @staticmethod
    def _repeat(row: Any, fingerprint: bytes) -> list[Message]:
        if row["fingerprint"] != fingerprint:
            raise problem(
                HTTP_422_UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This idempotency key was used with a different request",
                "Use a new key for a new request.",
            )
        headers = [(bytes(n, "latin-1"), bytes(v, "latin-1")) for n, v in row["headers"]]
        headers.append((b"idempotent-replayed", b"true"))
        return [
            {"type": "http.response.start", "status": row["status"], "headers": headers},
            {"type": "http.response.body", "body": bytes(row["body"]), "more_body": False},
        ]

    @staticmethod
    async def _first(
        conn: Any, scope: Scope, body: bytes, next_app: ASGIApp, *, fingerprint: bytes, principal: Principal, key: str
    ) -> tuple[list[Message], Ambient]:
        """Run the request in this transaction; keep its answer in it, or roll back what it did."""
        sent = False

        async def replay_body() -> HTTPReceiveMessage:
            nonlocal sent
            if sent:  # pragma: no cover - the app reads the body once
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        with ambient(conn) as request:
            await next_app(scope, replay_body, capture)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start["status"] >= 500 or start["status"] in NOT_KEPT:
            # Not kept, and nothing it did stays: the same key may be sent again at once.
            raise _Rollback(messages)
        status: int = start["status"]
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start.get("headers", [])]
        chunks = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        await conn.execute(_KEEP, principal.account_id, key, fingerprint, status, headers, chunks)
        _fault("exit-before-commit", key)
        return messages, request
