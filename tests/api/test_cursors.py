"""Cursors come back from clients: any cursor this API could not have made is a 400, never a 5xx.

The cursors below are the ones the GraphQL fuzzer found: moments that leave the calendar once in UTC,
a moment without its offset, and numbers wider than the column they are compared with.
"""

import pytest

from backend.web.cursors import encode_cursor
from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact_id, assert_problem

pytestmark = pytest.mark.api

SOMEONE = "00000000-0000-4000-8000-000000000001"
BAD_MOMENTS = [
    encode_cursor(["0001-01-01T00:00:00+14:00", SOMEONE]),
    encode_cursor(["9999-12-31T23:59:59-14:00", SOMEONE]),
    encode_cursor(["2026-11-24T10:00:00", SOMEONE]),
    encode_cursor(["not a time", SOMEONE]),
    "",  # an empty cursor is not "no cursor"
]
BAD_NUMBERS = [encode_cursor(2**31), encode_cursor(2**63), encode_cursor(-1), encode_cursor(1.5), "%%%", ""]


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/interviews"])
@pytest.mark.parametrize("cursor", BAD_MOMENTS)
async def test_a_page_refuses_a_cursor_it_could_not_have_made(
    client: Client, student: Student, path: str, cursor: str
) -> None:
    response = await client.get(path, params={"cursor": cursor}, headers=student.headers)
    assert_problem(response, 400, "bad-cursor")


@pytest.mark.parametrize("cursor", BAD_NUMBERS)
async def test_history_and_advisor_reads_refuse_numbers_out_of_range(
    client: Client, student: Student, cursor: str
) -> None:
    contact_id = await add_contact_id(client, student)
    history = await client.get(
        f"/api/v1/contacts/{contact_id}/history", params={"cursor": cursor}, headers=student.headers
    )
    assert_problem(history, 400, "bad-cursor")
    reads = await client.get("/api/v1/me/advisor-reads", params={"cursor": cursor}, headers=student.headers)
    if cursor != encode_cursor(2**31):  # a bigint row id may be that large
        assert_problem(reads, 400, "bad-cursor")
    else:
        assert reads.status_code == 200, reads.text


async def test_a_cursor_the_api_made_still_pages(client: Client, student: Student) -> None:
    for name in ["Ana Lee", "Bo Chen", "Cy Diaz"]:
        await add_contact_id(client, student, name)
    first = await client.get("/api/v1/contacts", params={"limit": 2}, headers=student.headers)
    rest = await client.get(
        "/api/v1/contacts", params={"limit": 2, "cursor": first.json()["nextCursor"]}, headers=student.headers
    )
    assert rest.status_code == 200, rest.text
    assert len(first.json()["items"]) + len(rest.json()["items"]) == 3
