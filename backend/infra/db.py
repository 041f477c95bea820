"""The database connection for a process: resolve the URL (embedded if unset) and open a pool."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg

from backend.config import Settings, to_asyncpg_dsn

log = logging.getLogger(__name__)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL if set; otherwise the embedded PostgreSQL under the data folder, started now."""
    if settings.database_url is not None:
        return to_asyncpg_dsn(settings.database_url)
    from backend.infra.embedded import ensure_embedded_database

    return ensure_embedded_database(settings.data_dir)


async def keep_session(conn: object) -> None:
    """Pool reset that costs no round trip.

    asyncpg's default sends `RESET ALL; UNLISTEN *; …` on every release, a second round trip for each
    one-statement append. Rapport never leaves session state on a pooled connection (LISTEN and
    advisory locks live on the projector's own connections; SET is only ever SET LOCAL), and an open
    transaction is still rolled back on release.
    """


class Ambient:
    """A request's transaction: its connection, the task it belongs to, and what to do once it commits."""

    __slots__ = ("after_commit", "conn", "task")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.task = asyncio.current_task()
        self.after_commit: list[Callable[[], Awaitable[None]]] = []

    async def committed(self) -> None:
        """Run what waited for the commit, each on connections of its own; a failure is logged, not raised."""
        with detached():
            for work in self.after_commit:
                try:
                    await work()
                except Exception:
                    log.exception("work after a request's commit failed")


# The transaction a request runs in (see `ambient`).
_AMBIENT: ContextVar[Ambient | None] = ContextVar("rapport_ambient", default=None)


async def after_commit(work: Callable[[], Awaitable[None]]) -> None:
    """Do `work` once the request's transaction has committed (at once when there is none): for what
    cannot run inside a transaction, such as VACUUM, or must not happen if it rolls back."""
    bound = _AMBIENT.get()
    if bound is not None and bound.task is asyncio.current_task():
        bound.after_commit.append(work)
        return
    with detached():
        await work()


@contextmanager
def ambient(conn: Any) -> Iterator[Ambient]:
    """Run everything this task asks of the pool on `conn`, inside the transaction it holds.

    A request with an Idempotency-Key is one transaction: its append and the answer kept for its key
    commit together or not at all (backend/web/idempotency.py). Handlers borrow connections from the
    pool as usual and get this one back; only the task that bound it does, so a task spawned meanwhile
    (which copies the context) never shares a connection that is in use.
    """
    bound = Ambient(conn)
    token = _AMBIENT.set(bound)
    try:
        yield bound
    finally:
        _AMBIENT.reset(token)


@contextmanager
def detached() -> Iterator[None]:
    """Borrow real connections again inside `ambient`: for work that must commit on its own."""
    token = _AMBIENT.set(None)
    try:
        yield
    finally:
        _AMBIENT.reset(token)


def ambient_connection() -> Any | None:
    """The connection `ambient` bound for the running task, if any."""
    bound = _AMBIENT.get()
    if bound is None:
        return None
    try:
        task = asyncio.current_task()
    except RuntimeError:  # pragma: no cover - no running loop
        return None
    return bound.conn if bound.task is task else None


class FairPool(asyncpg.Pool):
    """asyncpg's pool, handing connections out first come, first served.

    Its queue is not fair under contention: a released connection can go to a request that has just
    arrived instead of one that has waited, so with more concurrent requests than connections a few
    wait for seconds (measured: p50 11 ms, p99 2.6 s at 64 connections on a pool of 10). A FIFO
    semaphore of the pool's size in front of it makes the wait fair; the pool then never queues.
    """

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        super().__init__(*args, max_size=max_size, **kwargs)
        self._turns = asyncio.Semaphore(max_size)  # FIFO: newcomers queue behind waiters

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 - asyncpg's own signature
        bound = ambient_connection()
        if bound is not None:
            return bound
        await self._turns.acquire()
        try:
            return await super()._acquire(timeout)  # type: ignore[misc]
        except BaseException:
            self._turns.release()
            raise

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if connection is not None and connection is ambient_connection():
            return  # the request's own connection: given back when its transaction ends
        held = getattr(connection, "_con", None) is not None  # a second release of one connection is a no-op
        try:
            await super().release(connection, timeout=timeout)
        finally:
            if held:
                self._turns.release()


async def create_pool(dsn: str, size: int = 10) -> asyncpg.Pool:
    from backend.eventstore.store import init_connection

    pool = FairPool(
        to_asyncpg_dsn(dsn),
        min_size=1,
        max_size=size,
        init=init_connection,
        reset=keep_session,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        setup=None,
        connect=None,
        loop=None,
    )
    await pool
    return pool
