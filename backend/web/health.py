"""GET /health: is the database reachable, and is its schema at the migrations' head? If not, why."""

import asyncio
import logging
from typing import Literal

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from backend.infra.migrate import head_revision
from backend.web import outage

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
"""How long the check waits for a connection and its two statements: every connection may be stuck on
a database that stopped answering, and the check must still answer."""

Reason = Literal["refused", "not-accepting", "lost", "timeout", "unreachable", "schema-not-at-head"]
"""backend/web/outage.py's reasons, and one of our own (spelled out: the OpenAPI document lists only the first
part of a Literal nested in another)."""


class DatabaseHealth(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    reachable: bool
    server_version: str | None
    migration: str | None
    migration_head: str
    at_head: bool
    reason: Reason | None = None
    """Why the service is degraded: the database refused the connection, does not accept connections
    now, lost it, did not answer in time, cannot be reached; or its schema is not at the migrations' head."""
    detail: str | None = None
    """The reason in words."""


class Health(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    status: str  # "ok" | "degraded"
    database: DatabaseHealth


async def _database(pool: asyncpg.Pool, head: str) -> DatabaseHealth:
    try:
        async with asyncio.timeout(CHECK_SECONDS), pool.acquire() as conn:
            server_version = await conn.fetchval("SHOW server_version")
            try:
                migration = await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1")
            except asyncpg.UndefinedTableError:  # reachable, never migrated
                migration = None
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:  # TimeoutError is an OSError
        why: outage.Reason = outage.reason(error) or ("timeout" if isinstance(error, TimeoutError) else "unreachable")
        log.warning("health: the database is unavailable: %s (%s)", outage.DESCRIPTIONS[why], type(error).__name__)
        return DatabaseHealth(
            reachable=False,
            server_version=None,
            migration=None,
            migration_head=head,
            at_head=False,
            reason=why,
            detail=outage.DESCRIPTIONS[why],
        )
    at_head = migration == head
    return DatabaseHealth(
        reachable=True,
        server_version=server_version,
        migration=migration,
        migration_head=head,
        at_head=at_head,
        reason=None if at_head else "schema-not-at-head",
        detail=None if at_head else f"The schema is at {migration or 'no migration'}; the code needs {head}.",
    )


class HealthController(Controller):
    path = "/health"
    tags = ("Health",)

    @get(
        operation_id="GetHealth",
        summary="Health of the service and its database",
        responses={
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
                data_container=Health,
                description="The database is unreachable or not migrated to head (`database.reason` says which)",
            )
        },
    )
    async def health(self, state: State) -> Response[Health]:
        """Reports the database and the migration head; 503 while either is not right, saying why."""
        database = await _database(state.pool, head_revision())
        if database.at_head:
            return Response(Health(status="ok", database=database), status_code=HTTP_200_OK)
        # A database that is down comes back by itself; one behind the migrations needs someone to migrate it.
        headers = {} if database.reachable else {"Retry-After": str(outage.RETRY_AFTER_SECONDS)}
        return Response(
            Health(status="degraded", database=database), status_code=HTTP_503_SERVICE_UNAVAILABLE, headers=headers
        )
