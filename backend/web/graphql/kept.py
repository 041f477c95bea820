"""Answers to GraphQL queries, kept and re-sent while nothing they depend on has changed (as REST's
backend/web/answers.py does for a student's reads).

Every answer depends only on who asks, the query (its text, variables and operation) and the data
of the students the asker may read. So before running a query, one statement reads the asker's tag:
for each student they may read (an advisor: every live grant, with its scope; a student: themselves),
how many events the read models reflect (`student_versions`, moved by every event of the student's
streams in the same transaction as the read models, and the generation of its table, which a rebuild
renews), the student's today (stages, agenda buckets, weeks and days inactive turn over at their
midnight) and how many of their thank-you windows have closed by now; and the asker's email. An
answer kept under the same key and tag is exactly what running the query again would give. A grant,
a change of scope or a revocation changes the tag, so it takes effect on the very next request.

Only answers without errors are kept (an error may come from something passing, or from a limit),
and none that shows a contact's history: its personal fields are unsealed with keys `rapport forget`
destroys without appending an event, so no tag would move.
A kept answer still records the advisor's reads it stands for, in the request that re-sends it (in
the statement that reads the tag, only if the tag still matches): the student sees every look,
whether it was computed or re-sent.

Each process keeps its own bounded set (least recently used goes first).
"""

from collections.abc import Mapping
from typing import Any

import msgspec
from cachetools import LRUCache

from backend.accounts.principal import Principal
from backend.advisors import access
from backend.eventstore.types import Conn

Key = tuple[Any, ...]

_STUDENTS = """
    concat_ws(':', g.student_id, g.scope, coalesce(v.version, 0), v.tableoid::bigint,
              (now() AT TIME ZONE s.time_zone)::date,
              (SELECT count(*) FROM unnest(x.thanks_close_at) t WHERE t < now()))
"""
_TAG_FROM = """
LEFT JOIN students s ON s.student_id = g.student_id
LEFT JOIN student_versions v ON v.student_id = g.student_id
LEFT JOIN student_summaries x ON x.student_id = g.student_id
"""

_ADVISOR_TAG = f"""
SELECT (SELECT email FROM accounts WHERE account_id = $1)
       || '|' || coalesce(string_agg({_STUDENTS}, ',' ORDER BY g.student_id), '') AS tag
FROM advisor_grants g {_TAG_FROM}
WHERE g.advisor_id = $1 AND g.revoked_at IS NULL
"""

_STUDENT_TAG = f"""
SELECT (SELECT email FROM accounts WHERE account_id = $1) || '|' || {_STUDENTS} AS tag
FROM (SELECT $1::uuid AS student_id, 'owner' AS scope) g {_TAG_FROM}
"""

# One round trip for a kept answer's re-sending: the advisor's tag, and the reads the kept answer
# stands for recorded only if the tag is still the one it was kept under (else nothing is recorded
# here: the query runs, and records its reads as it does).
_ADVISOR_TAG_AND_READS = f"""
WITH current AS ({_ADVISOR_TAG}), recorded AS (
    {access.record_reads_sql(only_if="(SELECT tag FROM current) = $5")}
)
SELECT tag FROM current
"""


_PLAIN = frozenset({"query", "variables", "operationName"})


def key_of(principal: Principal, asked: Mapping[str, Any]) -> Key | None:
    """What an answer is kept under, or None for a request that is not one plain query (`asked`: the
    request's members, their types already checked)."""
    if not asked.keys() <= _PLAIN:  # extensions, or members the server does not know
        return None
    variables = msgspec.json.encode(asked.get("variables") or {}, order="sorted")
    return (principal.account_id, principal.role, asked["query"], variables, asked.get("operationName"))


async def tag_of(conn: Conn, principal: Principal, kept: "Kept | None" = None) -> str:
    """Everything the asker's answers depend on besides the query, as of now. With a `kept` answer of an
    advisor's, its reads are recorded in the same statement if the tag is still the one it was kept under."""
    tag: str | None
    if principal.role != "advisor":
        tag = await conn.fetchval(_STUDENT_TAG, principal.account_id)
    elif kept is None or not kept.reads:
        tag = await conn.fetchval(_ADVISOR_TAG, principal.account_id)
    else:
        columns = access.read_columns(kept.reads)
        tag = await conn.fetchval(_ADVISOR_TAG_AND_READS, principal.account_id, *columns, kept.tag)
    return tag or ""


class Kept(msgspec.Struct, frozen=True):
    tag: str
    body: bytes
    reads: list[access.Read]
    """The advisor's reads the answer stands for (in order), recorded again each time it is re-sent."""


class KeptAnswers:
    def __init__(self, size: int = 256, max_bytes: int = 4_000_000) -> None:
        self.max_bytes = max_bytes
        self._kept: LRUCache[Key, Kept] = LRUCache(maxsize=size)

    def get(self, key: Key) -> Kept | None:
        """The answer kept under `key`, whatever its tag (the caller compares it with the current one)."""
        return self._kept.get(key)

    def put(self, key: Key, kept: Kept) -> None:
        if len(kept.body) <= self.max_bytes:
            self._kept[key] = kept
