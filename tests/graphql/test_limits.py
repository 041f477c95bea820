"""Queries that ask for too much are refused whole, before anything runs, with a message naming the limit."""

import pytest

from backend.graphql.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS
from tests.api.conftest import Client, Student
from tests.graphql.support import codes, data_of, gql

pytestmark = pytest.mark.api


async def refused(client: Client, student: Student, query: str) -> str:
    """The one error a refused query gets (no data at all); its message."""
    response = await gql(client, student, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None, body
    assert codes(body) == ["QUERY_TOO_COMPLEX"], body
    return str(body["errors"][0]["message"])


async def test_a_deep_query_is_refused(client: Client, student: Student) -> None:
    referrers = "referredBy { " * 8 + "name" + " }" * 8
    message = await refused(client, student, f"{{ me {{ student {{ contacts {{ nodes {{ {referrers} }} }} }} }} }}")
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in message
    # Within the limit, the same shape is answered.
    shallow = "referredBy { " * 3 + "name" + " }" * 3
    await data_of(client, student, f"{{ me {{ student {{ contacts {{ nodes {{ {shallow} }} }} }} }} }}")


async def test_a_costly_query_is_refused_and_says_how_costly(client: Client, student: Student) -> None:
    query = "{ me { student { contacts(first: 50) { nodes { history(first: 50) { nodes { type summary } } } } } } }"
    message = await refused(client, student, query)
    assert "too costly" in message
    assert f"at most {MAX_COST}" in message
    # Twice: the validation cache answers the second time, with the same refusal.
    assert await refused(client, student, query) == message
    cheap = "{ me { student { contacts(first: 50) { nodes { history(first: 5) { nodes { type } } } } } } }"
    await data_of(client, student, cheap)


async def test_a_variable_page_size_counts_as_the_largest(client: Client, student: Student) -> None:
    query = """query($n: Int!) { me { student { contacts(first: $n) {
        nodes { history(first: $n) { nodes { type summary } } } } } } }"""
    response = await gql(client, student, query, {"n": 1})
    assert codes(response.json()) == ["QUERY_TOO_COMPLEX"]


async def test_too_many_aliases_are_refused(client: Client, student: Student) -> None:
    aliases = " ".join(f"a{n}: me {{ id }}" for n in range(MAX_ALIASES + 1))
    message = await refused(client, student, f"{{ {aliases} }}")
    assert f"Allowed: {MAX_ALIASES}" in message


async def test_too_many_tokens_are_refused(client: Client, student: Student) -> None:
    message = await refused(client, student, "{ me { " + "id " * MAX_TOKENS + "} }")
    assert f"more than {MAX_TOKENS} tokens" in message


async def test_a_page_larger_than_fifty_is_refused(client: Client, student: Student) -> None:
    body = (await gql(client, student, "{ me { student { contacts(first: 500) { nodes { id } } } } }")).json()
    assert codes(body) in (["BAD_INPUT"], ["QUERY_TOO_COMPLEX"])


async def test_mutations_and_unknown_fields_are_typed_errors(client: Client, student: Student) -> None:
    body = (await gql(client, student, "{ me { password } }")).json()
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
