"""The append as one SQL statement, with the inline SQL projections fused in.

One statement, one round trip, one executor run: PostgreSQL runs every data-modifying CTE exactly
once and to completion, and any error (a stale version, a forgotten subject, a unique violation)
aborts all of it, inline projections included. Errors are raised by `rapport_fail()`, which only
runs on the failure path, so the happy path never enters PL/pgSQL.

Concurrency: a stream's head is its last event. Two writers that read the same head both insert its
next version, and UNIQUE (stream_id, version) lets exactly one of them commit; the other fails with
a unique violation, which the store reports as a stale version. No head row is locked or rewritten.

The hash chain (see `backend.eventstore.chain`): Python sends each event's digest; the statement
chains them onto the stream's last hash, because only the database knows it, the version and the time.

Two shapes share every fragment below:
- `append_one_statement`, for the common case of one event on one stream, with plain parameters:
  $1 stream id  $2 category  $3 expected version (>= 0 exact, -1 no stream, -2 any)  $4 type
  $5 schema version  $6 data  $7 metadata  $8 actor  $9 command id  $10 correlation id
  $11 causation id  $12 the event's digest  $13 the command's digest  $14 sealed-for subjects
- `append_statement`, for several events or streams, with the lists as JSON (asyncpg encodes one
  JSON document far more cheaply than many arrays):
  $1 command id  $2 command digest
  $3 {"streams": [{"stream_id", "category", "expected"}], "subjects": [...]}
  $4 [{"s": the stream's 1-based index in $3, "type", "schema_version", "data", "digest": hex}], a
     stream's events contiguous and in order
  $5 metadata  $6 actor  $7 correlation id  $8 causation id
"""

from collections.abc import Sequence

from backend.eventstore.projection import BATCH_COLUMNS, SqlProjection

ZERO_HASH = "'\\x" + "00" * 32 + "'::bytea"


def _base_version(expected: str, stream_id: str) -> str:
    """The stream's current version (from its last event `l`), or a stale-version error."""
    return f"""CASE
               WHEN ({expected} = -1 AND l.version IS NOT NULL)
                    OR ({expected} >= 0 AND {expected} <> coalesce(l.version, 0))
                   THEN rapport_fail('RP001',
                                     format('stream %s is at version %s', {stream_id}, coalesce(l.version, 0)),
                                     coalesce(l.version, 0)::text, {stream_id})
               ELSE coalesce(l.version, 0)
           END"""


def _last_event(stream_id: str) -> str:
    return f"""LEFT JOIN LATERAL (
        SELECT e.version, e.hash FROM events e WHERE e.stream_id = {stream_id} ORDER BY e.version DESC LIMIT 1
    ) l ON true"""


def _link(previous: str, version: str, at: str, digest: str) -> str:
    return f"sha256({previous} || int8send({version}) || int8send(rapport_micros({at})) || {digest})"


def _subjects_check(personal: bool, subjects: str, count: str) -> tuple[str, str]:
    """(CTE, WHERE clause): with personal data, every key it was sealed with must still exist.

    No lock is taken: a forget() that commits after this check but before the append does leaves
    data sealed under a key that no longer exists, which is unreadable, so erased all the same.
    """
    if not personal:
        return (
            "",
            f"""
    WHERE CASE WHEN {count} = 0 THEN true
               ELSE rapport_fail('XX000', 'sealed personal data needs the statement that checks keys') IS NULL END""",
        )
    cte = f"""
live AS MATERIALIZED (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM subject_keys k WHERE k.subject IN (SELECT {subjects}) AND k.key IS NOT NULL
    ) still_live
),"""
    where = f"""
    WHERE CASE WHEN (SELECT n FROM live) = {count} THEN true
               ELSE rapport_fail('RP003', 'a data subject of this command has been forgotten') IS NULL END"""
    return cte, where


_INSERT_EVENTS = """INSERT INTO events (stream_id, category, version, type, schema_version, data, metadata, actor_id,
                        command_id, correlation_id, causation_id, recorded_at, hash)"""

# The command id's primary key is the durable idempotency: a second claim fails, for good.
_CLAIM = """
claimed AS (
    INSERT INTO commands (command_id, digest, positions, stream_ids, recorded_at)
    SELECT {command}, {digest}, array_agg(i.position ORDER BY i.position), array_agg(i.stream_id ORDER BY i.position),
           min(i.recorded_at)
    FROM inserted i
)"""

_RESULT = """
SELECT i.position, i.transaction_id::text::bigint AS transaction_id, i.version, i.recorded_at
FROM inserted i ORDER BY i.position"""


def _finish(head: str, projections: Sequence[SqlProjection]) -> str:
    parts = [head]
    for i, projection in enumerate(projections):
        parts.append(f"batch_{i} AS (SELECT * FROM inserted b WHERE true{projection.filter_sql('b')})")
        parts.append(f"project_{i} AS ({projection.statement(f'batch_{i}')})")
    return ",\n".join(parts) + _RESULT


def append_one_statement(projections: Sequence[SqlProjection], *, personal: bool) -> str:
    """One event on one stream: no lists, no recursion."""
    live, check = _subjects_check(personal, "unnest($14::text[])", "cardinality($14::text[])")
    head = f"""
WITH{live}
head AS MATERIALIZED (
    SELECT {_base_version("$3::bigint", "$1::text")} AS base_version,
           coalesce(l.hash, {ZERO_HASH}) AS base_hash,
           clock_timestamp() AS at
    FROM (SELECT 1) one
    {_last_event("$1::text")}{check}
),
inserted AS (
    {_INSERT_EVENTS}
    SELECT $1::text, $2::text, h.base_version + 1, $4::text, $5::int, $6::jsonb, $7::jsonb, $8::text, $9::uuid,
           $10::uuid, $11::uuid, h.at, {_link("h.base_hash", "h.base_version + 1", "h.at", "$12::bytea")}
    FROM head h
    RETURNING {", ".join(BATCH_COLUMNS)}
),{_CLAIM.format(command="$9::uuid", digest="$13::bytea")}"""
    return _finish(head, projections)


def append_statement(projections: Sequence[SqlProjection], *, personal: bool) -> str:
    """Any number of events on any number of streams, hashed in turn by a recursive CTE."""
    live, check = _subjects_check(
        personal, "jsonb_array_elements_text($3::jsonb -> 'subjects')", "jsonb_array_length($3::jsonb -> 'subjects')"
    )
    head = f"""
WITH RECURSIVE{live}
heads AS MATERIALIZED (
    SELECT w.ord::int AS s, w.stream_id, w.category,
           {_base_version("w.expected", "w.stream_id")} AS base_version,
           coalesce(l.hash, {ZERO_HASH}) AS base_hash,
           clock_timestamp() AS at
    FROM ROWS FROM (jsonb_to_recordset($3::jsonb -> 'streams') AS (stream_id text, category text, expected bigint))
         WITH ORDINALITY AS w(stream_id, category, expected, ord)
    {_last_event("w.stream_id")}{check}
),
ev AS MATERIALIZED (
    SELECT e.ord::int AS i, e.s, e.type, e.schema_version, e.data, decode(e.digest, 'hex') AS digest
    FROM ROWS FROM (jsonb_to_recordset($4::jsonb) AS (s int, type text, schema_version int, data jsonb, digest text))
         WITH ORDINALITY AS e(s, type, schema_version, data, digest, ord)
),
chain AS (
    -- Event i's hash covers event i-1's, or its stream's last hash when it is the stream's first here.
    SELECT e.i, e.s, h.base_version + 1 AS version, h.at,
           {_link("h.base_hash", "h.base_version + 1", "h.at", "e.digest")} AS hash
    FROM ev e JOIN heads h ON h.s = e.s WHERE e.i = 1
    UNION ALL
    SELECT e.i, e.s, n.version, h.at, {_link("n.previous", "n.version", "h.at", "e.digest")}
    FROM chain c
    JOIN ev e ON e.i = c.i + 1
    JOIN heads h ON h.s = e.s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN e.s = c.s THEN c.version ELSE h.base_version END + 1 AS version,
               CASE WHEN e.s = c.s THEN c.hash ELSE h.base_hash END AS previous
    ) n
),
inserted AS (
    {_INSERT_EVENTS}
    SELECT h.stream_id, h.category, c.version, e.type, e.schema_version, e.data, $5::jsonb, $6::text,
           $1::uuid, $7::uuid, $8::uuid, c.at, c.hash
    FROM chain c JOIN ev e ON e.i = c.i JOIN heads h ON h.s = c.s
    ORDER BY c.i
    RETURNING {", ".join(BATCH_COLUMNS)}
),{_CLAIM.format(command="$1::uuid", digest="$2::bytea")}"""
    return _finish(head, projections)
