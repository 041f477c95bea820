"""The demo network (`rapport seed`): a realistic student, every stage, referral chains, overdue work."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.cli import rapport
from backend.demo import CLASSMATE_CONTACTS, FIELDS, DemoStudent, EmailTakenError, related_email, seed_demo
from backend.eventstore import EventStore
from backend.infra.db import create_pool
from backend.registry import event_registry, inline_projections
from backend.relationships.readmodels.contacts import CONTACTS, TODAY
from backend.relationships.state import STAGES
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.integration

EMAIL = "demo@rapport.example"
PASSWORD = "demo password, long enough"


@pytest.fixture
async def app_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(database_url, size=8)
    yield created
    await created.close()


@pytest.fixture
async def app_store(app_pool: asyncpg.Pool) -> AsyncIterator[EventStore]:
    # The app's own registry and projections (the shared `store` fixture uses the tests' events).
    created = EventStore(app_pool, event_registry(), inline=inline_projections())
    yield created
    await created.close()


@pytest.fixture
async def demo(app_pool: asyncpg.Pool, app_store: EventStore) -> DemoStudent:
    return await seed_demo(
        app_pool, app_store, email=EMAIL, password=PASSWORD, contacts=40, seed=7, now=datetime.now(UTC)
    )


async def test_the_demo_network_has_every_stage_field_and_a_deep_referral_chain(
    app_pool: asyncpg.Pool, demo: DemoStudent
) -> None:
    assert demo.contacts == 40
    assert demo.events > 200
    fields = await app_pool.fetch(
        "SELECT career_field, count(*) AS n FROM contacts WHERE student_id = $1 GROUP BY 1", demo.account_id
    )
    assert {r["career_field"] for r in fields} == {f.name for f in FIELDS}
    assert all(r["n"] == 8 for r in fields)
    organizations = await app_pool.fetchval(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM contacts WHERE student_id = $1 GROUP BY organization) o",
        demo.account_id,
    )
    assert organizations >= 2, "several people work at the same organization"

    # Stages as the student sees them today (`no_response` turns over with the student's calendar).
    stages = await app_pool.fetch(
        f"SELECT st.shown_stage, count(*) AS n FROM {CONTACTS} WHERE c.student_id = $1 GROUP BY 1", demo.account_id
    )
    assert {r["shown_stage"] for r in stages} == set(STAGES)

    depth = await app_pool.fetchval(
        """
        WITH RECURSIVE chain(contact_id, depth) AS (
            SELECT contact_id, 0 FROM contacts WHERE student_id = $1 AND referred_by IS NULL
            UNION ALL
            SELECT c.contact_id, chain.depth + 1 FROM contacts c JOIN chain ON c.referred_by = chain.contact_id
        )
        SELECT max(depth) FROM chain
        """,
        demo.account_id,
    )
    assert depth >= 3


async def test_the_demo_has_overdue_work_upcoming_interviews_and_varied_notes(
    app_pool: asyncpg.Pool, demo: DemoStudent
) -> None:
    overdue = await app_pool.fetch(
        f"SELECT DISTINCT a.kind FROM agenda_items a WHERE a.student_id = $1 AND a.late_after < {TODAY}",
        demo.account_id,
    )
    kinds = {r["kind"] for r in overdue}
    assert {"follow_up", "send_thanks", "action_item", "contact_referral"} <= kinds

    upcoming = await app_pool.fetchval(
        "SELECT count(*) FROM interviews WHERE student_id = $1 AND status = 'scheduled' AND starts_at > now()",
        demo.account_id,
    )
    assert upcoming >= 3
    open_items = await app_pool.fetchval(
        f"SELECT count(*) FROM agenda_items a WHERE a.student_id = $1 AND a.kind = 'action_item' AND a.due >= {TODAY}",
        demo.account_id,
    )
    assert open_items >= 1

    # People in one field said different things: comparing them is the point.
    notes = await app_pool.fetch(
        "SELECT career_field, count(*) AS held, count(DISTINCT body ->> 'notes') AS distinct_notes "
        "FROM field_notes WHERE student_id = $1 AND kind = 'interview' GROUP BY 1",
        demo.account_id,
    )
    assert len(notes) == len(FIELDS)
    assert all(r["held"] >= 3 and r["distinct_notes"] == r["held"] for r in notes)


async def test_the_seeded_student_signs_in_and_reads_their_network(database_url: str, demo: DemoStudent) -> None:
    async with AsyncTestClient(app=create_app(settings_for_tests(), database_url)) as client:
        signed_in = await client.post("/api/v1/auth/sign-in", json={"email": EMAIL, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["accountId"] == str(demo.account_id)
        page = await client.get("/api/v1/contacts?limit=25", headers={"Authorization": f"Bearer {demo.token}"})
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == 25


async def test_the_demo_advisor_sees_the_students_who_consent(
    database_url: str, app_pool: asyncpg.Pool, demo: DemoStudent
) -> None:
    assert demo.advisor_email == related_email(EMAIL, "advisor") == "demo+advisor@rapport.example"
    summary, revoked = demo.classmates
    async with AsyncTestClient(app=create_app(settings_for_tests(), database_url)) as client:
        signed_in = await client.post("/api/v1/auth/sign-in", json={"email": demo.advisor_email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        assert (signed_in.json()["accountId"], signed_in.json()["role"]) == (str(demo.advisor_id), "advisor")
        csrf = {"X-CSRF-Token": signed_in.json()["csrfToken"]}
        codes = await client.get("/api/v1/advisor/invite-codes", headers=csrf)
        assert len(codes.json()["items"]) == 1
        # The demo student sees the grant they gave.
        mine = await client.get("/api/v1/me/advisors", headers={"Authorization": f"Bearer {demo.token}"})
        assert [(g["email"], g["scope"]) for g in mine.json()["items"]] == [(demo.advisor_email, "notes")]
    grants = await app_pool.fetch(
        "SELECT student_id, scope, via, revoked_at IS NOT NULL AS revoked FROM advisor_grants WHERE advisor_id = $1",
        demo.advisor_id,
    )
    contacts = await app_pool.fetchval("SELECT count(*) FROM contacts WHERE student_id = $1", summary)
    assert {(r["student_id"], r["scope"], r["via"], r["revoked"]) for r in grants} == {
        (demo.account_id, "notes", "email", False),
        (summary, "summary", "invite_code", False),
        (revoked, "notes", "email", True),
    }
    assert contacts == CLASSMATE_CONTACTS


async def test_seeding_the_same_email_twice_is_refused(
    app_pool: asyncpg.Pool, app_store: EventStore, demo: DemoStudent
) -> None:
    with pytest.raises(EmailTakenError):
        await seed_demo(app_pool, app_store, email=EMAIL.upper(), contacts=3, now=datetime.now(UTC))


def test_the_seed_command_prints_how_to_sign_in_and_refuses_an_existing_email(database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    first = CliRunner().invoke(rapport, ["seed", "--email", "cli@rapport.example", "--contacts", "6"], env=env)
    assert first.exit_code == 0, first.output
    assert "email     cli@rapport.example" in first.stdout
    assert "token     rpt_" in first.stdout
    assert "email     cli+advisor@rapport.example" in first.stdout
    again = CliRunner().invoke(rapport, ["seed", "--email", "CLI@rapport.example", "--reset"], env=env)
    assert again.exit_code == 1
    assert "append-only" in again.stderr
