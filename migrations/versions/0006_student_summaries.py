"""Each student's summary: the figures of their stats that do not depend on the day they are read.

`student_summaries` is a read model of the inline `relationships` projection, recomputed for every
student an append gives activity, in the append's transaction: requests, replies, interviews held
and thanked (and on time: 2 business days in the student's calendar, decided at projection time),
the days from each interview to its thanks, referrals, the depth of the referral chains, contacts
per career field and per stage, and the last activity. What depends on today is kept as the dates
it turns on (when a request turns `no_response`, when an unthanked interview's window closes) and
decided when read. The cohort dashboard reads every advisee's row in one statement instead of
recomputing every figure from every contact.

The upgrade fills the table from the read models already there (the projection's computation,
frozen here as of this revision); `rapport rebuild relationships` recomputes it too.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from backend.infra.migrate import run_statements

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE TABLE student_summaries (
        student_id        uuid PRIMARY KEY,
        requests          integer NOT NULL,
        replies           integer NOT NULL,
        held              integer NOT NULL,
        thanked           integer NOT NULL,
        thanked_on_time   integer NOT NULL,
        thanks_close_at   timestamptz[] NOT NULL,
        days_to_thanks    float8[] NOT NULL,
        referrals         integer NOT NULL,
        referrers         integer NOT NULL,
        depth             integer NOT NULL,
        fields            jsonb NOT NULL,
        stages            jsonb NOT NULL,
        no_response_from  date[] NOT NULL,
        last_activity_at  timestamptz
    )
    """,
    # Every student already there, from the read models already there.
    """
    INSERT INTO student_summaries AS t (student_id, requests, replies, held, thanked, thanked_on_time,
        thanks_close_at, days_to_thanks, referrals, referrers, depth, fields, stages, no_response_from,
        last_activity_at)
    SELECT s.student_id, x.* FROM students s CROSS JOIN LATERAL (
    WITH RECURSIVE cs AS (
        SELECT c.contact_id, c.state, c.referrals, c.career_field, c.field_key, c.last_activity_at, c.stage,
               c.no_response_from
        FROM contacts c WHERE c.student_id = s.student_id
    ), held AS (
        SELECT i.held_at, i.thanked_at, i.thanked_on_time,
               (SELECT a.late_after FROM agenda_items a
                WHERE a.student_id = s.student_id AND a.kind = 'send_thanks' AND a.ref = i.interview_id) AS late_after
        FROM interviews i WHERE i.student_id = s.student_id AND i.status = 'held'
    ), chain (contact_id, depth) AS (
        SELECT r.contact_id, 0 FROM contacts r
        WHERE r.student_id = s.student_id AND (r.referred_by IS NULL OR NOT EXISTS (
            SELECT 1 FROM contacts p WHERE p.student_id = s.student_id AND p.contact_id = r.referred_by))
        UNION ALL
        SELECT c.contact_id, ch.depth + 1 FROM chain ch JOIN contacts c ON c.referred_by = ch.contact_id
        WHERE c.student_id = s.student_id
    )
    SELECT
        (SELECT coalesce(sum((cs.state ->> 'requests_count')::integer), 0) FROM cs)::integer AS requests,
        (SELECT coalesce(sum((cs.state ->> 'replies_count')::integer), 0) FROM cs)::integer AS replies,
        (SELECT count(*) FROM held)::integer AS held,
        (SELECT count(*) FROM held WHERE thanked_at IS NOT NULL)::integer AS thanked,
        (SELECT count(*) FROM held WHERE thanked_at IS NOT NULL AND thanked_on_time)::integer AS thanked_on_time,
        -- An unthanked interview's window closes once its send_thanks item is overdue (2 business days
        -- in the student's calendar: the instant before the student's midnight ending `late_after`);
        -- without such an item (archived contact), 3 days after it was held.
        (SELECT coalesce(array_agg(CASE WHEN late_after IS NOT NULL
                        THEN ((late_after + 1)::timestamp AT TIME ZONE s.time_zone) - interval '1 microsecond'
                        ELSE held_at + interval '3 days' END ORDER BY held_at), '{}')
         FROM held WHERE thanked_at IS NULL) AS thanks_close_at,
        (SELECT coalesce(array_agg(extract(epoch FROM thanked_at - held_at)::float8 / 86400 ORDER BY held_at), '{}')
         FROM held WHERE thanked_at IS NOT NULL) AS days_to_thanks,
        (SELECT coalesce(sum(cs.referrals), 0) FROM cs)::integer AS referrals,
        (SELECT count(*) FROM cs WHERE cs.referrals > 0)::integer AS referrers,
        (SELECT coalesce(max(depth), 0) FROM chain)::integer AS depth,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('careerField', f.career_field, 'contacts', f.n)
                                   ORDER BY f.n DESC, f.field_key NULLS LAST), '[]')
         FROM (SELECT cs.field_key, mode() WITHIN GROUP (ORDER BY cs.career_field) AS career_field, count(*) AS n
               FROM cs GROUP BY cs.field_key) f) AS fields,
        -- Stages as stored; a request that turns `no_response` on a date is kept as that date instead.
        (SELECT coalesce(jsonb_object_agg(x.stage, x.n), '{}')
         FROM (SELECT cs.stage, count(*) AS n FROM cs
               WHERE NOT (cs.stage = 'requested' AND cs.no_response_from IS NOT NULL) GROUP BY cs.stage) x) AS stages,
        (SELECT coalesce(array_agg(cs.no_response_from ORDER BY cs.no_response_from), '{}') FROM cs
         WHERE cs.stage = 'requested' AND cs.no_response_from IS NOT NULL) AS no_response_from,
        (SELECT max(cs.last_activity_at) FROM cs) AS last_activity_at
    ) x
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS student_summaries",
]


def upgrade() -> None:
    run_statements(UPGRADE)


def downgrade() -> None:
    run_statements(DOWNGRADE)
