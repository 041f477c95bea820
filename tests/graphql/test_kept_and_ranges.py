"""Kept answers (re-sent while nothing they depend on has changed, and never after it has), stats over a
date range with known answers, and the per-student summary the stats read."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from backend.eventstore import EventStore
from backend.infra.db import create_pool
from backend.registry import event_registry
from tests.api.conftest import Client, Student, sign_up, sign_up_advisor
from tests.api.helpers import add_contact_id, ago, location_id, step
from tests.graphql.support import codes, data_of, gql, grant, revoke

pytestmark = pytest.mark.api

COHORT = "{ cohort { students funnel { stage contacts } } advisees { nodes { id stats { requestsSent } } } }"


def funnel_total(data: dict[str, object]) -> int:
    cohort = data["cohort"]
    assert isinstance(cohort, dict)
    return sum(f["contacts"] for f in cohort["funnel"])


async def test_a_kept_answer_is_resent_with_its_reads_and_retired_by_an_event_or_a_revocation(
    client: Client, db: asyncpg.Connection
) -> None:
    looker = await sign_up_advisor(client)
    owner = await sign_up(client)
    await add_contact_id(client, owner, "Ana")
    await grant(client, owner, looker, "summary")

    first = await data_of(client, looker, COHORT)
    again = await data_of(client, looker, COHORT)
    assert again == first
    assert funnel_total(first) == 1
    reads = await db.fetch("SELECT what FROM advisor_reads WHERE advisor_id = $1 ORDER BY id", looker.account_id)
    assert [r["what"] for r in reads] == [["cohort", "stats"]] * 2  # each look recorded

    contact = await add_contact_id(client, owner, "Ben")  # an event: the next answer is computed again
    await step(client, owner, contact, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=1)})
    changed = await data_of(client, looker, COHORT)
    assert funnel_total(changed) == 2
    assert changed["advisees"]["nodes"][0]["stats"]["requestsSent"] == 1

    await revoke(client, owner, looker)  # a consent event: the very next request no longer sees the student
    after = await data_of(client, looker, COHORT)
    assert after["cohort"]["students"] == 0
    assert after["advisees"]["nodes"] == []


async def test_a_students_kept_answer_follows_their_own_events(client: Client, student: Student) -> None:
    query = "{ me { student { stats { requestsSent } funnel { stage contacts } } } }"
    assert (await data_of(client, student, query))["me"]["student"]["stats"]["requestsSent"] == 0
    contact = await add_contact_id(client, student, "Ana")
    await step(client, student, contact, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=1)})
    assert (await data_of(client, student, query))["me"]["student"]["stats"]["requestsSent"] == 1


async def test_stats_over_a_date_range_count_the_steps_taken_in_it(client: Client, student: Student) -> None:
    # Ana: asked 20 days ago, met 10 days ago, thanked 9 days ago (on time: a day), referred Rita 9 days ago.
    # Ben: asked 3 days ago, answered 2 days ago (a reply).
    now = datetime.now(UTC)
    ana = await add_contact_id(client, student, "Ana Lee")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    held_at = now - timedelta(days=10)
    scheduled = await step(
        client, student, ana, "interviews", {"startsAt": held_at.isoformat(), "minutes": 20, "format": "video"}
    )
    await step(client, student, ana, "held", {"interviewId": location_id(scheduled), "heldAt": held_at.isoformat()})
    await step(client, student, ana, "thanks", {"helpfulThing": "tips", "sentAt": ago(days=9)})
    await step(client, student, ana, "referrals", {"name": "Rita Moss", "receivedAt": ago(days=9)})
    ben = await add_contact_id(client, student, "Ben Ode")
    await step(client, student, ben, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=3)})
    await step(client, student, ben, "answers", {"answer": "accepted", "answeredAt": ago(days=2)})

    today_query = "query($id: UUID!) { student(id: $id) { stats { date } } }"
    found = await data_of(client, student, today_query, {"id": str(student.account_id)})
    today = date.fromisoformat(found["student"]["stats"]["date"])  # the student's today, in their time zone
    fields = "requestsSent replies interviewsHeld thankYouOnTimeRate medianDaysToThanks referralsReceived referrers"
    query = f"""query($id: UUID!, $from: Date, $to: Date) {{ student(id: $id) {{
        all: stats {{ {fields} }}
        range: stats(from: $from, to: $to) {{ {fields} }} }} }}"""

    async def between(since: date | None, until: date | None) -> dict[str, object]:
        variables = {
            "id": str(student.account_id),
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None,
        }
        found = await data_of(client, student, query, variables)
        return dict(found["student"]["range"])

    everything = await between(None, None)
    assert everything == {
        "requestsSent": 2,
        "replies": 2,  # Ana's meeting came of her request; Ben answered
        "interviewsHeld": 1,
        "thankYouOnTimeRate": 1.0,
        "medianDaysToThanks": 1.0,
        "referralsReceived": 1,
        "referrers": 1,
    }
    assert everything == (await data_of(client, student, query, {"id": str(student.account_id)}))["student"]["all"]
    last_week = await between(today - timedelta(days=7), today)
    assert last_week == {
        "requestsSent": 1,
        "replies": 2,  # Ben's answer, and Ana's meeting: scheduled (recorded) today, for ten days ago
        "interviewsHeld": 0,
        "thankYouOnTimeRate": None,
        "medianDaysToThanks": None,
        "referralsReceived": 0,
        "referrers": 0,
    }
    before = await between(None, today - timedelta(days=15))
    assert (before["requestsSent"], before["replies"], before["interviewsHeld"]) == (1, 0, 0)
    middle = await between(today - timedelta(days=12), today - timedelta(days=8))
    assert (middle["interviewsHeld"], middle["thankYouOnTimeRate"], middle["referralsReceived"]) == (1, 1.0, 1)

    backwards = await gql(
        client, student, query, {"id": str(student.account_id), "from": today.isoformat(), "to": "2020-01-01"}
    )
    assert codes(backwards.json()) == ["BAD_INPUT"]


async def test_an_answer_showing_history_is_never_kept(client: Client, student: Student, database_url: str) -> None:
    """`rapport forget` redacts events' personal fields without an event: no tag would move."""
    contact = await add_contact_id(client, student, "Ana Lee", notes="met at the alumni fair")
    query = "{ me { student { contacts { nodes { history { nodes { type redacted } } } } } } }"

    def redacted(data: dict[str, Any]) -> list[str]:
        [node] = data["me"]["student"]["contacts"]["nodes"]
        return [f for entry in node["history"]["nodes"] for f in entry["redacted"]]

    assert redacted(await data_of(client, student, query)) == []
    pool = await create_pool(database_url, 2)
    try:  # as `rapport forget` does, in another process: no event, and nothing this server hears of
        stream = await pool.fetchval("SELECT stream_id FROM contacts WHERE contact_id = $1", UUID(contact))
        assert await EventStore(pool, event_registry()).forget(stream)
    finally:
        await pool.close()
    assert redacted(await data_of(client, student, query)) != []
