"""The short-lived cache of checked credentials: shared lookups, expiry, and dropping on revocation."""

import asyncio
from uuid import uuid4

import pytest

from backend.accounts.credentials import Credential, RecentCredentials, TokenCredential
from backend.accounts.principal import Principal

pytestmark = pytest.mark.unit


def found() -> tuple[Principal, Credential]:
    return Principal(account_id=uuid4(), role="student", via="token"), TokenCredential(token_id=uuid4())


async def test_concurrent_misses_share_one_lookup() -> None:
    recent = RecentCredentials(ttl=60)
    calls = 0
    value = found()

    async def load() -> tuple[Principal, Credential] | None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return value

    results = await asyncio.gather(*(recent.lookup(b"k", load) for _ in range(20)))
    assert calls == 1
    assert all(r == value for r in results)
    assert await recent.lookup(b"k", load) == value
    assert calls == 1


async def test_invalid_credentials_are_not_kept_and_errors_reach_every_caller() -> None:
    recent = RecentCredentials(ttl=60)

    async def nothing() -> tuple[Principal, Credential] | None:
        return None

    assert await recent.lookup(b"bad", nothing) is None
    assert recent.get(b"bad") is None

    async def broken() -> tuple[Principal, Credential] | None:
        await asyncio.sleep(0.01)
        raise ConnectionError("database gone")

    outcomes = await asyncio.gather(*(recent.lookup(b"k", broken) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)


async def test_expiry_and_revocation() -> None:
    recent = RecentCredentials(ttl=0.0)
    value = found()
    recent.put(b"k", value)
    assert recent.get(b"k") is None  # expired at once
    recent = RecentCredentials(ttl=60)
    recent.put(b"k", value)
    other = found()
    recent.put(b"o", other)
    recent.drop_account(value[0].account_id)
    assert recent.get(b"k") is None
    assert recent.get(b"o") == other
