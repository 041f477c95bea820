"""Accounts and their credentials; the relationships read models; idempotency and calendar feeds.

Two kinds of table live here. Credentials, sessions, tokens, sign-in failures, idempotency keys and
calendar feeds are security state, not history: mutable, never in the event log (a password hash in
an immutable log could never be purged). The read models (students, contacts, interviews,
agenda_items, field_notes, student_activity) are folded from events by the `relationships`
projection and can be rebuilt from position zero at any time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    # -- security state ----------------------------------------------------------------------------
    """
    CREATE TABLE accounts (
        account_id     uuid PRIMARY KEY,
        email          text NOT NULL,
        password_hash  text NOT NULL,
        role           text NOT NULL CHECK (role IN ('student', 'advisor')),
        created_at     timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE UNIQUE INDEX accounts_by_email ON accounts (lower(email))",
    # A session is an opaque random token in an HttpOnly cookie; only its SHA-256 is stored.
    """
    CREATE TABLE sessions (
        token_hash   bytea PRIMARY KEY,
        account_id   uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
        csrf_token   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz
    )
    """,
    "CREATE INDEX sessions_by_account ON sessions (account_id)",
    """
    CREATE TABLE access_tokens (
        token_id      uuid PRIMARY KEY,
        account_id    uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
        name          text NOT NULL,
        token_hash    bytea NOT NULL UNIQUE,
        prefix        text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        revoked_at    timestamptz
    )
    """,
    "CREATE INDEX access_tokens_by_account ON access_tokens (account_id, created_at)",
    # Failed sign-ins, keyed by `account:<email>` and `address:<ip>`, counted over a sliding window.
    """
    CREATE TABLE sign_in_failures (
        key        text NOT NULL,
        failed_at  timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, failed_at)",
    # Idempotency-Key: the first response to a key is kept and replayed for the same request.
    """
    CREATE TABLE idempotency_keys (
        account_id   uuid NOT NULL,
        key          text NOT NULL,
        fingerprint  bytea NOT NULL,
        status       integer,
        headers      jsonb,
        body         bytea,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, key)
    )
    """,
    """
    CREATE TABLE calendar_feeds (
        token_hash  bytea PRIMARY KEY,
        student_id  uuid NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
    )
    """,
    "CREATE INDEX calendar_feeds_by_student ON calendar_feeds (student_id)",
    # -- read models (projection `relationships`) -----------------------------------------------
    """
    CREATE TABLE students (
        student_id  uuid PRIMARY KEY,
        version     bigint NOT NULL,
        time_zone   text NOT NULL,
        country     text NOT NULL,
        profile     jsonb NOT NULL,
        updated_at  timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE contacts (
        contact_id        uuid PRIMARY KEY,
        student_id        uuid NOT NULL,
        version           bigint NOT NULL,
        state             jsonb NOT NULL,
        name              text NOT NULL,
        title             text,
        organization      text,
        org_key           text,
        career_field      text,
        field_key         text,
        tags              text[] NOT NULL DEFAULT '{}',
        stage             text NOT NULL,
        no_response_from  date,
        referred_by       uuid,
        referrals         integer NOT NULL DEFAULT 0,
        archived          boolean NOT NULL DEFAULT false,
        erased            boolean NOT NULL DEFAULT false,
        added_at          timestamptz NOT NULL,
        last_activity_at  timestamptz NOT NULL,
        next_action       text,
        next_due          date,
        search            tsvector NOT NULL
    )
    """,
    "CREATE INDEX contacts_by_activity ON contacts (student_id, last_activity_at DESC, contact_id DESC)",
    "CREATE INDEX contacts_by_org ON contacts (student_id, org_key)",
    "CREATE INDEX contacts_by_referrer ON contacts (referred_by)",
    "CREATE INDEX contacts_search ON contacts USING gin (search)",
    "CREATE INDEX contacts_tags ON contacts USING gin (tags)",
    """
    CREATE TABLE interviews (
        interview_id     uuid PRIMARY KEY,
        contact_id       uuid NOT NULL,
        student_id       uuid NOT NULL,
        starts_at        timestamptz NOT NULL,
        minutes          integer NOT NULL,
        format           text NOT NULL,
        place            text,
        status           text NOT NULL,
        held_at          timestamptz,
        thanked_at       timestamptz,
        thanked_on_time  boolean
    )
    """,
    "CREATE INDEX interviews_by_student ON interviews (student_id, starts_at)",
    "CREATE INDEX interviews_by_contact ON interviews (contact_id)",
    """
    CREATE TABLE agenda_items (
        item_key    text PRIMARY KEY,
        student_id  uuid NOT NULL,
        contact_id  uuid NOT NULL,
        kind        text NOT NULL,
        reason      text NOT NULL,
        due         date NOT NULL,
        late_after  date NOT NULL,
        ref         uuid,
        org_key     text,
        anchor_at   timestamptz NOT NULL
    )
    """,
    "CREATE INDEX agenda_by_student ON agenda_items (student_id, due, item_key)",
    "CREATE INDEX agenda_by_contact ON agenda_items (contact_id)",
    # What people said, by career field: interview notes, free notes, reflections.
    """
    CREATE TABLE field_notes (
        note_key      text PRIMARY KEY,
        student_id    uuid NOT NULL,
        contact_id    uuid NOT NULL,
        career_field  text,
        field_key     text,
        kind          text NOT NULL,
        at            timestamptz NOT NULL,
        body          jsonb NOT NULL
    )
    """,
    "CREATE INDEX field_notes_by_field ON field_notes (student_id, field_key, at DESC)",
    "CREATE INDEX field_notes_by_contact ON field_notes (contact_id)",
    """
    CREATE TABLE student_activity (
        student_id  uuid NOT NULL,
        week        date NOT NULL,
        events      integer NOT NULL,
        PRIMARY KEY (student_id, week)
    )
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS student_activity",
    "DROP TABLE IF EXISTS field_notes",
    "DROP TABLE IF EXISTS agenda_items",
    "DROP TABLE IF EXISTS interviews",
    "DROP TABLE IF EXISTS contacts",
    "DROP TABLE IF EXISTS students",
    "DROP TABLE IF EXISTS calendar_feeds",
    "DROP TABLE IF EXISTS idempotency_keys",
    "DROP TABLE IF EXISTS sign_in_failures",
    "DROP TABLE IF EXISTS access_tokens",
    "DROP TABLE IF EXISTS sessions",
    "DROP TABLE IF EXISTS accounts",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
