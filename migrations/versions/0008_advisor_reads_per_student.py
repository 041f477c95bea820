"""Advisor reads: one row per student an advisor's request read, saying everything it read of them.

Until now `advisor_reads` had a row per kind of data read (`what`), and said nothing of whose history
was read. Now a request that reads a student's data appends one row for that student listing what it
read (`what`, an array: profile, stats, agenda, contacts, history, referral_graph, cohort) and, for
histories, whose (`contact_ids`). The student sees one look per request instead of several at the same
moment, and a dashboard over 200 students appends 200 rows, not one per kind per student.

Rows before this revision become arrays of their kinds (one, or those a downgrade joined) with no
contacts. The table stays append-only (its triggers refuse UPDATE, DELETE and TRUNCATE; changing a
column's type is a change of the schema, not an update of its rows). A downgrade joins each row's
kinds with commas (the old column held one) and drops whose histories were read.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "ALTER TABLE advisor_reads ALTER COLUMN what TYPE text[] USING string_to_array(what, ',')",
    "ALTER TABLE advisor_reads ADD COLUMN contact_ids uuid[] NOT NULL DEFAULT '{}'",
    "ALTER TABLE advisor_reads ALTER COLUMN contact_ids DROP DEFAULT",
]
DOWNGRADE = [
    "ALTER TABLE advisor_reads DROP COLUMN contact_ids",
    "ALTER TABLE advisor_reads ALTER COLUMN what TYPE text USING array_to_string(what, ',')",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
