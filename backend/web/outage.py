"""When PostgreSQL cannot be used: which errors say so, why, and how long a client should wait.

A database that is down, restarting, full or out of reach is nobody's fault in the request, so it is
not a 500: REST answers 503 `database-unavailable` with Retry-After (backend/web/problems.py), a GraphQL
request is answered the same way (backend/web/graphql/schema.py), and GET /health names the reason
(backend/web/health.py). Everything else PostgreSQL raises (a constraint, a syntax error) stays a fault.
"""

import traceback
from collections.abc import Iterator
from typing import Literal

import asyncpg

RETRY_AFTER_SECONDS = 5
"""What Retry-After says: long enough for a restart or a failover to finish, short enough for a phone."""

Reason = Literal["refused", "not-accepting", "lost", "timeout", "unreachable"]

DESCRIPTIONS: dict[Reason, str] = {
    "refused": "Nothing is listening where the database should be (connection refused).",
    "not-accepting": "The database server refuses new connections (starting, stopping, full, or closed to them).",
    "lost": "The connection to the database was lost.",
    "timeout": "The database did not answer in time.",
    "unreachable": "The database cannot be reached.",
}
"""Each reason in words, for /health and the logs: fixed texts, so no host, path or user name leaks."""

# Errors that PostgreSQL (or asyncpg) raise only when the server, not the statement, is the trouble.
_SERVER: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Reason], ...] = (
    ((asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError), "not-accepting"),
    ((asyncpg.PostgresConnectionError, asyncpg.AdminShutdownError, asyncpg.CrashShutdownError), "lost"),
)
# Errors of the socket, the most specific first: about PostgreSQL only when raised while talking to it.
_SOCKET: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Reason], ...] = (
    ((ConnectionRefusedError, FileNotFoundError), "refused"),  # TCP, or the Unix socket is gone
    (TimeoutError, "timeout"),  # connecting, or a pool acquire that was given a timeout
    (ConnectionError, "lost"),  # reset, aborted, broken pipe
    (OSError, "unreachable"),  # no route, name not resolved...
)


def reason(error: BaseException) -> Reason | None:
    """Why `error` (or an error it was raised from, or one of a group) means the database cannot be used
    now; None for any other error."""
    for found in _chain(error):
        why = _reason_of(found)
        if why is not None:
            return why
    return None


def _reason_of(error: BaseException) -> Reason | None:
    for kinds, why in _SERVER:
        if isinstance(error, kinds):
            return why
    if (isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error)) or (
        isinstance(error, asyncpg.InternalClientError) and "another operation" in str(error)
    ):
        # Using a connection that was lost earlier (ending its transaction after the error that cut it was
        # already answered), or one the server cut while it sat in the pool, which leaves asyncpg's protocol
        # mid-operation (seen right after pg_terminate_backend): asyncpg says so only in words.
        return "lost"
    modules = _modules(error)
    if not any(m.startswith("asyncpg") for m in modules):
        return None  # a file this process failed to read is a fault of ours, not an outage
    for kinds, why in _SOCKET:
        if isinstance(error, kinds):
            return why
    if isinstance(error, asyncpg.PostgresError) and "asyncpg.connect_utils" in modules:
        # The server turned a new connection away: the database is closed to connections (ALLOW_CONNECTIONS
        # false), was dropped, or our role may no longer log in. The same SQLSTATEs from a statement are faults.
        return "not-accepting"
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, what it was raised from or during, and the members of exception groups, each once."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def _modules(error: BaseException) -> set[str]:
    """The modules of the frames `error` passed through, from where it was raised to where it was caught."""
    return {frame.f_globals.get("__name__", "") for frame, _ in traceback.walk_tb(error.__traceback__)}
