"""Run Alembic migrations from Python, and the helper every migration uses to run raw SQL."""

import asyncio
from collections.abc import Iterable
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from backend.config import to_sqlalchemy_url

ROOT = Path(__file__).resolve().parents[2]


def run_statements(statements: Iterable[str]) -> None:
    """Execute raw SQL statements in the current migration, bypassing SQLAlchemy's bind parsing."""
    bind = op.get_bind()
    for statement in statements:
        bind.exec_driver_sql(statement)


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", to_sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision in `migrations/versions` (what `upgrade head` leads to)."""
    script = ScriptDirectory.from_config(alembic_config("postgresql://unused"))
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


async def upgrade(database_url: str, revision: str = "head") -> None:
    # Alembic's env.py runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


async def downgrade(database_url: str, revision: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)


def current_revision_sync(connection: object) -> str | None:
    context = MigrationContext.configure(connection)  # type: ignore[arg-type]
    return context.get_current_revision()
