"""A student's numbers: kept per student in `student_summaries` (computed when read, for one
student or many at once) and, over a range of dates, from the read models and the log.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec

from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.fields import Day
from backend.relationships.state import STAGES
from backend.relationships.views import (
    ShownStage,
    View,
)


class FieldCount(View):
    career_field: str | None
    contacts: int


class WeekActivity(View):
    week: date
    """The Monday that starts the week, in the student's calendar."""
    events: int


class StageCount(View):
    stage: ShownStage
    contacts: int


class Stats(View):
    date: Day
    """The student's today: the numbers are as of this date."""
    requests_sent: int
    replies: int
    reply_rate: float | None
    """Replies per request sent; null before the first request."""
    interviews_held: int
    thank_you_on_time_rate: float | None
    """Thanked within 2 business days, among held interviews that were thanked or whose window has closed."""
    median_days_to_thanks: float | None
    referrals_received: int
    network_depth: int
    """The longest referral chain, in introductions: A referred B who referred C is 2."""
    referrers: int
    contacts_per_field: list[FieldCount]
    activity_per_week: list[WeekActivity]
    """The last 12 weeks, oldest first, this week last; weeks without activity count 0."""
    days_since_last_activity: int | None
    stage_counts: list[StageCount]
    """Every stage, in lifecycle order, as of the student's today (`no_response` included)."""


# Every contact's depth in its referral chain. Each contact has at most one referrer, so walking down
# from the roots visits each contact once and cannot loop.
# A student's summary: the figures of their stats that do not depend on the day they are read, from
# the read models, for the student `s` of the enclosing query. What depends on today (stages turning
# `no_response`, thank-you windows closing, days since the last activity, the last 12 weeks) is kept
# as the dates it turns on, and decided when read (SUMMARY_STATS).
STUDENT_SUMMARY = """
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
"""

STUDENT_SUMMARY_COLUMNS = (
    "requests",
    "replies",
    "held",
    "thanked",
    "thanked_on_time",
    "thanks_close_at",
    "days_to_thanks",
    "referrals",
    "referrers",
    "depth",
    "fields",
    "stages",
    "no_response_from",
    "last_activity_at",
)

_SUMMARY_COLUMNS = ", ".join(STUDENT_SUMMARY_COLUMNS)

# The numbers of many students in one statement (`$1`: their ids, in any order), from each one's
# summary and their weekly activity.
#
# Summaries are computed when read, not on every append (that put a statement over all of a
# student's contacts on the write path). A stored summary names the student version it was computed
# at; the ones asked for whose student has moved on since (or that were never computed) are computed
# here from the read models, stored for the next read, and used. In READ COMMITTED one statement
# reads one snapshot, so a computed summary and the version it is stored with agree; a summary
# computed by a concurrent read from an older snapshot never replaces a newer one, and rows are
# stored in student order, so two reads storing the same students cannot deadlock.
#
# What depends on today is decided here, from the dates the summary keeps: a request past its
# no_response_from shows as `no_response`, an unthanked interview counts as due once its window has
# closed, and days since the last activity and the last 12 weeks are counted to the student's today.
MISSED_THANKS_DAYS = 30
"""How far back a thank-you note not sent still counts as one a student needs reminding of."""

SUMMARY_STATS = f"""
WITH fresh AS (
    SELECT s.student_id, coalesce(v.version, 0) AS version, x.*
    FROM students s
    LEFT JOIN student_versions v ON v.student_id = s.student_id
    LEFT JOIN student_summaries o ON o.student_id = s.student_id
    CROSS JOIN LATERAL ({STUDENT_SUMMARY}) x
    WHERE s.student_id = ANY ($1::uuid[]) AND (o.student_id IS NULL OR o.version < coalesce(v.version, 0))
), stored AS (
    INSERT INTO student_summaries AS t (student_id, version, {_SUMMARY_COLUMNS})
    SELECT * FROM fresh ORDER BY student_id
    ON CONFLICT (student_id) DO UPDATE SET
        version = EXCLUDED.version, {", ".join(f"{c} = EXCLUDED.{c}" for c in STUDENT_SUMMARY_COLUMNS)}
    WHERE t.version < EXCLUDED.version
), summaries AS (
    SELECT student_id, {_SUMMARY_COLUMNS} FROM fresh
    UNION ALL
    SELECT o.student_id, {", ".join(f"o.{c}" for c in STUDENT_SUMMARY_COLUMNS)} FROM student_summaries o
    WHERE o.student_id = ANY ($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.student_id = o.student_id)
)
SELECT k.student_id, me.today,
    coalesce(x.requests, 0) AS requests,
    coalesce(x.replies, 0) AS replies,
    coalesce(x.held, 0) AS held,
    coalesce(x.thanked, 0) + (SELECT count(*) FROM unnest(x.thanks_close_at) t WHERE t < now())::integer
        AS thanks_due,
    coalesce(x.thanked_on_time, 0) AS thanked_on_time,
    -- Thank-you notes still not sent whose window closed in the last MISSED_THANKS_DAYS days (by the
    -- student's calendar, so the count moves only with a closing window or the student's today).
    (SELECT count(*) FROM unnest(x.thanks_close_at) t
     WHERE t < now() AND (t AT TIME ZONE s.time_zone)::date > me.today - {MISSED_THANKS_DAYS})::integer
        AS thanks_missed,
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM unnest(x.days_to_thanks) d) AS median_days_to_thanks,
    coalesce(x.days_to_thanks, '{{}}') AS days_to_thanks,
    coalesce(x.referrals, 0) AS referrals,
    coalesce(x.referrers, 0) AS referrers,
    coalesce(x.depth, 0) AS depth,
    x.fields,
    (SELECT array_agg(coalesce(sa.events, 0) ORDER BY w.week)
     FROM (SELECT me.today - (extract(isodow FROM me.today)::integer - 1) - 7 * back AS week
           FROM generate_series(0, 11) AS back) w
     LEFT JOIN student_activity sa ON sa.student_id = k.student_id AND sa.week = w.week) AS weeks,
    me.today - (x.last_activity_at AT TIME ZONE s.time_zone)::date AS days_since,
    coalesce(x.stages, '{{}}'::jsonb) AS stages,
    (SELECT count(*) FROM unnest(x.no_response_from) d WHERE d > me.today)::integer AS still_requested,
    (SELECT count(*) FROM unnest(x.no_response_from) d WHERE d <= me.today)::integer AS no_response
FROM unnest($1::uuid[]) AS k(student_id)
JOIN students s ON s.student_id = k.student_id
CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE s.time_zone)::date AS today) me
LEFT JOIN summaries x ON x.student_id = k.student_id
"""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def stats_of(row: Any) -> Stats:
    """A row of SUMMARY_STATS as the Stats REST and GraphQL show."""
    stages: dict[str, int] = dict(row["stages"])
    # Requests waiting for a reply: `requested` until their no_response_from, then `no_response`.
    for stage, more in (("requested", row["still_requested"]), ("no_response", row["no_response"])):
        stages[stage] = stages.get(stage, 0) + more
    median = row["median_days_to_thanks"]
    days_since = row["days_since"]
    today: date = row["today"]
    first_week = monday(today) - timedelta(weeks=11)
    return Stats(
        date=today,
        requests_sent=row["requests"],
        replies=row["replies"],
        reply_rate=_ratio(row["replies"], row["requests"]),
        interviews_held=row["held"],
        thank_you_on_time_rate=_ratio(row["thanked_on_time"], row["thanks_due"]),
        median_days_to_thanks=round(median, 2) if median is not None else None,
        referrals_received=row["referrals"],
        network_depth=row["depth"],
        referrers=row["referrers"],
        contacts_per_field=msgspec.convert(row["fields"] or [], list[FieldCount]),
        activity_per_week=[
            WeekActivity(week=first_week + timedelta(weeks=n), events=events) for n, events in enumerate(row["weeks"])
        ],
        # A clock moved back, or an event dated in the future, must not read as negative days.
        days_since_last_activity=max(days_since, 0) if days_since is not None else None,
        stage_counts=[StageCount(stage=s, contacts=stages.get(s, 0)) for s in STAGES],
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def summaries(conn: Conn, student_ids: Sequence[UUID]) -> dict[UUID, Any]:
    """Each student's SUMMARY_STATS row (their Stats, and the counts a cohort adds up), in one statement."""
    return {row["student_id"]: row for row in await conn.fetch(SUMMARY_STATS, list(student_ids))}


async def stats(conn: Conn, student_id: UUID) -> Stats:
    """product.md's numbers, in one statement (from the student's summary)."""
    row = (await summaries(conn, [student_id])).get(student_id)
    if row is None:  # pragma: no cover - every student row is written at sign-up
        raise NotFoundError("No such student.")
    return stats_of(row)


# The steps taken between two dates (`since` to `until`, inclusive, in the student's calendar), for each
# (student, since, until) of `$1`, `$2`, `$3` (numbered `n` in that order): requests sent, and replies
# (an answer, or a meeting scheduled, while a request awaited one: what ContactState counts), from the
# contacts' streams in the log; interviews held, their thanks (on time and days to thanks, as the stats
# count them) and referrals received, from the read models.
RANGE_STATS = """
SELECT k.n, r.* FROM unnest($1::uuid[], $2::date[], $3::date[]) WITH ORDINALITY AS k(student_id, since, until, n)
CROSS JOIN LATERAL (
WITH me AS (
    SELECT s.time_zone, (now() AT TIME ZONE s.time_zone)::date AS today
    FROM students s WHERE s.student_id = k.student_id
), asked AS (
    SELECT e.type, lag(e.type) OVER (PARTITION BY e.stream_id ORDER BY e.version) AS before,
           (CASE e.type WHEN 'InterviewRequested' THEN (e.data ->> 'sent_at')::timestamptz
                        WHEN 'RequestAnswered' THEN (e.data ->> 'answered_at')::timestamptz
                        ELSE e.recorded_at END AT TIME ZONE me.time_zone)::date AS day
    FROM me, contacts c JOIN events e ON e.stream_id = c.stream_id
    WHERE c.student_id = k.student_id AND e.type IN ('InterviewRequested', 'RequestAnswered', 'InterviewScheduled')
), held AS (
    SELECT i.held_at, i.thanked_at, i.thanked_on_time,
           i.thanked_at IS NOT NULL OR coalesce(
               (SELECT a.late_after < me.today FROM agenda_items a
                WHERE a.student_id = k.student_id AND a.kind = 'send_thanks' AND a.ref = i.interview_id),
               i.held_at < now() - interval '3 days') AS window_closed
    FROM interviews i CROSS JOIN me
    WHERE i.student_id = k.student_id AND i.status = 'held'
      AND (i.held_at AT TIME ZONE me.time_zone)::date BETWEEN k.since AND k.until
), referred AS (
    SELECT c.contact_id FROM contacts c CROSS JOIN me CROSS JOIN jsonb_array_elements(c.state -> 'referrals') r
    WHERE c.student_id = k.student_id
      AND ((r ->> 'received_at')::timestamptz AT TIME ZONE me.time_zone)::date BETWEEN k.since AND k.until
)
SELECT
    (SELECT count(*) FROM asked WHERE type = 'InterviewRequested' AND day BETWEEN k.since AND k.until)::integer
        AS requests,
    (SELECT count(*) FROM asked WHERE type <> 'InterviewRequested' AND before = 'InterviewRequested'
                                  AND day BETWEEN k.since AND k.until)::integer AS replies,
    (SELECT count(*) FROM held)::integer AS held,
    (SELECT count(*) FROM held WHERE window_closed)::integer AS thanks_due,
    (SELECT count(*) FROM held WHERE window_closed AND thanked_on_time)::integer AS thanked_on_time,
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM thanked_at - held_at)::float8 / 86400)
     FROM held WHERE thanked_at IS NOT NULL) AS median_days_to_thanks,
    (SELECT count(*) FROM referred)::integer AS referrals,
    (SELECT count(DISTINCT contact_id) FROM referred)::integer AS referrers
) r
"""


class RangeFigures(View):
    """What RANGE_STATS counts between two dates."""

    requests_sent: int
    replies: int
    interviews_held: int
    thanks_due: int
    thanked_on_time: int
    median_days_to_thanks: float | None
    referrals_received: int
    referrers: int


def range_figures_of(row: Any) -> RangeFigures:
    median = row["median_days_to_thanks"]
    return RangeFigures(
        requests_sent=row["requests"],
        replies=row["replies"],
        interviews_held=row["held"],
        thanks_due=row["thanks_due"],
        thanked_on_time=row["thanked_on_time"],
        median_days_to_thanks=round(median, 2) if median is not None else None,
        referrals_received=row["referrals"],
        referrers=row["referrers"],
    )


async def range_figures(conn: Conn, keys: Sequence[tuple[UUID, date, date]]) -> list[RangeFigures]:
    """The figures of each (student, from, to), in one statement, in the order asked."""
    rows = await conn.fetch(RANGE_STATS, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])
    found = {row["n"]: range_figures_of(row) for row in rows}
    return [found[n] for n in range(1, len(keys) + 1)]
