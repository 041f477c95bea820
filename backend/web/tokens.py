"""Secrets handed to a client once (session cookies, access tokens, calendar feed addresses): made here,
and kept only as their SHA-256, so a copy of the database opens nothing."""

import hashlib
import secrets

MAX_SECRET_LENGTH = 200
"""Longer cookies or tokens are refused before hashing: none of ours is anywhere near it."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
