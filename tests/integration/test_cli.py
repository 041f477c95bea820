"""The operator's commands: status, verify, rebuild, forget, generate — run as a user runs them."""

import asyncio
import json
import uuid

import asyncpg
import pytest
from click.testing import CliRunner

from backend.cli import rapport
from backend.eventstore import ANY, EventStore, Metadata
from tests.events import ContactAdded, Pinged

pytestmark = pytest.mark.integration


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    for n in range(20):
        await store.append(f"contact-{n % 4}", ANY, [Pinged(n=n)], Metadata(actor_id="s", command_id=uuid.uuid4()))
    await store.append(
        "contact-ada",
        ANY,
        [ContactAdded(contact_id="ada", name="Ada")],
        Metadata(actor_id="s", command_id=uuid.uuid4()),
    )
    return store


def run(database_url: str, *args: str, input_text: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(rapport, list(args), env={"DATABASE_URL": database_url}, input=input_text)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_status_shows_position_lag_and_state(seeded: EventStore, database_url: str) -> None:
    code, out, _ = run(database_url, "status", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["stream_summary"]["state"] == "inline"
    assert rows["activity_daily"] | {"lagSeconds": 0} == rows["activity_daily"] | {
        "state": "stopped",
        "lagEvents": 21,
        "lagSeconds": 0,
    }
    code, out, _ = run(database_url, "status")
    assert code == 0
    assert "activity_daily" in out
    assert "stopped" in out


def test_rebuild_reports_progress_and_catches_the_async_projection_up(seeded: EventStore, database_url: str) -> None:
    # The core's generic projections, by name: these tests' events are not the relationships domain's.
    code, _, err = run(database_url, "rebuild", "stream_summary", "activity_daily")
    assert code == 0, err
    assert "events/s" in err
    assert "stream_summary: 21 events" in err
    code, out, _ = run(database_url, "status", "--json")
    lag = {row["name"]: row["lagEvents"] for row in json.loads(out)}
    assert (lag["stream_summary"], lag["activity_daily"]) == (0, 0)

    code, _, err = run(database_url, "rebuild", "no_such_projection")
    assert code == 2
    assert "unknown projection" in err


async def _tamper(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE events SET actor_id = 'mallory' WHERE stream_id = 'contact-2' AND version = 4")
    finally:
        await conn.close()


def test_verify_exits_nonzero_on_a_broken_chain(seeded: EventStore, database_url: str) -> None:
    code, out, _ = run(database_url, "verify", "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    # The CLI runs its own event loop, so this test is synchronous and tampers through one too.
    asyncio.run(_tamper(database_url))
    code, out, err = run(database_url, "verify")
    assert code == 1
    assert "contact-2, version 4" in err


def test_forget_asks_before_it_destroys(seeded: EventStore, database_url: str) -> None:
    code, _, _ = run(database_url, "forget", "contact-ada", input_text="n\n")
    assert code == 1
    code, _, err = run(database_url, "forget", "contact-ada", "--yes")
    assert code == 0
    assert "Forgot contact-ada" in err


def test_generated_artifacts_are_up_to_date() -> None:
    result = CliRunner().invoke(rapport, ["generate", "--check"])
    assert result.exit_code == 0, result.stderr
