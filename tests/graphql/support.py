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


async def grant(client: Client, student: Student, to: Student, scope: str) -> None:
    """The student grants the advisor `scope` through REST (a consent event, projected inline)."""
    response = await client.post(
        "/api/v1/me/advisors", json={"email": to.email, "scope": scope}, headers=student.headers
    )
    assert response.status_code == 201, response.text


async def change_scope(client: Client, student: Student, to: Student, scope: str) -> None:
    response = await client.patch(
        f"/api/v1/me/advisors/{to.account_id}", json={"scope": scope}, headers=student.headers
    )
    assert response.status_code == 200, response.text


async def revoke(client: Client, student: Student, to: Student) -> None:
    response = await client.delete(f"/api/v1/me/advisors/{to.account_id}", headers=student.headers)
    assert response.status_code in {200, 204}, response.text
