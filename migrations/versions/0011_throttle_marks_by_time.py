"""An index by time for the sign-in and sign-up throttle's marks.

`sign_in_failures` now keeps a day of marks (the per-account backoff counts 24 hours) and sign-up marks
besides failures; the purge of stale marks (`failed_at` older than a day) walked the whole table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = ["CREATE INDEX sign_in_failures_by_time ON sign_in_failures (failed_at)"]
DOWNGRADE = ["DROP INDEX sign_in_failures_by_time"]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
