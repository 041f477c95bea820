"""backend/advisors/access.py on real PostgreSQL: owner, live grant, revoked, nobody; advisees; the read audit."""

import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from backend.accounts.principal import Principal
from backend.advisors.access import Access, Read, advisees, record_reads
from tests.api.helpers import access_of

pytestmark = pytest.mark.api

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def student(account_id: UUID) -> Principal:
    return Principal(account_id=account_id, role="student", via="token")


def advisor(account_id: UUID) -> Principal:
    return Principal(account_id=account_id, role="advisor", via="token")


async def grant(
    db: asyncpg.Connection, student_id: UUID, advisor_id: UUID, scope: str, *, revoked: bool = False
) -> None:
    await db.execute(
        "INSERT INTO advisor_grants (student_id, advisor_id, scope, via, granted_at, revoked_at, version) "
        "VALUES ($1, $2, $3, 'email', $4, $5, 1)",
        student_id,
        advisor_id,
        scope,
        NOW,
        NOW if revoked else None,
    )


async def test_access_to_one_student(db: asyncpg.Connection) -> None:
    me, other, adv, stranger = (uuid.uuid4() for _ in range(4))
    await grant(db, me, adv, "summary")
    await grant(db, other, adv, "notes", revoked=True)

    assert await access_of(db, student(me), me) == Access(me, "owner")
    assert await access_of(db, student(other), me) is None
    assert await access_of(db, advisor(adv), me) == Access(me, "summary")
    assert await access_of(db, advisor(adv), other) is None  # revoked
    assert await access_of(db, advisor(stranger), me) is None  # never granted
    assert await access_of(db, advisor(adv), uuid.uuid4()) is None  # no such student: the same answer
    assert await access_of(db, advisor(me), me) is None  # an advisor is never anyone's owner

    await db.execute("UPDATE advisor_grants SET scope = 'notes' WHERE student_id = $1", me)
    access = await access_of(db, advisor(adv), me)
    assert access == Access(me, "notes")
    assert access.notes


async def test_advisees_are_live_grants_in_student_order_by_page(db: asyncpg.Connection) -> None:
    adv, someone_else = uuid.uuid4(), uuid.uuid4()
    students = sorted(uuid.uuid4() for _ in range(5))
    for i, sid in enumerate(students):
        await grant(db, sid, adv, "notes" if i % 2 else "summary", revoked=i == 2)
    await grant(db, uuid.uuid4(), someone_else, "notes")

    live = [s for i, s in enumerate(students) if i != 2]
    first = await advisees(db, adv, after=None, limit=2)
    assert [a.student_id for a in first] == live[:2]
    assert [a.scope for a in first] == ["summary", "notes"]
    rest = await advisees(db, adv, after=first[-1].student_id, limit=10)
    assert [a.student_id for a in rest] == live[2:]
    assert await advisees(db, uuid.uuid4(), after=None, limit=10) == []


async def test_record_reads_appends_in_one_statement_and_cannot_be_changed(db: asyncpg.Connection) -> None:
    adv, a, b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await record_reads(db, adv, [])
    one, two = sorted(uuid.uuid4() for _ in range(2))
    reads = [Read(a, "stats"), Read(b, "history", two), Read(a, "cohort"), Read(b, "history", one), Read(a, "stats")]
    await record_reads(db, adv, reads)
    rows = await db.fetch("SELECT advisor_id, student_id, what, contact_ids, at FROM advisor_reads ORDER BY id")
    # One statement, a row per student (in student order) saying all that was read of them.
    assert [(r["student_id"], r["what"], r["contact_ids"]) for r in rows] == sorted(
        [(a, ["cohort", "stats"], []), (b, ["history"], [one, two])]
    )
    assert {r["advisor_id"] for r in rows} == {adv}
    assert all(r["at"] is not None for r in rows)
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await db.execute("DELETE FROM advisor_reads")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await db.execute("UPDATE advisor_reads SET what = '{x}'")
