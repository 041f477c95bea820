"""An advisor's read of a contact's history names the contact.

`advisor_reads` said only what kind of data an advisor read ("history"), not whose history: now a read
of one contact's history records that contact, so the student sees which relationships were looked at.
Rows before this revision have none (NULL). The table stays append-only (its triggers refuse UPDATE,
DELETE and TRUNCATE; adding a column is a change of the schema, not of its rows).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from backend.migrate import run_statements

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = ["ALTER TABLE advisor_reads ADD COLUMN contact_id uuid"]
DOWNGRADE = ["ALTER TABLE advisor_reads DROP COLUMN contact_id"]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
