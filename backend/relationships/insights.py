"""Student-wide reads: the agenda, interviews and their calendar feed, the numbers, the referral graph,
notes compared by career field, and search. Every query takes the student id as `$1` and filters by it.

Like read.py, "today" is the student's local date, computed in SQL from their time zone.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import msgspec

from backend.accounts.credentials import MAX_SECRET_LENGTH, digest, new_secret
from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.fields import Day
from backend.relationships.read import (
    BUCKET,
    CONTACTS,
    OPEN_ITEM,
    SUMMARY_COLUMNS,
    agenda_item_json,
    json_object,
)
from backend.relationships.state import STAGES, ContactState, Interview, InterviewStatus
from backend.relationships.views import (
    AgendaItemView,
    ContactSummary,
    InterviewView,
    ShownStage,
    View,
    summary_fields,
)

When = Literal["upcoming", "past"]
NoteKind = Literal["interview", "note", "reflection"]

MAX_GRAPH_NODES = 1000
MAX_FIELDS = 100
FEED_PAST_DAYS = 30
"""The feed keeps the last month: a calendar deletes what a feed stops listing, so an interview must not
vanish the moment it is over, and a cancelled one must stay long enough (as CANCELLED) to be removed."""


# -- views --------------------------------------------------------------------------------------


class AgendaCounts(View):
    """How many items each bucket holds in all (a bucket's list stops at the `limit` asked for)."""

    overdue: int
    today: int
    upcoming: int


class AgendaView(View):
    date: Day
    """The student's today, in their time zone."""
    time_zone: str
    overdue: list[AgendaItemView]
    today: list[AgendaItemView]
    upcoming: list[AgendaItemView]
    counts: AgendaCounts


class InterviewPage(View):
    items: list[InterviewView]
    next_cursor: str | None


class CalendarFeedView(View):
    url: str
    """Subscribe to this in a calendar app. Anyone with it can read the feed: revoke it to stop them."""
    created_at: datetime


class CalendarFeedStatus(View):
    """Whether the student has a live feed. Its address cannot be shown again (only a hash of its token is
    kept): a new feed gives a new address and stops this one."""

    active: bool
    created_at: datetime | None


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


class GraphNode(View):
    id: UUID
    name: str
    stage: ShownStage
    organization: str | None
    career_field: str | None
    depth: int
    """Introductions between this person and the start of their chain (0: found without a referral)."""
    erased: bool


class GraphEdge(View):
    from_: UUID = msgspec.field(name="from")
    """Who referred..."""
    to: UUID
    """...whom."""


class ReferralGraph(View):
    nodes: list[GraphNode]
    """Everyone who referred someone or was referred."""
    edges: list[GraphEdge]
    depth: int
    """The longest chain, in introductions."""


class FieldNote(View):
    contact_id: UUID
    contact_name: str
    kind: NoteKind
    at: datetime
    body: dict[str, Any]
    """interview: notes, keyTakeaways, advice, resources, questionsAsked, fitSignal;
    note: text; reflection: learned, nextSteps; an erased contact's: {"erased": true}."""


class FieldNotes(View):
    career_field: str | None
    """null: contacts with no career field yet."""
    field_key: str | None
    contacts: int
    """How many different people these notes come from."""
    total_notes: int
    notes: list[FieldNote]
    """Newest first, at most `perField`."""


class NotesByField(View):
    fields: list[FieldNotes]


class FoundNote(FieldNote):
    career_field: str | None


class SearchResults(View):
    contacts: list[ContactSummary]
    notes: list[FoundNote]


# -- agenda -------------------------------------------------------------------------------------

# One statement writes the whole AgendaView as JSON: the student's today, every open item up to
# `days` ahead in its bucket, at most `limit` per bucket (earliest due first), and each bucket's count.
_SHOWN_ITEM = agenda_item_json(item="s", bucket="s.bucket", contact="s")
BUCKETS = ("overdue", "today", "upcoming")


def _bucket_json(bucket: str) -> str:
    return (
        f"coalesce((SELECT json_agg({_SHOWN_ITEM} ORDER BY s.due, s.item_key) FROM shown s"
        f" WHERE s.bucket = '{bucket}'), '[]')"
    )


_AGENDA = f"""
WITH me AS (
    SELECT time_zone, (now() AT TIME ZONE time_zone)::date AS today FROM students WHERE student_id = $1
), items AS (
    SELECT a.item_key, a.kind, a.reason, a.due, a.late_after, a.contact_id, a.ref,
           {BUCKET.format(today="me.today")} AS bucket
    FROM me, agenda_items a
    WHERE a.student_id = $1 AND a.due <= me.today + $2::integer AND {OPEN_ITEM}
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY bucket ORDER BY due, item_key) AS n FROM items
), shown AS (  -- names are joined last, for the few items shown
    SELECT r.*, c.name, c.organization
    FROM ranked r JOIN contacts c ON c.student_id = $1 AND c.contact_id = r.contact_id
    WHERE r.n <= $3
)
SELECT {
    json_object(
        {
            "date": "me.today",
            "timeZone": "me.time_zone",
            "overdue": _bucket_json("overdue"),
            "today": _bucket_json("today"),
            "upcoming": _bucket_json("upcoming"),
            "counts": json_object(
                {b: f"(SELECT count(*) FROM items WHERE bucket = '{b}')" for b in BUCKETS}, AgendaCounts
            ),
        },
        AgendaView,
    )
}
FROM me
"""


async def agenda(conn: Conn, student_id: UUID, *, days: int, limit: int) -> str:
    """The AgendaView as JSON: overdue, today and the next `days` days of open items, at most `limit` of
    each, earliest due first."""
    found: str | None = await conn.fetchval(_AGENDA, student_id, days, limit)
    if found is None:  # pragma: no cover - every student row is written at sign-up
        raise NotFoundError("No such student.")
    return found


# -- interviews ---------------------------------------------------------------------------------

_INTERVIEW_COLUMNS = """
    i.interview_id, i.contact_id, i.starts_at, i.minutes, i.format, i.place, i.status, i.held_at, i.thanked_at,
    i.thanked_on_time, c.name AS contact_name
"""
_INTERVIEWS_FROM = "interviews i JOIN contacts c ON c.student_id = i.student_id AND c.contact_id = i.contact_id"

_UPCOMING = f"""
SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND i.status = 'scheduled' AND i.starts_at > now()
  AND ($2::timestamptz IS NULL OR (i.starts_at, i.interview_id) > ($2, $3::uuid))
ORDER BY i.starts_at, i.interview_id
LIMIT $4
"""

_PAST = f"""
SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND (i.status <> 'scheduled' OR i.starts_at <= now())
  AND ($2::timestamptz IS NULL OR (i.starts_at, i.interview_id) < ($2, $3::uuid))
ORDER BY i.starts_at DESC, i.interview_id DESC
LIMIT $4
"""

_ONE_INTERVIEW = f"SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM} WHERE i.student_id = $1 AND i.interview_id = $2"

_INTERVIEW_STATE = f"SELECT c.state FROM {_INTERVIEWS_FROM} WHERE i.student_id = $1 AND i.interview_id = $2"

_FEED = f"""
SELECT i.interview_id, i.contact_id, c.state FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND i.starts_at >= now() - make_interval(days => $2)
ORDER BY i.starts_at, i.interview_id
"""


def _interview(row: Any) -> InterviewView:
    status: InterviewStatus = row["status"]
    return InterviewView(
        id=row["interview_id"],
        contact_id=row["contact_id"],
        starts_at=row["starts_at"],
        minutes=row["minutes"],
        format=row["format"],
        place=row["place"],
        status=status,
        held_at=row["held_at"],
        thanked_at=row["thanked_at"],
        contact_name=row["contact_name"],
        thanked_on_time=row["thanked_on_time"],
    )


async def list_interviews(
    conn: Conn, student_id: UUID, when: When, *, after: tuple[datetime, UUID] | None, limit: int
) -> tuple[list[InterviewView], tuple[datetime, UUID] | None]:
    """One page of interviews (upcoming: soonest first; past: latest first) and the position after it."""
    rows = await conn.fetch(
        _UPCOMING if when == "upcoming" else _PAST,
        student_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items = [_interview(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, ((rows[limit - 1]["starts_at"], rows[limit - 1]["interview_id"]) if more else None)


async def interview(conn: Conn, student_id: UUID, interview_id: UUID) -> InterviewView:
    row = await conn.fetchrow(_ONE_INTERVIEW, student_id, interview_id)
    if row is None:
        raise NotFoundError("No such interview.")
    return _interview(row)


async def interview_with_contact(conn: Conn, student_id: UUID, interview_id: UUID) -> tuple[Interview, ContactState]:
    """An interview and its contact's state, as the calendar file needs them."""
    state_json = await conn.fetchval(_INTERVIEW_STATE, student_id, interview_id)
    state = msgspec.convert(state_json, ContactState) if state_json is not None else None
    found = state.interview(interview_id) if state is not None else None
    if state is None or found is None:
        raise NotFoundError("No such interview.")
    return found, state


async def feed_interviews(conn: Conn, student_id: UUID) -> list[tuple[Interview, ContactState]]:
    """What a calendar feed lists: every interview from a month ago on, cancelled ones included."""
    items = []
    states: dict[UUID, ContactState] = {}
    for row in await conn.fetch(_FEED, student_id, FEED_PAST_DAYS):
        state = states.get(row["contact_id"])
        if state is None:
            state = states[row["contact_id"]] = msgspec.convert(row["state"], ContactState)
        found = state.interview(row["interview_id"])
        if found is not None:
            items.append((found, state))
    return items


# -- calendar feeds (security state: only a token's SHA-256 is stored) ---------------------------

# Creating a feed takes a per-student lock first, in its own statement, so that the revoking UPDATE
# (a later statement, hence a later snapshot) sees a feed a concurrent creation has just committed:
# two creations at once cannot leave two live feeds.
_LOCK_FEEDS = "SELECT pg_advisory_xact_lock(hashtextextended('calendar-feed:' || $1::uuid::text, 0))"

_CREATE_FEED = """
WITH revoked AS (UPDATE calendar_feeds SET revoked_at = now() WHERE student_id = $1 AND revoked_at IS NULL)
INSERT INTO calendar_feeds (token_hash, student_id) VALUES ($2, $1)
RETURNING created_at
"""

_REVOKE_FEED = "UPDATE calendar_feeds SET revoked_at = now() WHERE student_id = $1 AND revoked_at IS NULL"

_FEED_OWNER = "SELECT student_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL"


async def create_feed(conn: Conn, student_id: UUID) -> tuple[str, datetime]:
    """A new feed token (256 random bits) for the student; any earlier feed stops working."""
    token = new_secret()
    async with conn.transaction():
        await conn.execute(_LOCK_FEEDS, student_id)
        created_at: datetime = await conn.fetchval(_CREATE_FEED, student_id, digest(token))
    return token, created_at


_FEED_STATUS = "SELECT max(created_at) FROM calendar_feeds WHERE student_id = $1 AND revoked_at IS NULL"


async def feed_status(conn: Conn, student_id: UUID) -> CalendarFeedStatus:
    created_at: datetime | None = await conn.fetchval(_FEED_STATUS, student_id)
    return CalendarFeedStatus(active=created_at is not None, created_at=created_at)


async def revoke_feed(conn: Conn, student_id: UUID) -> None:
    await conn.execute(_REVOKE_FEED, student_id)


async def feed_owner(conn: Conn, token: str) -> UUID:
    """The student whose live feed this token opens; anything else is not found."""
    owner: UUID | None = None
    if 0 < len(token) <= MAX_SECRET_LENGTH:  # longer is none of ours: not worth hashing
        owner = await conn.fetchval(_FEED_OWNER, digest(token))
    if owner is None:
        raise NotFoundError("No such calendar feed. It may have been revoked.")
    return owner


# -- stats --------------------------------------------------------------------------------------

# Every contact's depth in its referral chain. Each contact has at most one referrer, so walking down
# from the roots visits each contact once and cannot loop.
_CHAIN = """
chain (contact_id, depth) AS (
    SELECT r.contact_id, 0 FROM contacts r
    WHERE r.student_id = $1 AND (r.referred_by IS NULL OR NOT EXISTS (
        SELECT 1 FROM contacts p WHERE p.student_id = $1 AND p.contact_id = r.referred_by))
    UNION ALL
    SELECT c.contact_id, ch.depth + 1 FROM chain ch JOIN contacts c ON c.referred_by = ch.contact_id
    WHERE c.student_id = $1
)
"""

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


async def stats(conn: Conn, student_id: UUID) -> Stats:
    """product.md's numbers, in one statement (from the student's summary)."""
    row = await conn.fetchrow(SUMMARY_STATS, [student_id])
    if row is None:  # pragma: no cover - every student row is written at sign-up
        raise NotFoundError("No such student.")
    return stats_of(row)


# The steps taken between two dates (`$2` to `$3`, inclusive, in the student's calendar), for ONE
# student (`$1`): requests sent, and replies (an answer, or a meeting scheduled, while a request awaited
# one: what ContactState counts), from the contacts' streams in the log; interviews held, their thanks
# (on time and days to thanks, as the stats count them) and referrals received, from the read models.
RANGE_STATS = """
WITH me AS (
    SELECT s.time_zone, (now() AT TIME ZONE s.time_zone)::date AS today FROM students s WHERE s.student_id = $1
), asked AS (
    SELECT e.type, lag(e.type) OVER (PARTITION BY e.stream_id ORDER BY e.version) AS before,
           (CASE e.type WHEN 'InterviewRequested' THEN (e.data ->> 'sent_at')::timestamptz
                        WHEN 'RequestAnswered' THEN (e.data ->> 'answered_at')::timestamptz
                        ELSE e.recorded_at END AT TIME ZONE me.time_zone)::date AS day
    FROM me, contacts c JOIN events e ON e.stream_id = c.stream_id
    WHERE c.student_id = $1 AND e.type IN ('InterviewRequested', 'RequestAnswered', 'InterviewScheduled')
), held AS (
    SELECT i.held_at, i.thanked_at, i.thanked_on_time,
           i.thanked_at IS NOT NULL OR coalesce(
               (SELECT a.late_after < me.today FROM agenda_items a
                WHERE a.student_id = $1 AND a.kind = 'send_thanks' AND a.ref = i.interview_id),
               i.held_at < now() - interval '3 days') AS window_closed
    FROM interviews i CROSS JOIN me
    WHERE i.student_id = $1 AND i.status = 'held'
      AND (i.held_at AT TIME ZONE me.time_zone)::date BETWEEN $2::date AND $3::date
), referred AS (
    SELECT c.contact_id FROM contacts c CROSS JOIN me CROSS JOIN jsonb_array_elements(c.state -> 'referrals') r
    WHERE c.student_id = $1
      AND ((r ->> 'received_at')::timestamptz AT TIME ZONE me.time_zone)::date BETWEEN $2::date AND $3::date
)
SELECT
    (SELECT count(*) FROM asked WHERE type = 'InterviewRequested' AND day BETWEEN $2::date AND $3::date)::integer
        AS requests,
    (SELECT count(*) FROM asked WHERE type <> 'InterviewRequested' AND before = 'InterviewRequested'
                                  AND day BETWEEN $2::date AND $3::date)::integer AS replies,
    (SELECT count(*) FROM held)::integer AS held,
    (SELECT count(*) FROM held WHERE window_closed)::integer AS thanks_due,
    (SELECT count(*) FROM held WHERE window_closed AND thanked_on_time)::integer AS thanked_on_time,
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM thanked_at - held_at)::float8 / 86400)
     FROM held WHERE thanked_at IS NOT NULL) AS median_days_to_thanks,
    (SELECT count(*) FROM referred)::integer AS referrals,
    (SELECT count(DISTINCT contact_id) FROM referred)::integer AS referrers
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


# -- referral graph -----------------------------------------------------------------------------

_GRAPH = f"""
WITH RECURSIVE {_CHAIN}
SELECT c.contact_id, c.name, c.organization, c.career_field, c.referred_by, c.erased, st.shown_stage,
       coalesce(ch.depth, 0) AS depth
FROM {CONTACTS} LEFT JOIN chain ch ON ch.contact_id = c.contact_id
WHERE c.student_id = $1 AND (c.referred_by IS NOT NULL OR c.referrals > 0)
ORDER BY depth, c.added_at, c.contact_id
LIMIT $2
"""


async def referral_graph(conn: Conn, student_id: UUID) -> ReferralGraph:
    """Who referred whom: the chains through which the network grew."""
    return graph_of(await conn.fetch(_GRAPH, student_id, MAX_GRAPH_NODES))


def graph_of(rows: Sequence[Any]) -> ReferralGraph:
    """The graph from its rows (`_GRAPH`'s columns), edges only between contacts it shows."""
    nodes = [
        GraphNode(
            id=r["contact_id"],
            name=r["name"],
            stage=r["shown_stage"],
            organization=r["organization"],
            career_field=r["career_field"],
            depth=r["depth"],
            erased=r["erased"],
        )
        for r in rows
    ]
    shown = {n.id for n in nodes}
    edges = [GraphEdge(from_=r["referred_by"], to=r["contact_id"]) for r in rows if r["referred_by"] in shown]
    return ReferralGraph(nodes=nodes, edges=edges, depth=max((n.depth for n in nodes), default=0))


# -- notes by field -----------------------------------------------------------------------------

_NOTES_BY_FIELD = """
WITH n AS (
    SELECT f.note_key, f.contact_id, f.career_field, f.field_key, f.kind, f.at, f.body, c.name AS contact_name,
           row_number() OVER (PARTITION BY f.field_key ORDER BY f.at DESC, f.note_key) AS rn
    FROM field_notes f JOIN contacts c ON c.student_id = f.student_id AND c.contact_id = f.contact_id
    WHERE f.student_id = $1
      AND ($2::text IS NULL OR f.field_key = $2)
      AND ($3::text IS NULL OR f.search @@ to_tsquery('simple', $3))
), g AS (
    SELECT * FROM (
        -- A field is named as most of the student's contacts in it spell it, whatever the filters
        -- (as in the stats' contacts per field).
        SELECT n.field_key, (SELECT mode() WITHIN GROUP (ORDER BY c.career_field) FROM contacts c
                             WHERE c.student_id = $1 AND c.field_key = n.field_key) AS career_field,
               count(DISTINCT n.contact_id) AS contacts, count(*) AS total
        FROM n GROUP BY n.field_key) x
    ORDER BY lower(x.career_field) NULLS LAST, x.field_key
    LIMIT $5
)
SELECT g.field_key, g.career_field, g.contacts, g.total,
       n.contact_id, n.contact_name, n.kind, n.at, n.body
FROM g JOIN n ON n.field_key IS NOT DISTINCT FROM g.field_key AND n.rn <= $4
ORDER BY lower(g.career_field) NULLS LAST, g.field_key, n.at DESC, n.note_key
"""


async def notes_by_field(
    conn: Conn, student_id: UUID, *, field_key: str | None, query: str | None, per_field: int
) -> NotesByField:
    """What people said, grouped by career field (alphabetical, no field last), newest first in each."""
    rows = await conn.fetch(_NOTES_BY_FIELD, student_id, field_key, query, per_field, MAX_FIELDS)
    fields: list[FieldNotes] = []
    for r in rows:
        if not fields or fields[-1].field_key != r["field_key"]:
            fields.append(
                FieldNotes(
                    career_field=r["career_field"],
                    field_key=r["field_key"],
                    contacts=r["contacts"],
                    total_notes=r["total"],
                    notes=[],
                )
            )
        fields[-1].notes.append(
            FieldNote(
                contact_id=r["contact_id"], contact_name=r["contact_name"], kind=r["kind"], at=r["at"], body=r["body"]
            )
        )
    return NotesByField(fields=fields)


# -- search -------------------------------------------------------------------------------------

_SEARCH_CONTACTS = f"""
SELECT {SUMMARY_COLUMNS} FROM {CONTACTS} CROSS JOIN to_tsquery('simple', $2) q
WHERE c.student_id = $1 AND c.search @@ q
ORDER BY ts_rank(c.search, q) DESC, c.last_activity_at DESC, c.contact_id
LIMIT $3
"""

_SEARCH_NOTES = """
SELECT f.contact_id, c.name AS contact_name, f.career_field, f.kind, f.at, f.body
FROM field_notes f JOIN contacts c ON c.student_id = f.student_id AND c.contact_id = f.contact_id
     CROSS JOIN to_tsquery('simple', $2) q
WHERE f.student_id = $1 AND f.search @@ q
ORDER BY ts_rank(f.search, q) DESC, f.at DESC, f.note_key
LIMIT $3
"""


async def search(conn: Conn, student_id: UUID, query: str, *, limit: int) -> SearchResults:
    """Contacts and notes matching a prefix query, best match first."""
    contacts = [
        ContactSummary(**summary_fields(r)) for r in await conn.fetch(_SEARCH_CONTACTS, student_id, query, limit)
    ]
    notes = [
        FoundNote(
            contact_id=r["contact_id"],
            contact_name=r["contact_name"],
            career_field=r["career_field"],
            kind=r["kind"],
            at=r["at"],
            body=r["body"],
        )
        for r in await conn.fetch(_SEARCH_NOTES, student_id, query, limit)
    ]
    return SearchResults(contacts=contacts, notes=notes)
