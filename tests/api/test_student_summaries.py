"""Student summaries are computed when read: writes leave them alone, the next read catches up.

Reads store what they compute, so concurrent reads of overlapping students, with writes in between,
must neither fail (a deadlock would be a 500) nor leave a summary behind its student's version.
"""

import asyncio

import asyncpg
import pytest

from backend.relationships.readmodels import stats
from tests.api.conftest import Client, Student, sign_up
from tests.api.helpers import add_contact_id, get_json, step

pytestmark = pytest.mark.api


async def summary_version(db: asyncpg.Connection, student: Student) -> tuple[int | None, int]:
    row = await db.fetchrow(
        "SELECT x.version AS summarized, v.version AS current FROM student_versions v"
        " LEFT JOIN student_summaries x ON x.student_id = v.student_id WHERE v.student_id = $1",
        student.account_id,
    )
    assert row is not None
    return row["summarized"], row["current"]


async def test_a_write_leaves_the_summary_behind_and_the_next_read_catches_up(
    client: Client, student: Student, db: asyncpg.Connection
) -> None:
    ana = await add_contact_id(client, student, "Ana Lee", careerField="Design")
    assert (await get_json(client, student, "/api/v1/stats"))["requestsSent"] == 0
    summarized, current = await summary_version(db, student)
    assert summarized == current

    await step(client, student, ana, "requests", {"channel": "email", "format": "video"})
    summarized, current = await summary_version(db, student)
    assert summarized is not None
    assert summarized < current  # the append did not touch it

    assert (await get_json(client, student, "/api/v1/stats"))["requestsSent"] == 1
    assert await summary_version(db, student) == (current, current)


async def test_concurrent_reads_and_writes_over_overlapping_students_all_succeed_and_end_current(
    client: Client, pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    students = [await sign_up(client) for _ in range(6)]
    contacts = {s.account_id: [await add_contact_id(client, s, f"Person {n}") for n in range(2)] for s in students}
    ids = [s.account_id for s in students]

    async def read(n: int) -> None:
        # Overlapping sets of four, asked for in different orders.
        for turn in range(5):
            some = (ids[n + turn :] + ids[: n + turn])[:4]
            await pool.fetch(stats.SUMMARY_STATS, some[::-1] if (n + turn) % 2 else some)

    async def write(s: Student) -> None:
        for contact in contacts[s.account_id]:
            response = await step(client, s, contact, "requests", {"channel": "email", "format": "video"})
            assert response.status_code == 200, response.text

    await asyncio.gather(*(read(n % len(ids)) for n in range(8)), *(write(s) for s in students))

    rows = await pool.fetch(stats.SUMMARY_STATS, ids)
    assert [r["requests"] for r in rows] == [2] * len(students)
    for s in students:
        summarized, current = await summary_version(db, s)
        assert summarized == current
