"""The event store: streams, append-only events with a hash chain, commands, subject keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One statement per string: asyncpg prepares each one, and prepared statements hold one command.
UPGRADE = [
    # The log. `position` is a global sequence; `transaction_id` is the writer's xid8, so a reader can
    # wait for every transaction below the snapshot's xmin to finish before it trusts an ordering.
    # UNIQUE (stream_id, version) is the concurrency control: two writers that read the same head
    # both try to write its next version, and the index lets exactly one of them commit. Writers to
    # different streams never wait for each other, and no head row is rewritten on every append.
    """
    CREATE TABLE events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text NOT NULL CHECK (stream_id ~ '^[a-z][a-z0-9_]*-[A-Za-z0-9_.:@-]{1,200}$'),
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
        hash            bytea NOT NULL CHECK (length(hash) = 32),
        UNIQUE (stream_id, version)
    )
    """,
    "CREATE INDEX events_global_order ON events (transaction_id, position)",
    "CREATE INDEX events_by_type ON events (type, transaction_id, position)",
    "CREATE INDEX events_by_category ON events (category, transaction_id, position)",
    # Durable idempotency: a command id is claimed once, forever, with a digest of what it carried
    # and where its events landed. `verify` also checks every event a command recorded is still there.
    """
    CREATE TABLE commands (
        command_id   uuid PRIMARY KEY,
        digest       bytea NOT NULL,
        positions    bigint[] NOT NULL,
        stream_ids   text[] NOT NULL,
        recorded_at  timestamptz NOT NULL,
        CHECK (cardinality(positions) = cardinality(stream_ids))
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
    # Microseconds since the epoch: the time an event's hash covers, exactly as Python computes it.
    # STABLE like extract() on timestamptz, so PostgreSQL can inline it into the append.
    """
    CREATE FUNCTION rapport_micros(p_at timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT ((extract(epoch FROM p_at) * 1000000))::bigint $$
    """,
    # Raises a Rapport error from inside a statement; called only on the failure path. Codes: RP001
    # wrong expected version (DETAIL: the current version, HINT: the stream), RP003 a data subject
    # was forgotten, RP009 the log is append-only.
    """
    CREATE FUNCTION rapport_fail(p_code text, p_message text, p_detail text DEFAULT '', p_hint text DEFAULT '')
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = p_code, MESSAGE = p_message, DETAIL = p_detail, HINT = p_hint;
    END
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
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS projection_checkpoints",
    "DROP TABLE IF EXISTS subject_keys",
    "DROP TABLE IF EXISTS commands",
    "DROP TABLE IF EXISTS events",
    "DROP FUNCTION IF EXISTS rapport_events_are_append_only()",
    "DROP FUNCTION IF EXISTS rapport_fail(text, text, text, text)",
    "DROP FUNCTION IF EXISTS rapport_micros(timestamptz)",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
