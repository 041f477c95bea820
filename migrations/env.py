"""Alembic environment: async, raw SQL migrations over asyncpg."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from backend.config import sqlalchemy_url


def _url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    return configured or sqlalchemy_url()


def _run(connection: Connection) -> None:
    # Each migration runs in its own transaction so a failure leaves the previous head intact.
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
