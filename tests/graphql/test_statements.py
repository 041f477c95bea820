"""DataLoaders: a dashboard query costs the same number of SQL statements for 2 contacts as for 10.

Statements are counted where they leave for PostgreSQL: every asyncpg query method, for the whole
request (authentication included, which is the same for both).
"""

import pytest

from tests.api.conftest import Client, Student, sign_up
from tests.api.helpers import add_contact_id, ago, location_id, step
from tests.graphql.support import data_of

pytestmark = pytest.mark.api

DASHBOARD = """
{ me { student {
    profile { displayName }
    stats { requestsSent interviewsHeld }
    funnel { stage contacts }
    activityPerWeek { events }
    overdue { kind contactName }
    referralGraph { nodes { name } }
    contacts(first: 50) { nodes {
        name stage referredBy { name referredBy { name } }
        history(first: 10) { nodes { type actor { label } } }
    } }
} } }
"""


async def network(client: Client, student: Student, size: int) -> None:
    """`size` contacts: one asked and referring the next, and the rest only added."""
    first = await add_contact_id(client, student, "Ana Lee", organization="Acme")
    await step(client, student, first, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=3)})
    location_id(await step(client, student, first, "referrals", {"name": "Rita Moss"}))
    for n in range(size - 2):
        await add_contact_id(client, student, f"Person {n}")


async def test_statements_do_not_grow_with_contacts(client: Client, statements: list[str]) -> None:
    few, many = await sign_up(client), await sign_up(client)
    await network(client, few, 2)
    await network(client, many, 10)
    counts = {}
    seen: dict[int, list[str]] = {}
    for who, size in ((few, 2), (many, 10)):
        statements.clear()
        data = await data_of(client, who, DASHBOARD)
        assert len(data["me"]["student"]["contacts"]["nodes"]) == size
        counts[size] = len(statements)
        seen[size] = [" ".join(s.split())[:80] for s in statements]
    assert counts[2] == counts[10], seen
    assert counts[10] <= 12, statements  # a handful: auth, one per kind of data, batched loaders
