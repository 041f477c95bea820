"""REST for accounts: sign-up, sign-in, the session, sign-out, and personal access tokens."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_204_NO_CONTENT,
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

from backend.accounts.access_tokens import AccessToken, issue_token, live_tokens, revoke_token
from backend.accounts.credentials import RECENT, SessionCredential
from backend.accounts.devices import DEVICE_COOKIE, set_device_cookie
from backend.accounts.middleware import AUTHENTICATED, PUBLIC
from backend.accounts.passwords import Password
from backend.accounts.principal import Role, Via, principal_of
from backend.accounts.rate_limit import client_key
from backend.accounts.sessions import clear_session_cookie, revoke_every_session, revoke_session, set_session_cookie
from backend.accounts.sign_in import SignIn, sign_in
from backend.accounts.sign_up import AdvisorSignUp, SignedIn, SignUp, sign_up, sign_up_advisor
from backend.eventstore import EventStore
from backend.fields import Body, Email, Name
from backend.web.opts import SECRET_ANSWER
from backend.web.problems import ACCOUNT_PROBLEMS, problem

TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["America/New_York"])]
CountryCode = Annotated[str, msgspec.Meta(min_length=2, max_length=2, examples=["US"])]


class SignUpBody(Body, frozen=True, kw_only=True):
    email: Email
    password: Password
    display_name: Name
    time_zone: TimeZoneName = "UTC"
    """An IANA time zone: due dates and reminders fall on the student's own days."""
    country: CountryCode = "US"
    """ISO 3166-1 alpha-2: whose public holidays are not business days."""


class AdvisorSignUpBody(Body, frozen=True, kw_only=True):
    email: Email
    """Students grant you access by this email (or by one of your invite codes)."""
    password: Password
    display_name: Name
    """Shown to the students who grant you access."""


class SignInBody(Body, frozen=True, kw_only=True):
    email: Email
    password: Annotated[str, msgspec.Meta(max_length=200)]
    """Not held to today's length rule here: that rule is for new passwords."""


class SessionBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    account_id: UUID
    email: str
    role: Role
    via: Via
    csrf_token: str | None
    """Echo it in X-CSRF-Token on POST/PUT/PATCH/DELETE made with the session cookie (null with a token)."""


class SignedOutEverywhere(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    revoked_sessions: int


class NewTokenBody(Body, frozen=True, kw_only=True):
    name: Name
    """What the token is for, e.g. "laptop script": shown in the list so you know which to revoke."""


class AccessTokenBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    token_id: UUID
    name: str
    prefix: str
    """The token's first characters, to recognise it; the secret itself is never shown again."""
    created_at: datetime
    last_used_at: datetime | None
    """Updated at most once a minute."""

    @classmethod
    def of(cls, token: AccessToken) -> "AccessTokenBody":
        return cls(
            token_id=token.token_id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        )


class IssuedTokenBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    token_id: UUID
    name: str
    prefix: str
    created_at: datetime
    token: str
    """The secret: send it as `Authorization: Bearer <token>`. Shown this once; store it now."""


def _pool(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _require_json(request: Request[Any, Any, Any]) -> None:
    """Refuse form and text bodies: a cross-site page can post those without CORS, and sign you into its account."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise problem(HTTP_415_UNSUPPORTED_MEDIA_TYPE, "json-only", "Send JSON", "The body must be application/json.")


def _client(request: Request[Any, Any, Any]) -> str:
    """Who the throttles count this request against: the peer's address (IPv6 by its /64)."""
    return client_key(request.client.host if request.client else None)


def _signed_in(request: Request[Any, Any, Any], signed_in: SignedIn, status: int) -> Response[SessionBody]:
    body = SessionBody(
        account_id=signed_in.principal.account_id,
        email=signed_in.email,
        role=signed_in.principal.role,
        via="session",
        csrf_token=signed_in.session.csrf_token,
    )
    response = Response(body, status_code=status)
    set_session_cookie(request, response, signed_in.session)
    set_device_cookie(request, response, signed_in.device_cookie)
    return response


class AuthController(Controller):
    path = "/auth"
    tags = ("Accounts",)

    @post("/sign-up", operation_id="SignUp", opt=PUBLIC, status_code=HTTP_201_CREATED, responses=ACCOUNT_PROBLEMS)
    async def sign_up(self, request: Request[Any, Any, Any], data: JSONBody[SignUpBody]) -> Response[SessionBody]:
        """Create a student account and sign in: sets the session cookie and returns its CSRF token.

        A password that is easy to guess (zxcvbn's score under 3, counting the email and the name as
        known to a guesser) is refused: 422 `weak-password`, naming the field and saying why. Sign-ups
        are limited per client address (429 `too-many-sign-ups` with `Retry-After`), and so are the
        409 `email-taken` answers.
        """
        _require_json(request)
        store: EventStore = request.app.state.store
        command = SignUp(
            email=data.email,
            password=data.password,
            display_name=data.display_name,
            time_zone=data.time_zone,
            country=data.country,
        )
        signed_in = await sign_up(_pool(request), store, command, now=datetime.now(UTC), client=_client(request))
        return _signed_in(request, signed_in, HTTP_201_CREATED)

    @post(
        "/advisor-sign-up",
        operation_id="AdvisorSignUp",
        opt=PUBLIC,
        status_code=HTTP_201_CREATED,
        responses=ACCOUNT_PROBLEMS,
    )
    async def advisor_sign_up(
        self, request: Request[Any, Any, Any], data: JSONBody[AdvisorSignUpBody]
    ) -> Response[SessionBody]:
        """Create an advisor account and sign in. Advisors see a student's data only once that student grants access.

        Passwords and the per-address limits are as for a student's sign-up.
        """
        _require_json(request)
        command = AdvisorSignUp(email=data.email, password=data.password, display_name=data.display_name)
        signed_in = await sign_up_advisor(_pool(request), command, now=datetime.now(UTC), client=_client(request))
        return _signed_in(request, signed_in, HTTP_201_CREATED)

    @post("/sign-in", operation_id="SignIn", opt=PUBLIC, status_code=HTTP_200_OK, responses=ACCOUNT_PROBLEMS)
    async def sign_in(self, request: Request[Any, Any, Any], data: JSONBody[SignInBody]) -> Response[SessionBody]:
        """Sign in with email and password: sets the session cookie. Repeated failures are throttled (429).

        A wrong password and an unknown email get the same 401, after the same work. Failures from a
        browser that signed in to the account before (its device cookie) count for that browser
        alone; others make the account's next attempts wait longer and longer (429 with a growing
        `Retry-After`), and an address with many failures waits out a window.
        """
        _require_json(request)
        command = SignIn(email=data.email, password=data.password)
        signed_in = await sign_in(
            _pool(request),
            command,
            client=_client(request),
            device_cookie=request.cookies.get(DEVICE_COOKIE),
            now=datetime.now(UTC),
        )
        return _signed_in(request, signed_in, HTTP_200_OK)

    @get("/session", operation_id="GetSession", security=AUTHENTICATED, responses=ACCOUNT_PROBLEMS)
    async def session(self, request: Request[Any, Any, Any]) -> SessionBody:
        """Who is signed in, how, and (for a cookie session) the CSRF token to echo."""
        principal = principal_of(request)
        email: str | None = await _pool(request).fetchval(
            "SELECT email FROM accounts WHERE account_id = $1", principal.account_id
        )
        return SessionBody(
            account_id=principal.account_id,
            email=email or "",
            role=principal.role,
            via=principal.via,
            csrf_token=principal.csrf_token,
        )

    @post(
        "/sign-out",
        operation_id="SignOut",
        status_code=HTTP_204_NO_CONTENT,
        security=AUTHENTICATED,
        responses=ACCOUNT_PROBLEMS,
    )
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[None]:
        """End this browser session and clear its cookie. (An access token is revoked with DELETE /tokens/{id}.)"""
        credential = request.auth
        if not isinstance(credential, SessionCredential):
            raise problem(
                HTTP_400_BAD_REQUEST,
                "not-a-session",
                "This request did not use a session",
                "It was made with an access token; revoke the token with DELETE /api/v1/tokens/{tokenId} instead.",
            )
        await revoke_session(_pool(request), credential.token_hash)
        RECENT.drop_account(principal_of(request).account_id)
        response = Response[None](None, status_code=HTTP_204_NO_CONTENT)
        clear_session_cookie(response)
        return response

    @post(
        "/sign-out-everywhere",
        operation_id="SignOutEverywhere",
        status_code=HTTP_200_OK,
        security=AUTHENTICATED,
        responses=ACCOUNT_PROBLEMS,
    )
    async def sign_out_everywhere(self, request: Request[Any, Any, Any]) -> Response[SignedOutEverywhere]:
        """End every browser session of this account. Personal access tokens stay valid: revoke those one by one."""
        principal = principal_of(request)
        revoked = await revoke_every_session(_pool(request), principal.account_id)
        RECENT.drop_account(principal.account_id)
        response = Response(SignedOutEverywhere(revoked_sessions=revoked), status_code=HTTP_200_OK)
        clear_session_cookie(response)
        return response


class AccessTokensController(Controller):
    path = "/tokens"
    tags = ("Access tokens",)
    security = AUTHENTICATED

    @get(operation_id="ListAccessTokens", responses=ACCOUNT_PROBLEMS)
    async def list_tokens(self, request: Request[Any, Any, Any]) -> list[AccessTokenBody]:
        """Your live personal access tokens, oldest first (names and prefixes only, never the secrets)."""
        async with _pool(request).acquire() as conn:
            tokens = await live_tokens(conn, principal_of(request).account_id)
        return [AccessTokenBody.of(token) for token in tokens]

    @post(operation_id="CreateAccessToken", status_code=HTTP_201_CREATED, responses=ACCOUNT_PROBLEMS, opt=SECRET_ANSWER)
    async def create_token(self, request: Request[Any, Any, Any], data: JSONBody[NewTokenBody]) -> IssuedTokenBody:
        """Make a named personal access token for a script or API client; its secret is in this answer only."""
        async with _pool(request).acquire() as conn:
            issued = await issue_token(
                conn, account_id=principal_of(request).account_id, name=data.name, now=datetime.now(UTC)
            )
        return IssuedTokenBody(
            token_id=issued.token.token_id,
            name=issued.token.name,
            prefix=issued.token.prefix,
            created_at=issued.token.created_at,
            token=issued.secret,
        )

    @delete(
        "/{token_id:uuid}",
        operation_id="RevokeAccessToken",
        status_code=HTTP_204_NO_CONTENT,
        responses=ACCOUNT_PROBLEMS,
    )
    async def revoke(self, request: Request[Any, Any, Any], token_id: FromPath[UUID]) -> None:
        """Revoke one of your tokens: requests bearing it are refused from now on. 404 if it is not yours."""
        async with _pool(request).acquire() as conn:
            revoked = await revoke_token(conn, account_id=principal_of(request).account_id, token_id=token_id)
        RECENT.drop_account(principal_of(request).account_id)
        if not revoked:
            raise problem(HTTP_404_NOT_FOUND, "not-found", "Not found", "You have no live token with this id.")
