"""Alembic is the only way the schema changes: head from empty, base from head, and back."""

import asyncpg
import pytest

from backend import migrate

pytestmark = pytest.mark.integration

OBJECTS = """
SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')
"""


async def test_upgrade_head_on_empty_then_downgrade_base_then_upgrade_again(
    empty_database_url: str,
) -> None:
    conn = await asyncpg.connect(empty_database_url)
    try:
        assert await conn.fetchval(OBJECTS) == 0
        await migrate.upgrade(empty_database_url)
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == migrate.head_revision()
        tables = {
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert {
            "events",
            "commands",
            "subject_keys",
            "projection_checkpoints",
            "stream_summary",
        } <= tables

        await migrate.downgrade(empty_database_url, "base")
        assert await conn.fetchval(OBJECTS) == 0
        assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 0

        await migrate.upgrade(empty_database_url)
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == migrate.head_revision()
    finally:
        await conn.close()


async def test_each_step_downgrades_cleanly(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url, "0001")
    await migrate.upgrade(empty_database_url, "head")
    await migrate.downgrade(empty_database_url, "0001")
    conn = await asyncpg.connect(empty_database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('stream_summary')") is None
        assert await conn.fetchval("SELECT to_regclass('events')") is not None
    finally:
        await conn.close()
