"""The event store: streams, append-only events with a hash chain, commands, subject keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from backend.migrate import run_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One statement per string: asyncpg prepares each one, and prepared statements hold one command.
UPGRADE = [
    # The head of every stream: its version and the hash of its last event. Writers to one stream
    # serialise on this row (SELECT ... FOR UPDATE); writers to different streams never wait.
    """
    CREATE TABLE streams (
        stream_id   text PRIMARY KEY
                    CHECK (stream_id ~ '^[a-z][a-z0-9_]*-[A-Za-z0-9_.:@-]{1,200}$'),
        category    text NOT NULL,
        version     bigint NOT NULL CHECK (version >= 0),
        last_hash   bytea NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
    )
    """,
    # The log. `position` is a global sequence; `transaction_id` is the writer's xid8, so a reader can
    # wait for every transaction below the snapshot's xmin to finish before it trusts an ordering.
    """
    CREATE TABLE events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text NOT NULL REFERENCES streams (stream_id),
        category        text NOT NULL,
        version         bigint NOT NULL CHECK (version >= 1),
        type            text NOT NULL CHECK (type ~ '^[A-Za-z][A-Za-z0-9_]{0,99}$'),
        schema_version  integer NOT NULL CHECK (schema_version >= 1),
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        actor_id        text NOT NULL CHECK (actor_id !~ '[[:cntrl:]]' AND length(actor_id) <= 200),
        command_id      uuid NOT NULL,
        correlation_id  uuid NOT NULL,
        causation_id    uuid,
        recorded_at     timestamptz NOT NULL,
        hash            bytea NOT NULL,
        UNIQUE (stream_id, version)
    )
    """,
    "CREATE INDEX events_global_order ON events (transaction_id, position)",
    "CREATE INDEX events_by_type ON events (type, transaction_id, position)",
    "CREATE INDEX events_by_category ON events (category, transaction_id, position)",
    # Durable idempotency: a command id is claimed once, forever, with a digest of what it carried.
    """
    CREATE TABLE commands (
        command_id   uuid PRIMARY KEY,
        digest       bytea NOT NULL,
        positions    bigint[] NOT NULL,
        recorded_at  timestamptz NOT NULL
    )
    """,
    # One AES-256-GCM key per data subject. Forgetting a subject sets its key to NULL: the row stays as
    # a tombstone so no new personal data can be written for that subject.
    """
    CREATE TABLE subject_keys (
        subject       text PRIMARY KEY,
        key           bytea CHECK (key IS NULL OR length(key) = 32),
        created_at    timestamptz NOT NULL DEFAULT now(),
        forgotten_at  timestamptz,
        CHECK ((key IS NULL) = (forgotten_at IS NOT NULL))
    )
    """,
    # Where each async projection has got to, and why it stopped if it did.
    """
    CREATE TABLE projection_checkpoints (
        name             text PRIMARY KEY,
        transaction_id   xid8 NOT NULL DEFAULT '0'::xid8,
        position         bigint NOT NULL DEFAULT 0,
        updated_at       timestamptz NOT NULL DEFAULT now(),
        failed_position  bigint,
        failed_at        timestamptz,
        error            text
    )
    """,
    # The hash of one event: it covers the stream, version, type, schema version, data, metadata,
    # actor, ids and time, chained to the previous event's hash. jsonb's text form is canonical
    # (keys sorted, one spacing), so the same stored event always hashes the same way.
    """
    CREATE FUNCTION rapport_event_hash(
        p_prev bytea, p_stream text, p_version bigint, p_type text, p_schema_version integer,
        p_data jsonb, p_metadata jsonb, p_actor text, p_command uuid, p_correlation uuid,
        p_causation uuid, p_recorded_at timestamptz
    ) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT sha256(p_prev || convert_to(
            p_stream || E'\\n' || p_version::text || E'\\n' || p_type || E'\\n'
            || p_schema_version::text || E'\\n' || p_actor || E'\\n' || p_command::text || E'\\n'
            || p_correlation::text || E'\\n' || coalesce(p_causation::text, '-') || E'\\n'
            || (extract(epoch FROM p_recorded_at) * 1000000)::bigint::text || E'\\n'
            || p_data::text || E'\\n' || p_metadata::text,
            'UTF8'))
    $$
    """,
    # Append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE of the log, whoever asks.
    """
    CREATE FUNCTION rapport_events_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: % is not allowed on events', TG_OP
            USING ERRCODE = 'RP009';
    END
    $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION rapport_events_are_append_only()
    """,
    """
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION rapport_events_are_append_only()
    """,
    "REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC",
    # The whole append in one round trip. Error codes: RP001 wrong expected version, RP002 command id
    # reused with another payload, RP003 a data subject was forgotten, RP004 the same command id
    # committed concurrently (the caller re-reads it and returns the original positions).
    """
    CREATE FUNCTION rapport_append(
        p_command_id uuid,
        p_digest bytea,
        p_streams text[],
        p_categories text[],
        p_expected bigint[],
        p_event_stream integer[],
        p_types text[],
        p_schema_versions integer[],
        p_data jsonb[],
        p_metadata jsonb[],
        p_actor text,
        p_correlation uuid,
        p_causation uuid,
        p_live_subjects text[]
    ) RETURNS TABLE (
        out_position bigint, out_transaction_id xid8, out_stream_id text, out_category text,
        out_version bigint, out_type text, out_schema_version integer, out_data jsonb,
        out_metadata jsonb, out_actor_id text, out_command_id uuid, out_correlation_id uuid,
        out_causation_id uuid, out_recorded_at timestamptz, out_duplicate boolean
    )
    LANGUAGE plpgsql AS $$
    DECLARE
        v_existing   commands;
        v_now        timestamptz;
        v_versions   bigint[] := '{}';
        v_hashes     bytea[] := '{}';
        v_is_new     boolean[] := '{}';
        v_ver        bigint;
        v_hash       bytea;
        v_positions  bigint[];
        v_ev_version bigint[] := '{}';
        v_ev_hash    bytea[] := '{}';
        v_s          integer;
        v_live       integer;
        v_zero       constant bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000';
    BEGIN
        SELECT * INTO v_existing FROM commands c WHERE c.command_id = p_command_id;
        IF FOUND THEN
            IF v_existing.digest <> p_digest THEN
                RAISE EXCEPTION 'command % was already used with a different payload', p_command_id
                    USING ERRCODE = 'RP002';
            END IF;
            RETURN QUERY
                SELECT e.position, e.transaction_id, e.stream_id, e.category, e.version, e.type,
                       e.schema_version, e.data, e.metadata, e.actor_id, e.command_id,
                       e.correlation_id, e.causation_id, e.recorded_at, true
                FROM events e WHERE e.position = ANY (v_existing.positions) ORDER BY e.position;
            RETURN;
        END IF;

        -- A forget() that commits first wins: it holds the key row FOR UPDATE while it destroys it.
        IF cardinality(p_live_subjects) > 0 THEN
            SELECT count(*) INTO v_live FROM (
                SELECT 1 FROM subject_keys k
                WHERE k.subject = ANY (p_live_subjects) AND k.key IS NOT NULL FOR SHARE
            ) live;
            IF v_live <> cardinality(p_live_subjects) THEN
                RAISE EXCEPTION 'a data subject of this command has been forgotten'
                    USING ERRCODE = 'RP003';
            END IF;
        END IF;

        -- Lock each stream head in the caller's order and check its expected version.
        FOR v_s IN 1 .. cardinality(p_streams) LOOP
            SELECT s.version, s.last_hash INTO v_ver, v_hash
            FROM streams s WHERE s.stream_id = p_streams[v_s] FOR UPDATE;
            IF FOUND THEN
                IF p_expected[v_s] = -1 OR (p_expected[v_s] >= 0 AND p_expected[v_s] <> v_ver) THEN
                    RAISE EXCEPTION 'stream % is at version %', p_streams[v_s], v_ver
                        USING ERRCODE = 'RP001', DETAIL = v_ver::text, HINT = p_streams[v_s];
                END IF;
                v_is_new := v_is_new || false;
            ELSE
                IF p_expected[v_s] > 0 THEN
                    RAISE EXCEPTION 'stream % does not exist', p_streams[v_s]
                        USING ERRCODE = 'RP001', DETAIL = '0', HINT = p_streams[v_s];
                END IF;
                v_ver := 0;
                v_hash := v_zero;
                v_is_new := v_is_new || true;
            END IF;
            v_versions := v_versions || v_ver;
            v_hashes := v_hashes || v_hash;
        END LOOP;

        -- Taken after the locks, so recorded_at never goes backwards within a stream.
        v_now := clock_timestamp();

        FOR i IN 1 .. cardinality(p_types) LOOP
            v_s := p_event_stream[i];
            v_versions[v_s] := v_versions[v_s] + 1;
            v_hashes[v_s] := rapport_event_hash(
                v_hashes[v_s], p_streams[v_s], v_versions[v_s], p_types[i], p_schema_versions[i],
                p_data[i], p_metadata[i], p_actor, p_command_id, p_correlation, p_causation, v_now);
            v_ev_version := v_ev_version || v_versions[v_s];
            v_ev_hash := v_ev_hash || v_hashes[v_s];
        END LOOP;

        FOR v_s IN 1 .. cardinality(p_streams) LOOP
            IF v_is_new[v_s] THEN
                INSERT INTO streams AS s (stream_id, category, version, last_hash, created_at, updated_at)
                VALUES (p_streams[v_s], p_categories[v_s], v_versions[v_s], v_hashes[v_s], v_now, v_now)
                ON CONFLICT (stream_id) DO NOTHING;
                IF NOT FOUND THEN
                    -- Another writer created the stream between our look and our insert.
                    SELECT s.version INTO v_ver FROM streams s WHERE s.stream_id = p_streams[v_s];
                    RAISE EXCEPTION 'stream % was created concurrently', p_streams[v_s]
                        USING ERRCODE = 'RP001', DETAIL = v_ver::text, HINT = p_streams[v_s];
                END IF;
            ELSE
                UPDATE streams s SET version = v_versions[v_s], last_hash = v_hashes[v_s], updated_at = v_now
                WHERE s.stream_id = p_streams[v_s];
            END IF;
        END LOOP;

        WITH inserted AS (
            INSERT INTO events AS e (stream_id, category, version, type, schema_version, data, metadata,
                                     actor_id, command_id, correlation_id, causation_id, recorded_at, hash)
            SELECT p_streams[u.s], p_categories[u.s], u.version, u.type, u.schema_version, u.data,
                   u.metadata, p_actor, p_command_id, p_correlation, p_causation, v_now, u.hash
            FROM unnest(p_event_stream, v_ev_version, p_types, p_schema_versions, p_data, p_metadata,
                        v_ev_hash) WITH ORDINALITY
                 AS u(s, version, type, schema_version, data, metadata, hash, ord)
            ORDER BY u.ord
            RETURNING e.position
        )
        SELECT array_agg(inserted.position ORDER BY inserted.position) INTO v_positions FROM inserted;

        INSERT INTO commands (command_id, digest, positions, recorded_at)
        VALUES (p_command_id, p_digest, v_positions, v_now)
        ON CONFLICT (command_id) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'command % committed concurrently', p_command_id USING ERRCODE = 'RP004';
        END IF;

        RETURN QUERY
            SELECT e.position, e.transaction_id, e.stream_id, e.category, e.version, e.type,
                   e.schema_version, e.data, e.metadata, e.actor_id, e.command_id,
                   e.correlation_id, e.causation_id, e.recorded_at, false
            FROM events e WHERE e.position = ANY (v_positions) ORDER BY e.position;
    END
    $$
    """,
]

DOWNGRADE = [
    "DROP FUNCTION IF EXISTS rapport_append(uuid, bytea, text[], text[], bigint[], integer[], text[],"
    " integer[], jsonb[], jsonb[], text, uuid, uuid, text[])",
    "DROP TABLE IF EXISTS projection_checkpoints",
    "DROP TABLE IF EXISTS subject_keys",
    "DROP TABLE IF EXISTS commands",
    "DROP TABLE IF EXISTS events",
    "DROP TABLE IF EXISTS streams",
    "DROP FUNCTION IF EXISTS rapport_events_are_append_only()",
    "DROP FUNCTION IF EXISTS rapport_event_hash(bytea, text, bigint, text, integer, jsonb, jsonb, text,"
    " uuid, uuid, uuid, timestamptz)",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
