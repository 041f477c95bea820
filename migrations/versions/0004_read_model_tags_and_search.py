"""Read models: note search, a contact's latest request, and each student's read-model version.

`field_notes.search` makes what people said searchable; `contacts.requested_at` (indexed with the
organization) answers "reach out to someone else at the same organization" without reading each
contact's state; `student_versions` counts the events the read models reflect per student, the tag
under which answers are kept and the ETag of the agenda and contact pages.

The tables these columns join were always empty before this revision (no route wrote them), so the
columns need no backfill; `rapport rebuild relationships` recomputes everything in any case.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "ALTER TABLE field_notes ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE field_notes ALTER COLUMN search DROP DEFAULT",
    "CREATE INDEX field_notes_search ON field_notes USING gin (search)",
    "ALTER TABLE contacts ADD COLUMN requested_at timestamptz",
    "DROP INDEX contacts_by_org",
    "CREATE INDEX contacts_by_org ON contacts (student_id, org_key, requested_at)",
    """
    CREATE TABLE student_versions (
        student_id  uuid PRIMARY KEY,
        version     bigint NOT NULL
    )
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS student_versions",
    "DROP INDEX contacts_by_org",
    "CREATE INDEX contacts_by_org ON contacts (student_id, org_key)",
    "ALTER TABLE contacts DROP COLUMN requested_at",
    "DROP INDEX field_notes_search",
    "ALTER TABLE field_notes DROP COLUMN search",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
