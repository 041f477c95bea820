"""Ids a client chooses are scoped to their student: read models keyed by (student, id).

A contact's id, an interview's and an action item's are chosen by the client (the phone makes them
offline). Until now a contact's stream was `contact-<id>` and the read models were keyed by the id
alone, so one student could name another's interview and overwrite its row (`interviews` upserted on
`interview_id`), or learn that another's contact id exists (409 where a fresh id got 201). From now
on a new contact's stream is `contact-<student>.<contact>` (backend/relationships/events.py) and
every table of the relationships projection is keyed, and upserted, by the student first.

Streams written before keep their names (the log is append-only), so `contacts` records each
contact's stream in `stream_id`; this revision fills it for the rows there are. Reads and the
projection find a contact's stream there, whichever form its name has.

A downgrade restores the single-column keys, and refuses to run once a contact lives on a scoped
stream: the code before this revision could not find that stream (nor tell two students' equal ids
apart).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "ALTER TABLE contacts ADD COLUMN stream_id text",
    "UPDATE contacts SET stream_id = 'contact-' || replace(contact_id::text, '-', '')",
    "ALTER TABLE contacts ALTER COLUMN stream_id SET NOT NULL",
    "CREATE UNIQUE INDEX contacts_by_stream ON contacts (stream_id)",
    "ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, "
    "ADD CONSTRAINT contacts_pkey PRIMARY KEY (student_id, contact_id)",
    "DROP INDEX contacts_by_referrer",
    "CREATE INDEX contacts_by_referrer ON contacts (student_id, referred_by)",
    "ALTER TABLE interviews DROP CONSTRAINT interviews_pkey, "
    "ADD CONSTRAINT interviews_pkey PRIMARY KEY (student_id, interview_id)",
    "DROP INDEX interviews_by_contact",
    "CREATE INDEX interviews_by_contact ON interviews (student_id, contact_id)",
    "ALTER TABLE agenda_items DROP CONSTRAINT agenda_items_pkey, "
    "ADD CONSTRAINT agenda_items_pkey PRIMARY KEY (student_id, item_key)",
    "DROP INDEX agenda_by_contact",
    "CREATE INDEX agenda_by_contact ON agenda_items (student_id, contact_id)",
    "ALTER TABLE field_notes DROP CONSTRAINT field_notes_pkey, "
    "ADD CONSTRAINT field_notes_pkey PRIMARY KEY (student_id, note_key)",
    "DROP INDEX field_notes_by_contact",
    "CREATE INDEX field_notes_by_contact ON field_notes (student_id, contact_id)",
]

DOWNGRADE = [
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM contacts WHERE stream_id <> 'contact-' || replace(contact_id::text, '-', '')) THEN
            RAISE EXCEPTION 'contacts live on owner-scoped streams: revision 0009 cannot read them';
        END IF;
    END $$
    """,
    "DROP INDEX field_notes_by_contact",
    "CREATE INDEX field_notes_by_contact ON field_notes (contact_id)",
    "ALTER TABLE field_notes DROP CONSTRAINT field_notes_pkey, ADD CONSTRAINT field_notes_pkey PRIMARY KEY (note_key)",
    "DROP INDEX agenda_by_contact",
    "CREATE INDEX agenda_by_contact ON agenda_items (contact_id)",
    "ALTER TABLE agenda_items DROP CONSTRAINT agenda_items_pkey, "
    "ADD CONSTRAINT agenda_items_pkey PRIMARY KEY (item_key)",
    "DROP INDEX interviews_by_contact",
    "CREATE INDEX interviews_by_contact ON interviews (contact_id)",
    "ALTER TABLE interviews DROP CONSTRAINT interviews_pkey, ADD CONSTRAINT interviews_pkey PRIMARY KEY (interview_id)",
    "DROP INDEX contacts_by_referrer",
    "CREATE INDEX contacts_by_referrer ON contacts (referred_by)",
    "ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD CONSTRAINT contacts_pkey PRIMARY KEY (contact_id)",
    "DROP INDEX contacts_by_stream",
    "ALTER TABLE contacts DROP COLUMN stream_id",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
