"""After an erasure: clear the erased values out of the read models' data files.

Forgetting a subject leaves the read models' old row versions on disk: an UPDATE writes a new version
and the old one, with the name or notes in clear, stays in the table's pages until VACUUM reclaims it;
and a GIN index (full-text search) keeps its keys, the words themselves, even after VACUUM has removed
every row that pointed at them (measured: a name's lexeme was still in `contacts_search`'s file after
VACUUM and a CHECKPOINT, and gone after REINDEX). So both are needed. What this does not reach (the
WAL, free space of the file system, backups) is in docs/erasure.md.
"""

import re
from collections.abc import Iterable

from backend.eventstore.types import Conn

_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


async def vacuum_read_models(conn: Conn, tables: Iterable[str]) -> None:
    """VACUUM each table (and its TOAST), then REINDEX it CONCURRENTLY, so erased values leave its files.

    Call it once the erasure has committed, on a connection outside any transaction (neither command
    can run inside one); before the commit the old row versions are still live and nothing is removed.
    Neither blocks reads or writes of the table; the cost is a rebuild of every index of each table,
    which erasures, being rare, can afford. Two calls on one table take turns (both commands take its
    SHARE UPDATE EXCLUSIVE lock). Row versions that a transaction still running may see cannot be
    removed yet: a long transaction, a replication slot or `hot_standby_feedback` holds them until a
    later VACUUM (autovacuum's, or the next erasure's).
    """
    names = list(tables)
    if bad := [t for t in names if not _TABLE.match(t)]:
        raise ValueError(f"not plain table names: {bad}")
    if conn.is_in_transaction():
        raise RuntimeError("vacuum_read_models needs a connection outside any transaction (after the erasure commits)")
    for table in names:
        # One statement per call: several in one simple query would run as one implicit transaction.
        await conn.execute(f'VACUUM "{table}"')
        await conn.execute(f'REINDEX TABLE CONCURRENTLY "{table}"')
