"""What the GraphQL tests share: posting a query as someone, its data, its error codes."""

from typing import Any

import httpx

from tests.api.conftest import Client, Student

GRAPHQL = "/graphql"


async def gql(
    client: Client, who: Student | None, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    """POST a query as `who` (None: anonymous); the raw response."""
    headers = who.headers if who is not None else {}
    return await client.post(GRAPHQL, json={"query": query, "variables": variables or {}}, headers=headers)


async def data_of(client: Client, who: Student, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The `data` of a query that must succeed without errors."""
    response = await gql(client, who, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]
