"""Generic read models: a summary of every stream, and daily activity per category and event type.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE TABLE stream_summary (
        stream_id          text PRIMARY KEY,
        category           text NOT NULL,
        version            bigint NOT NULL,
        event_count        bigint NOT NULL,
        first_event_type   text NOT NULL,
        first_recorded_at  timestamptz NOT NULL,
        last_event_type    text NOT NULL,
        last_recorded_at   timestamptz NOT NULL,
        last_position      bigint NOT NULL
    )
    """,
    "CREATE INDEX stream_summary_by_category ON stream_summary (category, last_recorded_at DESC)",
    """
    CREATE TABLE activity_daily (
        category     text NOT NULL,
        event_type   text NOT NULL,
        day          date NOT NULL,
        events       bigint NOT NULL,
        PRIMARY KEY (category, day, event_type)
    )
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS activity_daily",
    "DROP TABLE IF EXISTS stream_summary",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
