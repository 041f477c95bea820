"""Malformed requests are refused where they come in, before anything reads them: 400 problem details.

Handlers get their input parsed into types (Litestar's parameters, msgspec bodies), but some bytes
break those parsers in ways they report as crashes rather than refusals: a body that is not UTF-8
makes msgspec raise UnicodeDecodeError (a 500, with no login needed), a header byte above 0x7F
arrives as a Latin-1 character (`"²"`, which `str.isdigit()` takes for a digit), `%ff` in a URL
becomes U+FFFD and `%00` a NUL that PostgreSQL cannot store. So every request to a route passes
three checks first, each answering 400 with its own problem type:

- `malformed-url`: every percent-escape of the path and the query is well formed, and they decode to
  UTF-8 without NUL;
- `malformed-header`: the headers the app reads (READ_HEADERS, and the values of its own `rapport_*`
  cookies) hold visible ASCII only. RFC 9110 keeps bytes above 0x7F for old software; none of these
  headers has a use for them, and other headers (and other sites' cookies) are left alone;
- `malformed-body`: the body is UTF-8, as every body this API takes is JSON (RFC 8259 §8.1). It is
  read whole (at most MAX_BODY_BYTES: 413 `too-large` beyond) and handed on unchanged, so a route
  that ignores its body refuses a malformed one all the same.

A request for no route at all is answered 404 by the router before this runs.
"""

import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ASGIApp, HTTPReceiveMessage, Receive, ReceiveMessage, Scope, Send

from backend.fields import MAX_BODY_BYTES
from backend.web.problems import problem

READ_HEADERS = {
    name.lower().encode(): name
    for name in (
        "Host",
        "Authorization",
        "X-CSRF-Token",
        "Idempotency-Key",
        "If-Match",
        "If-None-Match",
        "Content-Type",
        "Content-Length",
        "Accept-Encoding",
    )
}
"""The request headers whose values Rapport reads, as ASGI names them and as a problem names them (the
Cookie header is checked cookie by cookie)."""
OWN_COOKIES = b"rapport_"
"""The prefix of every cookie Rapport sets."""

_VISIBLE = re.compile(rb"[\t\x20-\x7e]*")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def malformed_url(detail: str) -> ProblemDetailsException:
    return problem(HTTP_400_BAD_REQUEST, "malformed-url", "The URL is malformed", detail)


def malformed_header(shown: str, detail: str = "") -> ProblemDetailsException:
    return problem(
        HTTP_400_BAD_REQUEST,
        "malformed-header",
        "A header is malformed",
        detail or f"{shown} may hold visible ASCII characters only.",
        header=shown,
    )


def malformed_body() -> ProblemDetailsException:
    return problem(
        HTTP_400_BAD_REQUEST,
        "malformed-body",
        "The request body is malformed",
        "The body is not UTF-8: send JSON encoded as UTF-8.",
    )


def too_large() -> ProblemDetailsException:
    return problem(
        HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "too-large",
        "The request body is too large",
        f"Send at most {MAX_BODY_BYTES} bytes.",
    )


def _url_part_ok(part: bytes) -> bool:
    """A path or query as sent: well-formed escapes, decoding to UTF-8 without NUL."""
    if _BAD_ESCAPE.search(part):
        return False
    try:
        text = unquote_to_bytes(part).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def check_url(scope: Scope) -> None:
    """400 `malformed-url` unless the path and the query are well formed."""
    # raw_path is the path as sent (some servers add the query to it); without it, the server's own
    # decoding is all there is, and only NUL can still be told apart.
    raw_path: bytes | None = scope.get("raw_path")
    path_ok = _url_part_ok(raw_path.partition(b"?")[0]) if raw_path else "\x00" not in scope["path"]
    if not path_ok:
        raise malformed_url("The path has a malformed percent-escape, is not UTF-8, or holds NUL.")
    if not _url_part_ok(scope.get("query_string", b"")):
        raise malformed_url("The query has a malformed percent-escape, is not UTF-8, or holds NUL.")


def check_headers(headers: Iterable[tuple[bytes, bytes]]) -> None:
    """400 `malformed-header` unless the headers Rapport reads, and its own cookies, are visible ASCII."""
    for name, value in headers:
        if name == b"cookie":
            for pair in value.split(b";"):
                cookie, _, cookie_value = pair.strip().partition(b"=")
                if cookie.startswith(OWN_COOKIES) and not _VISIBLE.fullmatch(cookie_value):
                    shown = cookie.decode("ascii", "replace")
                    raise malformed_header("Cookie", f"The cookie {shown} may hold visible ASCII characters only.")
        elif name in READ_HEADERS and not _VISIBLE.fullmatch(value):
            raise malformed_header(READ_HEADERS[name])


async def read_body(scope: Scope, receive: Receive) -> tuple[bytes, ReceiveMessage | None]:
    """The whole body, and the disconnect that cut it short if one did; refuses one over the limit before
    holding it all (413), and one that is not UTF-8 (400)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            raise too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away while sending
            return b"".join(chunks), message
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise malformed_body() from None
    return body, None


class EdgeMiddleware(ASGIMiddleware):
    """The first middleware of every route: the URL, the headers and the body are well formed, or 400."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        check_url(scope)
        check_headers(scope["headers"])
        body, ended = await read_body(scope, receive)
        handed = False

        async def replay() -> ReceiveMessage:
            nonlocal handed
            if handed:
                return await receive()  # after the body: a disconnect, when it comes
            handed = True
            if ended is not None:
                return ended
            message: HTTPReceiveMessage = {"type": "http.request", "body": body, "more_body": False}
            return message

        await next_app(scope, replay, send)
