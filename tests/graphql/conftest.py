"""GraphQL tests use the API tests' fixtures: a client on a fresh database and students signed up through REST."""

from typing import Any

import asyncpg
import pytest

from tests.api.conftest import client, db, other_student, student

QUERY_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for name in QUERY_METHODS:
        original = getattr(asyncpg.Connection, name)

        def counted(self: asyncpg.Connection, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            if not query.startswith("NOTIFY"):  # the store's debounced wake-up after earlier appends
                seen.append(query)
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, name, counted)
    return seen


__all__ = ["client", "db", "other_student", "statements", "student"]
