"""The database connection for a process: resolve the URL (embedded if unset) and open a pool."""

import asyncpg

from backend.config import Settings, to_asyncpg_dsn


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL if set; otherwise the embedded PostgreSQL under the data folder, started now."""
    if settings.database_url is not None:
        return to_asyncpg_dsn(settings.database_url)
    from backend.embedded import ensure_embedded_database

    return ensure_embedded_database(settings.data_dir)


async def keep_session(conn: object) -> None:
    """Pool reset that costs no round trip.

    asyncpg's default sends `RESET ALL; UNLISTEN *; …` on every release, a second round trip for each
    one-statement append. Rapport never leaves session state on a pooled connection (LISTEN and
    advisory locks live on the projector's own connections; SET is only ever SET LOCAL), and an open
    transaction is still rolled back on release.
    """


async def create_pool(dsn: str, size: int = 10) -> asyncpg.Pool:
    from backend.eventstore.store import init_connection

    pool = await asyncpg.create_pool(
        to_asyncpg_dsn(dsn), min_size=1, max_size=size, init=init_connection, reset=keep_session
    )
    if pool is None:  # only when create_pool is not awaited
        raise RuntimeError("could not create a connection pool")
    return pool
