"""Advisors: their profiles and invite codes, the grants students gave them, and the audit of their reads.

`advisors` and `advisor_invite_codes` are account state (mutable, not history), like `accounts`.
`advisor_grants` is a read model folded from the consent events on each student's stream by the
inline `advisors` projection, so a grant or a revocation is visible in the transaction that
records it; `rapport rebuild advisors` recomputes it. `advisor_reads` is the audit of what each
advisor looked at: it is written directly (a read is not an event of the student's stream) and is
append-only in the database, like the event log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE TABLE advisors (
        advisor_id    uuid PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
        display_name  text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
    )
    """,
    # An invite code only tells a student which advisor to grant access to; it opens nothing by
    # itself (the student still decides), so it is kept as written and can be listed again.
    """
    CREATE TABLE advisor_invite_codes (
        code        text PRIMARY KEY,
        advisor_id  uuid NOT NULL REFERENCES advisors ON DELETE CASCADE,
        created_at  timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX advisor_invite_codes_by_advisor ON advisor_invite_codes (advisor_id, created_at, code)",
    # -- read model (projection `advisors`) -------------------------------------------------------
    """
    CREATE TABLE advisor_grants (
        student_id  uuid NOT NULL,
        advisor_id  uuid NOT NULL,
        scope       text NOT NULL CHECK (scope IN ('summary', 'notes')),
        via         text NOT NULL,
        granted_at  timestamptz NOT NULL,
        changed_at  timestamptz,
        revoked_at  timestamptz,
        version     bigint NOT NULL,
        PRIMARY KEY (student_id, advisor_id)
    )
    """,
    # An advisor's advisees, in student order: the live grants only.
    "CREATE INDEX advisor_grants_live ON advisor_grants (advisor_id, student_id) WHERE revoked_at IS NULL",
    # -- audit ------------------------------------------------------------------------------------
    """
    CREATE TABLE advisor_reads (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        advisor_id  uuid NOT NULL,
        student_id  uuid NOT NULL,
        what        text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX advisor_reads_by_student ON advisor_reads (student_id, id DESC)",
    """
    CREATE FUNCTION rapport_advisor_reads_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit of advisor reads is append-only: % is not allowed', TG_OP
            USING ERRCODE = 'RP009';
    END
    $$
    """,
    """
    CREATE TRIGGER advisor_reads_append_only BEFORE UPDATE OR DELETE ON advisor_reads
        FOR EACH ROW EXECUTE FUNCTION rapport_advisor_reads_are_append_only()
    """,
    """
    CREATE TRIGGER advisor_reads_no_truncate BEFORE TRUNCATE ON advisor_reads
        FOR EACH STATEMENT EXECUTE FUNCTION rapport_advisor_reads_are_append_only()
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS advisor_reads",
    "DROP FUNCTION IF EXISTS rapport_advisor_reads_are_append_only()",
    "DROP TABLE IF EXISTS advisor_grants",
    "DROP TABLE IF EXISTS advisor_invite_codes",
    "DROP TABLE IF EXISTS advisors",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
