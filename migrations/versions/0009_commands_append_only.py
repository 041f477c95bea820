"""The event store's hardening: `commands` is append-only like `events`; subject keys are stored wrapped.

`commands` records which events each command appended, which is how `verify` finds events removed
from the end of a stream; deleting a stream's last event together with its command's row passed
`verify`, since nothing stopped that DELETE. It now has the same triggers as `events`.

Subject keys are wrapped with a master key the database never holds (backend/eventstore/keys.py):
`subject_keys.kek_id` names it, and `master_key` names the one new keys are wrapped under (its id,
never the key). Keys stored before this revision stay readable as they are (kek_id NULL) until the
application wraps them at start-up (`wrap_plain_keys`): only it has the master key, which may come
from its environment; a migration run elsewhere could not know it. No new key can be stored
unwrapped (a NOT VALID check: it holds for every row written from now on).

The downgrade refuses while any key is wrapped: SQL cannot unwrap them, and dropping the column
would make every personal field unreadable.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE: list[str] = [
    """
    CREATE FUNCTION rapport_commands_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the record of commands is append-only: % is not allowed on commands', TG_OP
            USING ERRCODE = 'RP009';
    END
    $$
    """,
    """
    CREATE TRIGGER commands_append_only BEFORE UPDATE OR DELETE ON commands
        FOR EACH ROW EXECUTE FUNCTION rapport_commands_are_append_only()
    """,
    """
    CREATE TRIGGER commands_no_truncate BEFORE TRUNCATE ON commands
        FOR EACH STATEMENT EXECUTE FUNCTION rapport_commands_are_append_only()
    """,
    "REVOKE UPDATE, DELETE, TRUNCATE ON commands FROM PUBLIC",
    # One row: the id of the master key that wraps new subject keys. Key creation holds FOR KEY SHARE
    # on it and a rotation changes it, which is what orders the two (backend/eventstore/keys.py).
    """
    CREATE TABLE master_key (
        kek_id     text PRIMARY KEY CHECK (kek_id ~ '^[0-9a-f]{16}$'),
        singleton  boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
        since      timestamptz NOT NULL DEFAULT now()
    )
    """,
    # Deferred: a rotation renames the master key first and re-wraps the keys after, and may commit
    # only once no key is left under the old id.
    """
    ALTER TABLE subject_keys ADD COLUMN kek_id text
        REFERENCES master_key (kek_id) DEFERRABLE INITIALLY DEFERRED
    """,
    "ALTER TABLE subject_keys DROP CONSTRAINT subject_keys_key_check",
    """
    ALTER TABLE subject_keys ADD CONSTRAINT subject_keys_key_check CHECK (
        (key IS NULL AND kek_id IS NULL)
        OR (kek_id IS NULL AND length(key) = 32)
        OR (kek_id IS NOT NULL AND length(key) = 60)
    )
    """,
    "ALTER TABLE subject_keys ADD CONSTRAINT subject_keys_wrapped CHECK (key IS NULL OR kek_id IS NOT NULL) NOT VALID",
    "CREATE INDEX subject_keys_unwrapped ON subject_keys (subject) WHERE key IS NOT NULL AND kek_id IS NULL",
    "CREATE INDEX subject_keys_by_master_key ON subject_keys (kek_id)",
]

DOWNGRADE: list[str] = [
    """
    DO $$
    BEGIN
        IF EXISTS (SELECT 1 FROM subject_keys WHERE kek_id IS NOT NULL) THEN
            RAISE EXCEPTION 'subject keys are wrapped with the master key, which SQL cannot unwrap: downgrading'
                ' below 0009 would make every personal field unreadable';
        END IF;
    END
    $$
    """,
    "DROP INDEX subject_keys_by_master_key",
    "DROP INDEX subject_keys_unwrapped",
    "ALTER TABLE subject_keys DROP CONSTRAINT subject_keys_wrapped",
    "ALTER TABLE subject_keys DROP CONSTRAINT subject_keys_key_check",
    "ALTER TABLE subject_keys DROP COLUMN kek_id",
    "ALTER TABLE subject_keys ADD CONSTRAINT subject_keys_key_check CHECK (key IS NULL OR length(key) = 32)",
    "DROP TABLE master_key",
    "DROP TRIGGER commands_no_truncate ON commands",
    "DROP TRIGGER commands_append_only ON commands",
    "DROP FUNCTION rapport_commands_are_append_only()",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
