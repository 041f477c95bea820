"""GET /health through Litestar's test client, against real databases."""

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.infra import migrate
from tests.api.conftest import Client
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.api


async def test_health_reports_the_database_and_the_migration_head(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["serverVersion"].startswith("16")
    assert body["database"]["migration"] == body["database"]["migrationHead"] == migrate.head_revision()


async def test_health_is_degraded_when_the_schema_is_behind(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url, "0001")
    async with AsyncTestClient(app=create_app(settings_for_tests(), empty_database_url)) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"]["migration"] == "0001"
    assert response.json()["status"] == "degraded"


async def test_unknown_routes_answer_problem_details(client: Client) -> None:
    response = await client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_openapi_document_is_served_with_explicit_operation_ids(
    client: Client,
) -> None:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    operations = [op for path in response.json()["paths"].values() for op in path.values()]
    assert operations
    assert all(op["operationId"][0].isupper() for op in operations)
