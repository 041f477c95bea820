"""Reads for consent: finding an advisor by email or invite code, invite codes, a student's grants and read audit."""

import secrets
from datetime import datetime
from uuid import UUID

import msgspec

from backend.advisors.access import ReadKind
from backend.eventstore.types import Conn
from backend.relationships.views import View
from backend.students.events import AdvisorScope, GrantedVia

INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: a code is read aloud or copied from a slide."""
INVITE_LENGTH = 8
MAX_INVITE_CODES = 100
"""Per advisor: plenty for every class and event, and a bound on what one account can create."""


# What these reads find is what the API shows (backend/advisors/rest.py answers with them as they are).


class AdvisorAccessView(View):
    advisor_id: UUID
    email: str
    display_name: str
    scope: AdvisorScope
    via: GrantedVia
    granted_at: datetime
    changed_at: datetime | None


class ReadContactView(View):
    id: UUID
    name: str


class AdvisorReadView(View):
    id: int
    advisor_id: UUID
    email: str
    display_name: str
    what: list[ReadKind]
    """What one request read: the profile; the numbers (stats, funnel, weekly activity); the overdue
    agenda; the contacts; contacts' histories; the referral chains; the student's figures in the
    advisor's cohort."""
    contacts: list[ReadContactView]
    """Whose history was read, for `history` (a contact since erased shows what erasure left)."""
    at: datetime


class InviteCodeView(View):
    code: str
    """Give it to your students: they grant you access with it (POST /api/v1/me/advisors)."""
    created_at: datetime


def new_invite_code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_invite_code(text: str) -> str:
    """How a student may type a code: any case, with or without the dash or spaces."""
    raw = "".join(c for c in text.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == INVITE_LENGTH else raw


async def advisor_by(conn: Conn, *, email: str | None = None, invite_code: str | None = None) -> UUID | None:
    """The advisor with this email, or who made this invite code."""
    found: UUID | None = None
    if email is not None:
        found = await conn.fetchval(
            "SELECT account_id FROM accounts WHERE lower(email) = lower($1) AND role = 'advisor'", email
        )
    elif invite_code is not None:
        found = await conn.fetchval(
            "SELECT advisor_id FROM advisor_invite_codes WHERE code = $1", normalize_invite_code(invite_code)
        )
    return found


async def create_invite_code(conn: Conn, advisor_id: UUID, now: datetime) -> InviteCodeView | None:
    """A fresh code, or None when the advisor has `MAX_INVITE_CODES` already."""
    # The count and the insert in one statement; a collision of random codes is simply tried again.
    for _ in range(5):
        code = new_invite_code()
        row = await conn.fetchrow(
            "INSERT INTO advisor_invite_codes (code, advisor_id, created_at) "
            "SELECT $1, $2, $3 WHERE (SELECT count(*) FROM advisor_invite_codes WHERE advisor_id = $2) < $4 "
            "ON CONFLICT (code) DO NOTHING RETURNING code, created_at",
            code,
            advisor_id,
            now,
            MAX_INVITE_CODES,
        )
        if row is not None:
            return InviteCodeView(code=row["code"], created_at=row["created_at"])
        count = await conn.fetchval("SELECT count(*) FROM advisor_invite_codes WHERE advisor_id = $1", advisor_id)
        if count >= MAX_INVITE_CODES:
            return None
    raise RuntimeError("five invite codes in a row collided")  # pragma: no cover - 31^8 codes


async def invite_codes(conn: Conn, advisor_id: UUID, *, after: str | None, limit: int) -> list[InviteCodeView]:
    rows = await conn.fetch(
        "SELECT code, created_at FROM advisor_invite_codes WHERE advisor_id = $1 AND ($2::text IS NULL OR code > $2) "
        "ORDER BY code LIMIT $3",
        advisor_id,
        after,
        limit,
    )
    return [InviteCodeView(code=r["code"], created_at=r["created_at"]) for r in rows]


_GRANTS = """
SELECT g.advisor_id, a.email, coalesce(v.display_name, '') AS display_name, g.scope, g.via, g.granted_at, g.changed_at
FROM advisor_grants g
JOIN accounts a ON a.account_id = g.advisor_id
LEFT JOIN advisors v ON v.advisor_id = g.advisor_id
WHERE g.student_id = $1 AND g.revoked_at IS NULL
"""


async def grants(
    conn: Conn, student_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[AdvisorAccessView]:
    """The student's live grants, oldest first."""
    rows = await conn.fetch(
        _GRANTS + " AND ($2::timestamptz IS NULL OR (g.granted_at, g.advisor_id) > ($2, $3)) "
        "ORDER BY g.granted_at, g.advisor_id LIMIT $4",
        student_id,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [AdvisorAccessView(**r) for r in rows]


async def grant(conn: Conn, student_id: UUID, advisor_id: UUID) -> AdvisorAccessView | None:
    row = await conn.fetchrow(_GRANTS + " AND g.advisor_id = $2", student_id, advisor_id)
    return AdvisorAccessView(**row) if row is not None else None


async def reads(conn: Conn, student_id: UUID, *, before: int | None, limit: int) -> list[AdvisorReadView]:
    """Who looked at what of the student's data, when: the latest first."""
    rows = await conn.fetch(
        "SELECT r.id, r.advisor_id, coalesce(a.email, '') AS email, coalesce(v.display_name, '') AS display_name, "
        "r.what, (SELECT coalesce(json_agg(json_build_object('id', c.contact_id, 'name', c.name) ORDER BY c.name), "
        "'[]') FROM contacts c WHERE c.contact_id = ANY (r.contact_ids) AND c.student_id = r.student_id) AS contacts, "
        "r.at FROM advisor_reads r "
        "LEFT JOIN accounts a ON a.account_id = r.advisor_id LEFT JOIN advisors v ON v.advisor_id = r.advisor_id "
        "WHERE r.student_id = $1 AND ($2::bigint IS NULL OR r.id < $2) ORDER BY r.id DESC LIMIT $3",
        student_id,
        before,
        limit,
    )
    return [
        AdvisorReadView(**{**r, "contacts": msgspec.json.decode(r["contacts"], type=list[ReadContactView])})
        for r in rows
    ]
