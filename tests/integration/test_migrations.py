"""Alembic is the only way the schema changes: head from empty, base from head, and back."""

import asyncpg
import pytest

from backend.infra import migrate

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


async def test_summaries_move_between_computed_on_append_and_on_read(empty_database_url: str) -> None:
    """0007 marks every kept summary for recomputing on read; going back to 0006 recomputes them all."""
    await migrate.upgrade(empty_database_url)
    conn = await asyncpg.connect(empty_database_url)
    try:
        student = await conn.fetchval(
            "INSERT INTO students (student_id, version, time_zone, country, profile, updated_at)"
            " VALUES (gen_random_uuid(), 1, 'UTC', 'US', '{}', now()) RETURNING student_id"
        )
        await conn.execute(
            "INSERT INTO contacts (contact_id, stream_id, student_id, version, state, name, stage, referrals, archived,"
            " erased, added_at, last_activity_at, search)"
            " SELECT id, 'contact-' || replace(id::text, '-', ''), $1, 1,"
            " '{\"requests_count\": 2, \"replies_count\": 1}', 'Ana', 'replied', 0, false, false, now(), now(), ''"
            " FROM gen_random_uuid() AS id",
            student,
        )
        assert await conn.fetchval("SELECT count(*) FROM student_summaries") == 0

        await migrate.downgrade(empty_database_url, "0006")
        row = await conn.fetchrow("SELECT * FROM student_summaries WHERE student_id = $1", student)
        assert row is not None
        assert (row["requests"], row["replies"]) == (2, 1)
        assert "version" not in row

        await migrate.upgrade(empty_database_url)
        assert await conn.fetchval("SELECT version FROM student_summaries WHERE student_id = $1", student) == -1
    finally:
        await conn.close()


async def test_advisor_reads_keep_their_kinds_down_to_0007_and_back(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)
    conn = await asyncpg.connect(empty_database_url)
    try:
        await conn.execute(
            "INSERT INTO advisor_reads (advisor_id, student_id, what, contact_ids)"
            " VALUES (gen_random_uuid(), gen_random_uuid(), '{profile,stats}', ARRAY[gen_random_uuid()])"
        )
        await migrate.downgrade(empty_database_url, "0007")
        assert await conn.fetchval("SELECT what FROM advisor_reads") == "profile,stats"
        await migrate.upgrade(empty_database_url)
        row = await conn.fetchrow("SELECT what, contact_ids FROM advisor_reads")
        assert row is not None
        assert (row["what"], row["contact_ids"]) == (["profile", "stats"], [])
    finally:
        await conn.close()
