"""The relationships read models are a pure function of the log: a rebuild from zero gives the same rows."""

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.eventstore.rebuild import rebuild
from backend.eventstore.store import EventStore
from backend.registry import event_registry, inline_projections
from backend.relationships.projection import RELATIONSHIPS, TABLES
from tests.api.conftest import sign_up
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.integration

# A stable order for comparing each table before and after.
ORDER = {
    "students": "student_id",
    "contacts": "contact_id",
    "interviews": "interview_id",
    "agenda_items": "item_key",
    "field_notes": "note_key",
    "student_activity": "student_id, week",
    "student_versions": "student_id",
    "student_summaries": "student_id",
}


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table} ORDER BY {ORDER[table]}")
        tables[table] = [dict(r) for r in rows]
    return tables


def ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def test_a_rebuild_reproduces_every_relationships_table(database_url: str, pool: asyncpg.Pool) -> None:
    async with AsyncTestClient(app=create_app(settings_for_tests(), database_url)) as client:
        student = await sign_up(client, time_zone="Pacific/Auckland", country="NZ")
        h = student.headers
        for n in range(3):
            added = await client.post(
                "/api/v1/contacts",
                json={"name": f"Person {n}", "howFound": "alumni", "organization": "Acme", "careerField": "Data"},
                headers=h,
            )
            cid = added.json()["id"]
            await client.post(
                f"/api/v1/contacts/{cid}/requests",
                json={"channel": "email", "format": "video", "sentAt": ago(days=20)},
                headers=h,
            )
            if n:
                scheduled = await client.post(
                    f"/api/v1/contacts/{cid}/interviews", json={"startsAt": ago(days=3), "format": "video"}, headers=h
                )
                iid = scheduled.json()["interviews"][0]["id"]
                await client.post(
                    f"/api/v1/contacts/{cid}/held", json={"interviewId": iid, "notes": f"note {n}"}, headers=h
                )
            if n == 2:
                await client.post(f"/api/v1/contacts/{cid}/thanks", json={"helpfulThing": "advice"}, headers=h)
                await client.post(f"/api/v1/contacts/{cid}/referrals", json={"name": "Referred"}, headers=h)
                await client.post(f"/api/v1/contacts/{cid}/erasure", json={}, headers=h)
        await client.patch("/api/v1/me", json={"timeZone": "Europe/Paris", "country": "FR"}, headers=h)

        # Appends leave the summary alone: the first read computes and stores it.
        assert await pool.fetchval("SELECT count(*) FROM student_summaries") == 0
        stats_before = (await client.get("/api/v1/stats", headers=h)).json()
        before = await snapshot(pool)
        assert len(before["contacts"]) == 4
        assert before["agenda_items"]
        [summary] = before["student_summaries"]
        assert (summary["requests"], summary["held"], summary["thanked"], summary["referrals"]) == (3, 2, 1, 1)
        assert summary["version"] == before["student_versions"][0]["version"]
        store = EventStore(pool, event_registry(), inline=inline_projections())
        await rebuild(pool, store, RELATIONSHIPS, batch_size=7)
        # The rebuilt summary is empty until read, and then the same.
        assert await pool.fetchval("SELECT count(*) FROM student_summaries") == 0
        assert (await client.get("/api/v1/stats", headers=h)).json() == stats_before
        after = await snapshot(pool)
    for table in TABLES:
        assert after[table] == before[table], table


async def test_a_rebuild_retires_every_kept_answer(database_url: str, pool: asyncpg.Pool) -> None:
    """The rebuilt tables may differ (a corrected projection): answers kept before must not be re-sent."""
    async with AsyncTestClient(app=create_app(settings_for_tests(), database_url)) as client:
        student = await sign_up(client)
        await client.post("/api/v1/contacts", json={"name": "Ana Lee", "howFound": "alumni"}, headers=student.headers)
        before = (await client.get("/api/v1/agenda", headers=student.headers)).headers["etag"]
        assert (await client.get("/api/v1/agenda", headers=student.headers)).headers["etag"] == before
        store = EventStore(pool, event_registry(), inline=inline_projections())
        await rebuild(pool, store, RELATIONSHIPS)
        after = await client.get("/api/v1/agenda", headers={**student.headers, "If-None-Match": before})
        assert after.status_code == 200
        assert after.headers["etag"] != before
