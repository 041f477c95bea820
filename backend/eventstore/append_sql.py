"""The append as one SQL statement, with the inline SQL projections fused in.

One statement, one round trip, one executor run: PostgreSQL runs every data-modifying CTE exactly
once and to completion, and any error (a stale version, a forgotten subject, a unique violation)
aborts all of it, inline projections included. Errors are raised by `rapport_fail()`, which only
runs on the failure path, so the happy path never enters PL/pgSQL.

The hash chain (see `backend.eventstore.chain`): Python sends each event's digest; the statement
chains them, because only the database knows each stream's last hash, its version and the time.

Parameters, few and mostly JSON, because asyncpg encodes one JSON document far more cheaply than
eight arrays:
 $1 command id   $2 payload digest
 $3 {"streams": [{"stream_id", "category", "expected"}], "subjects": [data subjects whose keys
    sealed personal fields]}; expected is >= 0 exact, -1 no stream, -2 any
 $4 [{"s": the stream's 1-based index in $3, "type", "schema_version", "data", "digest": hex}], a
    stream's events contiguous and in order
 $5 metadata (the same for every event)   $6 actor   $7 correlation id   $8 causation id
"""

from collections.abc import Sequence

from backend.eventstore.projection import BATCH_COLUMNS, SqlProjection

ZERO_HASH = "'\\x" + "00" * 32 + "'::bytea"

_APPEND = f"""
WITH RECURSIVE wanted AS MATERIALIZED (
    SELECT w.stream_id, w.category, w.expected, w.ord::int AS s
    FROM ROWS FROM (jsonb_to_recordset($3::jsonb -> 'streams') AS (stream_id text, category text, expected bigint))
         WITH ORDINALITY AS w(stream_id, category, expected, ord)
),
locked AS MATERIALIZED (
    -- Writers to one stream queue on its head row; writers to other streams never wait.
    -- Locked in stream id order, so two multi-stream appends cannot deadlock.
    SELECT st.stream_id, st.version, st.last_hash
    FROM streams st WHERE st.stream_id IN (SELECT w.stream_id FROM wanted w) ORDER BY st.stream_id FOR UPDATE
),{{live}}
heads AS MATERIALIZED (
    SELECT w.s, w.stream_id, w.category,
           coalesce(l.last_hash, {ZERO_HASH}) AS base_hash,
           CASE
               WHEN (w.expected = -1 AND l.stream_id IS NOT NULL)
                    OR (w.expected >= 0 AND w.expected <> coalesce(l.version, 0))
                   THEN rapport_fail('RP001',
                                     format('stream %s is at version %s', w.stream_id, coalesce(l.version, 0)),
                                     coalesce(l.version, 0)::text, w.stream_id)
               ELSE coalesce(l.version, 0)
           END AS base_version,
           -- Taken once the stream's head is locked, so recorded_at never goes backwards in a stream.
           clock_timestamp() AS at
    FROM wanted w LEFT JOIN locked l ON l.stream_id = w.stream_id{{live_check}}
),
ev AS MATERIALIZED (
    SELECT e.ord::int AS i, e.s, e.type, e.schema_version, e.data, decode(e.digest, 'hex') AS digest
    FROM ROWS FROM (jsonb_to_recordset($4::jsonb) AS (s int, type text, schema_version int, data jsonb, digest text))
         WITH ORDINALITY AS e(s, type, schema_version, data, digest, ord)
),
chain AS (
    -- Event i's hash covers event i-1's, or its stream's last hash when it is the stream's first here.
    SELECT e.i, e.s, h.base_version + 1 AS version, h.at,
           sha256(h.base_hash || int8send(h.base_version + 1) || int8send(rapport_micros(h.at)) || e.digest) AS hash
    FROM ev e JOIN heads h ON h.s = e.s WHERE e.i = 1
    UNION ALL
    SELECT e.i, e.s, n.version, h.at,
           sha256(n.previous || int8send(n.version) || int8send(rapport_micros(h.at)) || e.digest)
    FROM chain c
    JOIN ev e ON e.i = c.i + 1
    JOIN heads h ON h.s = e.s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN e.s = c.s THEN c.version ELSE h.base_version END + 1 AS version,
               CASE WHEN e.s = c.s THEN c.hash ELSE h.base_hash END AS previous
    ) n
),
heads_moved AS (
    -- A stream created concurrently since our snapshot is overwritten here, but its version-1 event
    -- then collides with ours on UNIQUE (stream_id, version) and the whole statement fails.
    INSERT INTO streams AS st (stream_id, category, version, last_hash, created_at, updated_at)
    SELECT DISTINCT ON (c.s) h.stream_id, h.category, c.version, c.hash, h.at, h.at
    FROM chain c JOIN heads h ON h.s = c.s
    ORDER BY c.s, c.i DESC
    ON CONFLICT (stream_id) DO UPDATE
        SET version = EXCLUDED.version, last_hash = EXCLUDED.last_hash, updated_at = EXCLUDED.updated_at
),
inserted AS (
    INSERT INTO events (stream_id, category, version, type, schema_version, data, metadata, actor_id,
                        command_id, correlation_id, causation_id, recorded_at, hash)
    SELECT h.stream_id, h.category, c.version, e.type, e.schema_version, e.data, $5::jsonb, $6::text,
           $1::uuid, $7::uuid, $8::uuid, c.at, c.hash
    FROM chain c JOIN ev e ON e.i = c.i JOIN heads h ON h.s = c.s
    ORDER BY c.i
    RETURNING {", ".join(BATCH_COLUMNS)}
),
claimed AS (
    -- The command id's primary key is the durable idempotency: a second claim fails, for good.
    INSERT INTO commands (command_id, digest, positions, recorded_at)
    SELECT $1::uuid, $2::bytea, array_agg(i.position ORDER BY i.position), min(i.recorded_at) FROM inserted i
)"""

# Only when the append seals personal data: FOR SHARE on those subjects' keys, so a concurrent
# forget() either waits for this append or wins, and then the append is refused.
_LIVE = """
live AS MATERIALIZED (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM subject_keys k
        WHERE k.subject IN (SELECT jsonb_array_elements_text($3::jsonb -> 'subjects')) AND k.key IS NOT NULL
        FOR SHARE
    ) still_live
),"""
_LIVE_CHECK = """
    WHERE CASE WHEN (SELECT n FROM live) = jsonb_array_length($3::jsonb -> 'subjects') THEN true
               ELSE rapport_fail('RP003', 'a data subject of this command has been forgotten') IS NULL END"""
_NO_SUBJECTS = """
    WHERE CASE WHEN jsonb_array_length($3::jsonb -> 'subjects') = 0 THEN true
               ELSE rapport_fail('XX000', 'sealed personal data needs the statement that checks keys') IS NULL END"""

_RESULT = """
SELECT i.position, i.transaction_id::text::bigint AS transaction_id, i.version, i.recorded_at
FROM inserted i ORDER BY i.position"""


def append_statement(projections: Sequence[SqlProjection], *, personal: bool) -> str:
    """The append, with each inline SQL projection folding the appended rows (`inserted`)."""
    base = _APPEND.format(live=_LIVE if personal else "", live_check=_LIVE_CHECK if personal else _NO_SUBJECTS)
    parts = [base]
    for i, projection in enumerate(projections):
        parts.append(f"batch_{i} AS (SELECT * FROM inserted b WHERE true{projection.filter_sql('b')})")
        parts.append(f"project_{i} AS ({projection.statement(f'batch_{i}')})")
    return ",\n".join(parts) + _RESULT
