"""Password hashing with argon2id (argon2-cffi's defaults, which follow RFC 9106's recommendation).

Hashing takes tens of milliseconds of CPU and 64 MiB by design, so it runs in a worker thread:
on the event loop it would stall every other request for that long.
"""

from functools import cache
from typing import Annotated

import anyio.to_thread
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
"""Long enough to mean something, short enough that hashing it is not a denial-of-service lever."""

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so that answer takes as long as a wrong password."""
    return _hasher.hash("not anyone's password, only a timing decoy")


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify_decoy(password: str) -> None:
    _verify(_dummy_hash(), password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash (unknown account) it still spends the time, then fails."""
    if password_hash is None:
        await anyio.to_thread.run_sync(_verify_decoy, password)
        return False
    return await anyio.to_thread.run_sync(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash on the next sign-in."""
    return _hasher.check_needs_rehash(password_hash)
