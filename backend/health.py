"""GET /health: is the database reachable, and is its schema at the migrations' head?"""

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from backend.migrate import head_revision


class DatabaseHealth(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    reachable: bool
    server_version: str | None
    migration: str | None
    migration_head: str
    at_head: bool


class Health(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    status: str  # "ok" | "degraded"
    database: DatabaseHealth


class HealthController(Controller):
    path = "/health"
    tags = ("Health",)

    @get(
        operation_id="GetHealth",
        summary="Health of the service and its database",
        responses={
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
                data_container=Health,
                description="The database is unreachable or not migrated to head",
            )
        },
    )
    async def health(self, state: State) -> Response[Health]:
        """Reports the database and the migration head; 503 while either is not right."""
        head = head_revision()
        pool: asyncpg.Pool = state.pool
        try:
            async with pool.acquire(timeout=2) as conn:
                server_version = await conn.fetchval("SHOW server_version")
                migration = await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1")
            database = DatabaseHealth(
                reachable=True,
                server_version=server_version,
                migration=migration,
                migration_head=head,
                at_head=migration == head,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            database = DatabaseHealth(
                reachable=False,
                server_version=None,
                migration=None,
                migration_head=head,
                at_head=False,
            )
        healthy = database.reachable and database.at_head
        return Response(
            Health(status="ok" if healthy else "degraded", database=database),
            status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
        )
