"""Security headers on every response, with a Content-Security-Policy for each kind of page.

The policies are built with `secure` (one builder per header, so a directive cannot be misspelt) and
added by a `before_send` hook, which sees every response Litestar sends: errors, 404s of the router and
static files included. Each kind of page gets only what it needs:

- the web client (`/`, its assets, the service worker, the manifest): everything from this origin and
  nothing else, no inline script or style (the build has none: Vite writes every script and style to a
  file, and Preact sets styles through the DOM, which CSP does not govern). The service worker is
  governed by the policy of `sw.js` itself, so that file gets the client's policy too;
- the API's answers (JSON, problems, calendars, and everything under /api, /health, /graphql): a
  document that may load nothing at all;
- the API docs at /docs (Scalar): its script and styles from the CDN Litestar's Scalar page loads them
  from, and inline styles, which Scalar injects;
- GraphiQL at GET /graphql: its page sets a policy of its own with a nonce for its one inline script
  (backend/web/graphql/schema.py, `graphiql_policy`); a response that already has a policy keeps it.

All of them forbid framing (`frame-ancestors 'none'`, and X-Frame-Options for browsers that predate it),
and every response says `nosniff`, sends no Referer (calendar feed URLs hold a secret), and turns off
browser features nothing here uses. HSTS is sent only on responses served over HTTPS (the ASGI scheme;
a proxy that terminates TLS must pass it on, as the session cookie's Secure flag already requires).
"""

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope
from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

SELF, NONE, UNSAFE_INLINE = "'self'", "'none'", "'unsafe-inline'"
DOCS_CDN = "https://cdn.jsdelivr.net"
"""Where Litestar's Scalar page loads Scalar (and its stylesheet and icon) from."""
SCALAR_FONTS = "https://fonts.scalar.com"
GRAPHIQL_CDN = "https://unpkg.com"
"""Where strawberry's GraphiQL page loads React and GraphiQL from (each with Subresource Integrity)."""

API_PREFIXES = ("/api/", "/health", "/graphql", "/docs")
"""Paths whose answers are data, not pages of the client."""
DOCS_PREFIX = "/docs"


def _locked(csp: ContentSecurityPolicy) -> ContentSecurityPolicy:
    """What every policy ends with: no plugins, no <base>, never inside a frame."""
    return csp.object_src(NONE).base_uri(NONE).frame_ancestors(NONE)


def client_policy() -> ContentSecurityPolicy:
    return _locked(
        ContentSecurityPolicy()
        .default_src(SELF)
        .script_src(SELF)
        .style_src(SELF)
        .img_src(SELF)
        .font_src(SELF)
        .connect_src(SELF)
        .manifest_src(SELF)
        .worker_src(SELF)
        .form_action(SELF)
    )


def api_policy() -> ContentSecurityPolicy:
    return _locked(ContentSecurityPolicy().default_src(NONE).form_action(NONE))


def docs_policy() -> ContentSecurityPolicy:
    return _locked(
        ContentSecurityPolicy()
        .default_src(NONE)
        .script_src(DOCS_CDN)
        .style_src(UNSAFE_INLINE, DOCS_CDN, SCALAR_FONTS)
        .font_src(DOCS_CDN, SCALAR_FONTS, "data:")
        .img_src(SELF, "data:", DOCS_CDN)
        .connect_src(SELF)
        .form_action(SELF)
    )


def graphiql_policy(nonce: str) -> str:
    """GraphiQL's page: its inline script by nonce, React and GraphiQL from the CDN, inline styles (its page
    has a <style> and GraphiQL sets more), its data: icon, and queries to this origin."""
    return _locked(
        ContentSecurityPolicy()
        .default_src(NONE)
        .script_src(ContentSecurityPolicy.nonce(nonce), GRAPHIQL_CDN)
        .style_src(UNSAFE_INLINE, GRAPHIQL_CDN)
        .font_src(GRAPHIQL_CDN, "data:")
        .img_src(SELF, "data:")
        .connect_src(SELF)
        .form_action(NONE)
    ).header_value


COMMON = Secure(
    xcto=XContentTypeOptions().nosniff(),
    referrer=ReferrerPolicy().no_referrer(),
    xfo=XFrameOptions().deny(),
    coop=CrossOriginOpenerPolicy().same_origin(),
    # Features a browser may offer a page; the client needs none of them (clipboard writing, which it
    # uses to copy a draft or a token, is allowed to the page itself by default and stays so).
    permissions=PermissionsPolicy()
    .accelerometer()
    .autoplay()
    .camera()
    .display_capture()
    .encrypted_media()
    .geolocation()
    .gyroscope()
    .magnetometer()
    .microphone()
    .midi()
    .payment()
    .usb()
    .xr_spatial_tracking(),
)
HSTS = StrictTransportSecurity().max_age(365 * 24 * 3600).include_subdomains()
"""A year, subdomains too; no `preload` (that is a promise to a browser vendor's list, the operator's call)."""


def _encoded(items: tuple[tuple[str, str], ...]) -> list[tuple[str, bytes]]:
    return [(name.lower(), value.encode("latin-1")) for name, value in items]


_COMMON = _encoded(COMMON.header_items())
_HSTS = _encoded(((HSTS.header_name, HSTS.header_value),))
_CSP = "content-security-policy"
_CLIENT, _API, _DOCS = (p.header_value.encode("latin-1") for p in (client_policy(), api_policy(), docs_policy()))


def _policy_for(path: str, headers: MutableScopeHeaders) -> bytes:
    if not path.startswith(API_PREFIXES):
        return _CLIENT
    if path.startswith(DOCS_PREFIX) and (headers.get("content-type") or "").startswith("text/html"):
        return _DOCS
    return _API


async def security_headers(message: Message, scope: Scope) -> None:
    """`before_send`: the headers above on the start of every HTTP response, unless it set its own."""
    if message["type"] != "http.response.start":
        return
    if "headers" not in message:
        message["headers"] = []
    headers = MutableScopeHeaders.from_message(message)
    wanted = [*_COMMON, (_CSP, _policy_for(scope["path"], headers))]
    if scope.get("scheme") == "https":
        wanted += _HSTS
    headers.headers.extend((name.encode("latin-1"), value) for name, value in wanted if name not in headers)
