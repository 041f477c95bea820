"""Real PostgreSQL for every test that needs one: the embedded server, a database per test.

The session migrates one template database through Alembic; each test gets a fresh copy of it
(CREATE DATABASE … TEMPLATE), which takes a fraction of a second and isolates tests completely.
"""

import base64
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from backend.config import Settings, load_settings
from backend.eventstore.store import EventStore
from backend.infra import migrate
from backend.infra.db import create_pool
from backend.infra.embedded import embedded_server
from backend.registry import CORE_PROJECTIONS, inline_projections
from tests.events import registry

TEMPLATE = "rapport_template"

# A master key of this test session's own, for every store and every server it starts (they inherit the
# environment): no key file is written into the checkout's data folder.
os.environ.setdefault("RAPPORT_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())


def settings_for_tests(environ: dict[str, str] | None = None) -> Settings:
    """Settings from `environ` alone (not this process's environment), with the session's master key."""
    return load_settings({"RAPPORT_MASTER_KEY": os.environ["RAPPORT_MASTER_KEY"], **(environ or {})})


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data_dir = Path(os.environ.get("RAPPORT_TEST_DATA_DIR") or tmp_path_factory.mktemp("pg"))
    return embedded_server(data_dir)


def database_url_for(server: Any, name: str) -> str:
    return str(server.get_uri(name))


async def _admin(server: Any) -> asyncpg.Connection:
    return await asyncpg.connect(database_url_for(server, "postgres"))


@pytest.fixture(scope="session")
async def template_url(pg_server: Any) -> str:
    conn = await _admin(pg_server)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await conn.close()
    url = database_url_for(pg_server, TEMPLATE)
    await migrate.upgrade(url)
    return url


async def create_database(server: Any, template: str | None = TEMPLATE) -> str:
    name = f"test_{uuid.uuid4().hex[:12]}"
    conn = await _admin(server)
    try:
        clause = f" TEMPLATE {template}" if template else ""
        await conn.execute(f"CREATE DATABASE {name}{clause}")
    finally:
        await conn.close()
    return name


async def drop_database(server: Any, name: str) -> None:
    conn = await _admin(server)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


@pytest.fixture
async def database_url(pg_server: Any, template_url: str) -> AsyncIterator[str]:
    """A fresh, fully migrated database for this test."""
    name = await create_database(pg_server)
    yield database_url_for(pg_server, name)
    await drop_database(pg_server, name)


@pytest.fixture
async def empty_database_url(pg_server: Any) -> AsyncIterator[str]:
    """A database with nothing in it, not even migrations."""
    name = await create_database(pg_server, template=None)
    yield database_url_for(pg_server, name)
    await drop_database(pg_server, name)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(database_url, size=60)
    yield created
    await created.close()


@pytest.fixture
async def store(pool: asyncpg.Pool) -> AsyncIterator[EventStore]:
    created = EventStore(pool, registry, inline=inline_projections(CORE_PROJECTIONS))
    yield created
    await created.close()
