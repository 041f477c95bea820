"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

A browser that signed in to an account gets a cookie saying so: `<account id>.<nonce>.<signature>`.
When it tries that account's password again, its failures count for that cookie alone (rate_limit),
so guesses made elsewhere never hold the owner's own browser up. A new cookie (a new nonce) is
issued on every successful sign-in.

The signature is an HMAC keyed by a digest of the account's password hash. That is a secret only
the database holds, it is the same in every worker process and after a restart, and changing the
password (or upgrading its hash) retires every device cookie of the account at once. Whoever can
read the password hashes can forge device cookies, but such a reader can already guess offline,
far faster than any online limit allows.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response

DEVICE_COOKIE = "rapport_device"
DEVICE_LIFETIME = timedelta(days=365)
DEVICE_COOKIE_PATH = "/api/v1/auth"
"""Sent with the auth routes only: nothing else reads it."""
_MAX_LENGTH = 200
_KEY_CONTEXT = b"rapport device cookie v1\x00"


class Device(msgspec.Struct, frozen=True, kw_only=True):
    """A browser this account signed in from before, named by its cookie's nonce."""

    account_id: UUID
    nonce: str


def _signature(account_id: UUID, nonce: str, password_hash: str) -> str:
    key = hashlib.sha256(_KEY_CONTEXT + password_hash.encode()).digest()
    mac = hmac.new(key, f"{account_id.hex}.{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def issue_device_cookie(account_id: UUID, password_hash: str) -> str:
    """A new device cookie's value for this account."""
    nonce = secrets.token_urlsafe(16)
    return f"{account_id.hex}.{nonce}.{_signature(account_id, nonce, password_hash)}"


def recognise_device(cookie: str | None, account_id: UUID, password_hash: str) -> Device | None:
    """The device, when the cookie is one this account issued and still honours; else None."""
    if not cookie or len(cookie) > _MAX_LENGTH:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or parts[0] != account_id.hex:
        return None
    _, nonce, signature = parts
    if not hmac.compare_digest(signature.encode(), _signature(account_id, nonce, password_hash).encode()):
        return None
    return Device(account_id=account_id, nonce=nonce)


def set_device_cookie(request: Request[Any, Any, Any], response: Response[Any], value: str) -> None:
    """HttpOnly and SameSite=Strict: only this site's own sign-in form ever needs to send it."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        path=DEVICE_COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
