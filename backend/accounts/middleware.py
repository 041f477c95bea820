"""Who is asking: a Bearer personal access token, else the session cookie; and CSRF for the cookie.

Every route needs authentication unless its handler opts out with `opt={"exclude_from_auth": True}`
(`PUBLIC`); only the docs and the health check are excluded by path, since their handlers are not ours.

Why not Litestar's CSRFConfig: its double-submit cookie guards every unsafe request, whatever
authenticated it, so scripts using a Bearer token would have to fetch and echo a CSRF cookie too. A
Bearer token is not sent by browsers on their own, so such requests cannot be forged and need no
check. Here the CSRF token belongs to the session (stored with it, returned in the sign-in body) and
is required only when the cookie is what authenticated the request.
"""

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from litestar.status_codes import HTTP_403_FORBIDDEN

from backend.accounts.credentials import (
    SESSION_COOKIE,
    TOKEN_PREFIX,
    by_access_token,
    by_session,
)
from backend.accounts.principal import unauthenticated
from backend.web.problems import problem
from backend.web.tokens import MAX_SECRET_LENGTH

CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC: dict[str, Any] = {"exclude_from_auth": True}
"""`opt=PUBLIC` on a handler: no credentials needed (and `principal_of` would answer 401)."""


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to a Principal and `request.auth` to a Credential, or answers 401/403."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        pool = connection.app.state.pool
        authorization = connection.headers.get("authorization")
        if authorization is not None:
            # An Authorization header wins over the cookie; if it is wrong we say so rather than fall back.
            scheme, _, secret = authorization.strip().partition(" ")
            secret = secret.strip()
            if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
                raise unauthenticated("Send a personal access token as `Authorization: Bearer rpt_…`.")
            found_token = await by_access_token(pool, secret)
            if found_token is None:
                raise unauthenticated("This access token is not valid, or it has been revoked.")
            return AuthenticationResult(user=found_token[0], auth=found_token[1])

        cookie = connection.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise unauthenticated("Sign in, or send a personal access token as a Bearer token.")
        found_session = await by_session(pool, cookie) if len(cookie) <= MAX_SECRET_LENGTH else None
        if found_session is None:
            raise unauthenticated("Your session has ended. Sign in again.")
        principal, credential = found_session
        if connection.scope.get("method") in UNSAFE_METHODS:
            sent = connection.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), credential.csrf_token.encode()):
                raise problem(
                    HTTP_403_FORBIDDEN,
                    "csrf",
                    "Missing or wrong CSRF token",
                    f"Requests that change something must send the session's csrfToken in {CSRF_HEADER}.",
                )
        return AuthenticationResult(user=principal, auth=credential)


def authentication() -> DefineMiddleware:
    """The app-level middleware. HTTP only: a future WebSocket route must authenticate on its own terms."""
    return DefineMiddleware(
        AuthenticationMiddleware,
        exclude=["^/docs(/|$)", "^/health$"],
        exclude_http_methods=["OPTIONS"],
        scopes={ScopeType.HTTP},
    )


# OpenAPI: the two ways to authenticate, for the docs and generated clients.
SECURITY_COMPONENTS = Components(
    security_schemes={
        "accessToken": SecurityScheme(
            type="http",
            scheme="bearer",
            description="A personal access token (`rpt_…`) from POST /api/v1/tokens.",
        ),
        "session": SecurityScheme(
            type="apiKey",
            name=SESSION_COOKIE,
            security_scheme_in="cookie",
            description=f"The browser session; unsafe methods must also send its csrfToken in {CSRF_HEADER}.",
        ),
    }
)
AUTHENTICATED: list[SecurityRequirement] = [{"accessToken": []}, {"session": []}]
"""`security=AUTHENTICATED` on a controller or handler documents that it needs one of the two."""
