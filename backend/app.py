"""create_app(): the one place that wires settings, the database, the store, routes and the CLI."""

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from click import Group
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins import CLIPluginProtocol

from backend import calendar
from backend.accounts.middleware import SECURITY_COMPONENTS, authentication
from backend.config import Settings, load_settings
from backend.eventstore.keys import Keyring
from backend.eventstore.store import EventStore
from backend.fields import MAX_BODY_BYTES
from backend.infra.db import create_pool, resolve_database_url
from backend.registry import event_registry, inline_projections
from backend.web.client import client_routes
from backend.web.edge import EdgeMiddleware
from backend.web.graphql.schema import RapportGraphQL
from backend.web.headers import security_headers
from backend.web.health import HealthController
from backend.web.opts import COMPRESS_FROM, COMPRESSED_HERE, GZIP_LEVEL
from backend.web.problems import UNEXPECTED_HANDLERS, problem_details_plugin
from backend.web.rest import api_router

API_TITLE = "Rapport"
API_VERSION = "0.1.0"


class RapportCLI(CLIPluginProtocol):
    """Makes `litestar --app backend.app:create_app <command>` offer Rapport's own commands too."""

    def on_cli_init(self, cli: Group) -> None:
        from backend.cli import rapport

        for name, command in rapport.commands.items():
            if name not in cli.commands:
                cli.add_command(command, name)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title=API_TITLE,
        version=API_VERSION,
        description="Informational interviews, recorded as events.",
        path="/docs",
        render_plugins=[ScalarRenderPlugin(path="/")],
        use_handler_docstrings=True,
        components=[SECURITY_COMPONENTS],
    )


def create_app(settings: Settings | None = None, database_url: str | None = None) -> Litestar:
    """Build the ASGI app. The database URL is resolved once per process, at start-up."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        dsn = database_url or resolve_database_url(settings)
        pool = await create_pool(dsn, settings.pool_size)
        if not calendar.database_zones_known():  # once per process: about 12 ms of PostgreSQL reading its zones
            calendar.database_knows(r["name"] for r in await pool.fetch("SELECT name FROM pg_timezone_names"))
        store = EventStore(pool, event_registry(), inline=inline_projections(), keyring=Keyring.from_settings(settings))
        # The master key is settled at start-up, so a wrong one is refused before any request; a database
        # not migrated yet (GET /health says so) settles it at its first append instead.
        with contextlib.suppress(asyncpg.UndefinedTableError):
            await store.prepare_keys()
        app.state.pool = pool
        app.state.store = store
        try:
            yield
        finally:
            await store.close()
            await pool.close()

    return Litestar(
        route_handlers=[HealthController, api_router(), RapportGraphQL, *client_routes()],
        lifespan=[database],
        # The edge first: a malformed request is refused before authentication or anything else reads it.
        middleware=[EdgeMiddleware(), authentication()],
        before_send=[security_headers],
        state=State({"settings": settings}),
        plugins=[problem_details_plugin(), RapportCLI()],
        exception_handlers=UNEXPECTED_HANDLERS,
        openapi_config=openapi_config(),
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=COMPRESS_FROM,
            gzip_compress_level=GZIP_LEVEL,
            exclude_opt_key=next(iter(COMPRESSED_HERE)),
        ),
        request_max_body_size=MAX_BODY_BYTES,
    )
