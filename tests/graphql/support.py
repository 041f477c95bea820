"""What the GraphQL tests share: posting a query as someone, its data, its error codes."""

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from backend.accounts.access_tokens import issue_token
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


async def advisor(db: asyncpg.Connection, name: str = "Ada Advisor") -> Student:
    """An advisor account with a personal access token, written straight to the account tables.

    (Advisors sign up through REST in backend/advisors; these tests need only a principal with the role.)
    """
    account_id = uuid.uuid4()
    email = f"advisor-{account_id.hex[:10]}@example.edu"
    await db.execute(
        "INSERT INTO accounts (account_id, email, password_hash, role) VALUES ($1, $2, 'unused', 'advisor')",
        account_id,
        email,
    )
    await db.execute("INSERT INTO advisors (advisor_id, display_name) VALUES ($1, $2)", account_id, name)
    issued = await issue_token(db, account_id=account_id, name="tests", now=datetime.now(UTC))
    return Student(
        account_id=account_id,
        email=email,
        password="",
        token=issued.secret,
        headers={"Authorization": f"Bearer {issued.secret}"},
    )


async def grant(db: asyncpg.Connection, student: Student, to: Student, scope: str) -> None:
    """A live grant in the `advisor_grants` read model, as the consent events project it."""
    await db.execute(
        """INSERT INTO advisor_grants (student_id, advisor_id, scope, via, granted_at, version)
           VALUES ($1, $2, $3, 'email', now(), 1)
           ON CONFLICT (student_id, advisor_id) DO UPDATE SET scope = $3, revoked_at = NULL""",
        student.account_id,
        to.account_id,
        scope,
    )


async def revoke(db: asyncpg.Connection, student: Student, to: Student) -> None:
    await db.execute(
        "UPDATE advisor_grants SET revoked_at = now() WHERE student_id = $1 AND advisor_id = $2",
        student.account_id,
        to.account_id,
    )
