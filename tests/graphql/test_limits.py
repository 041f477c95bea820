"""Queries that ask for too much are refused whole, before anything runs, with a message naming the limit."""

from pathlib import Path

import pytest
from graphql import (
    GraphQLObjectType,
    OperationDefinitionNode,
    get_nullable_type,
    is_list_type,
    parse,
    specified_rules,
    validate,
)

from backend.web.graphql.limits import LIST_BOUNDS, MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS, RULES, query_cost
from backend.web.graphql.schema import schema
from tests.api.conftest import Client, Student, sign_up_advisor
from tests.api.helpers import assert_problem
from tests.graphql.support import GRAPHQL, codes, data_of, gql

pytestmark = pytest.mark.api


async def refused(client: Client, student: Student, query: str, code: str = "QUERY_TOO_COMPLEX") -> str:
    """The one error a refused query gets (no data at all), with `code`; its message."""
    response = await gql(client, student, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None, body
    assert codes(body) == [code], body
    return str(body["errors"][0]["message"])


async def test_a_deep_query_is_refused(client: Client, student: Student) -> None:
    referrers = "referredBy { " * 8 + "name" + " }" * 8
    message = await refused(client, student, f"{{ me {{ student {{ contacts {{ nodes {{ {referrers} }} }} }} }} }}")
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in message
    # Within the limit, the same shape is answered.
    shallow = "referredBy { " * 3 + "name" + " }" * 3
    await data_of(client, student, f"{{ me {{ student {{ contacts {{ nodes {{ {shallow} }} }} }} }} }}")


async def test_a_costly_query_is_refused_and_says_how_costly(client: Client, student: Student) -> None:
    query = (
        "{ me { student { contacts(first: 50) { nodes { history(first: 50) { nodes { type summary data } } } } } } }"
    )
    message = await refused(client, student, query)
    assert "too costly" in message
    assert f"at most {MAX_COST}" in message
    # Twice: the validation cache answers the second time, with the same refusal.
    assert await refused(client, student, query) == message
    cheap = "{ me { student { contacts(first: 50) { nodes { history(first: 5) { nodes { type } } } } } } }"
    await data_of(client, student, cheap)


async def test_a_variable_page_size_counts_as_the_largest(client: Client, student: Student) -> None:
    query = """query($n: Int!) { me { student { contacts(first: $n) {
        nodes { history(first: $n) { nodes { type summary data } } } } } } }"""
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


async def test_a_page_size_out_of_range_is_refused_before_anything_runs(client: Client, student: Student) -> None:
    # A negative `first` once made the estimate negative enough to pay for a costly sibling, which ran.
    costly = "contacts(first: 50) { nodes { history(first: 50) { nodes { type summary data } } } }"
    for first in (-1_000_000, -1, 0, 51):
        cheap = f"contacts(first: {first}) {{ nodes {{ id }} }}"
        query = f"{{ a: me {{ student {{ {cheap} }} }} b: me {{ student {{ {costly} }} }} }}"
        body = (await gql(client, student, query)).json()
        assert body.get("data") is None, body
        assert "BAD_INPUT" in codes(body), body
        assert any("`first` must be between 1 and 50" in e["message"] for e in body["errors"]), body
    # Alone, and cheap, still refused whole: no sibling answered.
    query = "{ me { id } a: me { student { contacts(first: -5) { nodes { id } } } } }"
    body = (await gql(client, student, query)).json()
    assert body.get("data") is None, body
    assert codes(body) == ["BAD_INPUT"], body


def _cost(query: str) -> int:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return query_cost(schema._schema, document, operation)


def test_a_page_size_out_of_range_never_lowers_the_cost() -> None:
    in_range = _cost("{ me { student { contacts(first: 50) { nodes { id } } } } }")
    for first in (-100_000_000, -1, 0, 51, 10**12):
        assert _cost(f"{{ me {{ student {{ contacts(first: {first}) {{ nodes {{ id }} }} }} }} }}") == in_range


async def test_long_lists_count_as_many_items_as_they_can_hold(client: Client, student: Student) -> None:
    # A referral graph holds up to 1,000 people: two of them, every field, are too costly.
    graph = "referralGraph { nodes { id stage careerField depth erased name organization } edges { from to } }"
    message = await refused(client, student, f"{{ me {{ student {{ a: {graph} b: {graph} }} }} }}")
    assert "too costly" in message
    await data_of(client, student, f"{{ me {{ student {{ {graph} }} }} }}")  # one is fine
    # A cohort has up to 1,000 students: a page of contacts with their histories for each is too costly.
    advisor = await sign_up_advisor(client)
    inside = "contacts(first: 40) { nodes { name history(first: 40) { nodes { type } } } }"
    for field in ("referrals", "needsAttention(first: 50) { nodes"):
        closing = " }" if "{" in field else ""
        await refused(client, advisor, f"{{ cohort {{ {field} {{ student {{ {inside} }} }}{closing} }} }}")
    assert _cost("{ me { student { overdue { kind due contactId } } } }") > 50 * 3


def test_every_list_that_is_not_paginated_has_a_bound() -> None:
    unbounded = [
        f"{name}.{field_name}"
        for name, type_ in schema._schema.type_map.items()
        if isinstance(type_, GraphQLObjectType) and not name.startswith("__")
        for field_name, field in type_.fields.items()
        if is_list_type(get_nullable_type(field.type)) and f"{name}.{field_name}" not in LIST_BOUNDS
    ]
    assert unbounded == [], "add these to backend/web/graphql/limits.py LIST_BOUNDS"


def test_the_clients_operations_are_within_the_limits() -> None:
    operations = Path(__file__).resolve().parents[2] / "client" / "src" / "api" / "operations.graphql"
    document = parse(operations.read_text())
    assert validate(schema._schema, document, [*specified_rules, *RULES]) == []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            assert query_cost(schema._schema, document, definition) <= MAX_COST, definition.name


@pytest.mark.parametrize(
    "query",
    [
        "query { ...Z }",
        "{ me { student { contacts { nodes { ...Z } } } } }",
        "query { ...A } fragment A on Query { me { ...Z } }",
    ],
)
async def test_an_undefined_fragment_is_a_validation_error(client: Client, student: Student, query: str) -> None:
    assert "Unknown fragment 'Z'" in await refused(client, student, query, "GRAPHQL_VALIDATION_FAILED")


@pytest.mark.parametrize(
    "body",
    [
        *("1", "null", "true", '"x"', "[]", '[{"query": "{ me { id } }"}]', "[" * 5000 + "]" * 5000, "", "{"),
        *("query=x", "{}", '{"query": 123}', '{"query": "{ me { id } }", "variables": [1]}'),
        '{"query": "{ me { id } }", "operationName": 7}',
    ],
)
async def test_a_body_that_is_not_a_json_object_is_bad_input(client: Client, student: Student, body: str) -> None:
    headers = {**student.headers, "Content-Type": "application/json"}
    response = await client.post(GRAPHQL, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem = response.json()
    assert problem["status"] == 400, problem
    assert problem["type"].endswith("/invalid-graphql-request"), problem
    assert "JSON object" in problem["title"], problem
    await data_of(client, student, "{ me { id } }")  # and the next request is answered


async def test_several_operations_need_an_operation_name(client: Client, student: Student) -> None:
    query = "query A { me { id } } query B { me { role } }"
    unnamed = await client.post(GRAPHQL, json={"query": query}, headers=student.headers)
    problem = assert_problem(unnamed, 400, "invalid-graphql-request")
    assert "operationName" in problem["detail"], problem
    named = await client.post(GRAPHQL, json={"query": query, "operationName": "B"}, headers=student.headers)
    assert named.json() == {"data": {"me": {"role": "student"}}}, named.text
