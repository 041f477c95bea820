"""Who may read which student's data: the one authorization mechanism, shared by REST and GraphQL.

A student reads their own data as its owner (`as_owner`: every REST route under /api/v1 that serves a
student's data asks it of the signed-in account, and GraphQL's `access_to_many` answers students with
it); an advisor reads a student's data only under a live grant, at its scope (`access_to_many`, for
every student a GraphQL request names, in one statement). Every advisor check reads
`advisor_grants` (the inline projection of the consent events), never a cache, so a grant or a
revocation takes effect on the very next request. Anyone else gets None, exactly as for a student
who does not exist: nothing tells them apart.
"""

from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple
from uuid import UUID

import asyncpg
import msgspec

from backend.accounts.principal import Principal
from backend.eventstore.types import Conn

Scope = Literal["summary", "notes"]
"""What a grant lets an advisor see: `summary` (counts, stages, dates) or `notes` (also names, notes, history)."""
SCOPES: tuple[Scope, ...] = ("summary", "notes")

Executor = Conn | asyncpg.Pool


class Access(msgspec.Struct, frozen=True):
    """May read `student_id`'s data: as its `owner`, or as an advisor at a grant's scope."""

    student_id: UUID
    scope: Scope | Literal["owner"]

    @property
    def notes(self) -> bool:
        """Names, notes and history too (the owner and a `notes` grant), not only counts, stages and dates."""
        return self.scope != "summary"


_GRANTS = """
SELECT student_id, scope FROM advisor_grants
WHERE student_id = ANY ($1::uuid[]) AND advisor_id = $2 AND revoked_at IS NULL
"""

_ADVISEES = """
SELECT student_id, scope FROM advisor_grants
WHERE advisor_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR student_id > $2)
ORDER BY student_id
LIMIT $3
"""

ReadKind = Literal["profile", "stats", "agenda", "contacts", "history", "referral_graph", "cohort"]
"""What of a student's data an advisor read: their profile; their numbers (stats, funnel, weekly
activity); their overdue agenda; their contacts; one contact's history; their referral chains; their
figures as part of the advisor's cohort."""


class Read(NamedTuple):
    """One advisor read: of a student's data, what, and (for a history) whose."""

    student_id: UUID
    what: ReadKind
    contact_id: UUID | None = None


def in_order(reads: Iterable[Read]) -> list[Read]:
    """Reads in a stable order (by student, kind, contact), as they are recorded."""
    return sorted(reads, key=lambda r: (r.student_id, r.what, r.contact_id.hex if r.contact_id else ""))


def record_reads_sql(only_if: str = "true") -> str:
    """SQL that appends reads, a row per student, if `only_if` holds: `$1` the advisor; `$2`, `$3`, `$4`
    the students, what was read of each and whose history (or NULL), pairwise."""
    return f"""
INSERT INTO advisor_reads (advisor_id, student_id, what, contact_ids)
SELECT $1, r.student_id, array_agg(DISTINCT r.what ORDER BY r.what),
       coalesce(array_agg(r.contact_id ORDER BY r.contact_id) FILTER (WHERE r.contact_id IS NOT NULL), '{{}}')
FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS r(student_id, what, contact_id)
WHERE {only_if}
GROUP BY r.student_id
ORDER BY r.student_id
"""


RECORD_READS = record_reads_sql()


def read_columns(reads: Sequence[Read]) -> tuple[list[UUID], list[str], list[UUID | None]]:
    """RECORD_READS' `$2`, `$3` and `$4` for `reads`."""
    return [r.student_id for r in reads], [r.what for r in reads], [r.contact_id for r in reads]


def as_owner(principal: Principal, student_id: UUID) -> Access | None:
    """A student's access to their own data; None for anyone else's, and for an advisor (never an owner)."""
    return Access(student_id, "owner") if principal.role == "student" and principal.account_id == student_id else None


async def access_to_many(
    conn: Executor, principal: Principal, student_ids: Sequence[UUID]
) -> dict[UUID, Access | None]:
    """The principal's access to each student's data, or None (no grant, revoked, or no such student):
    a student's by `as_owner`, an advisor's from their live grants, in one statement."""
    if principal.role == "student":
        return {sid: as_owner(principal, sid) for sid in student_ids}
    found: dict[UUID, Access | None] = dict.fromkeys(student_ids)
    if student_ids:
        for row in await conn.fetch(_GRANTS, list(set(student_ids)), principal.account_id):
            found[row["student_id"]] = Access(row["student_id"], row["scope"])
    return found


async def advisees(conn: Executor, advisor_id: UUID, *, after: UUID | None, limit: int) -> list[Access]:
    """The advisor's live grants, ordered by student id, after `after` (a keyset page)."""
    rows = await conn.fetch(_ADVISEES, advisor_id, after, limit)
    return [Access(row["student_id"], row["scope"]) for row in rows]


async def record_reads(conn: Executor, advisor_id: UUID, reads: Iterable[Read]) -> None:
    """Append what the advisor read, a row per student saying all that was read of them, in one
    statement. Call it once in the request that reads, so the student sees every look in
    `GET /me/advisor-reads`."""
    ordered = in_order(reads)
    if not ordered:
        return
    await conn.execute(RECORD_READS, advisor_id, *read_columns(ordered))
