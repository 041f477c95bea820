"""Student summaries are computed when read, not on every append.

Until now the relationships projection recomputed a student's `student_summaries` row over all of
their contacts in every append's transaction, which put a statement that grows with the student's
contacts on the write path. Now each row remembers the student's version (`student_versions`: the
count of the student's events the read models reflect) it was computed at, and the statement that
reads summaries first recomputes and stores the rows whose student has moved on since
(insights.SUMMARY_STATS). Writes no longer touch the table.

Rows already there get version -1, so each is recomputed on its first read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from backend.infra.migrate import run_statements

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "ALTER TABLE student_summaries ADD COLUMN version bigint NOT NULL DEFAULT -1",
    "ALTER TABLE student_summaries ALTER COLUMN version DROP DEFAULT",
]


def _refill_as_of_0006() -> list[str]:
    """Revision 0006's own statements that fill every student's summary (0006 expects them current)."""
    path = Path(__file__).with_name("0006_student_summaries.py")
    spec = importlib.util.spec_from_file_location("rapport_migration_0006", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fill: str = module.UPGRADE[1]
    return ["TRUNCATE student_summaries", fill]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(["ALTER TABLE student_summaries DROP COLUMN version", *_refill_as_of_0006()])
