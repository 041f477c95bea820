"""The web client, served at `/` from its build (client/dist, made by `npm run build`).

Vite names every asset by its content hash, so `/assets/…` may be kept for a year. Everything else
(index.html, the service worker, the manifest) must be asked for again each time, or a phone would
keep an old app shell, and an old service worker, for as long as its cache allowed.
"""

from pathlib import Path

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from backend.accounts.middleware import PUBLIC

CLIENT_DIST = Path(__file__).resolve().parents[2] / "client" / "dist"
YEAR = 365 * 24 * 3600


@get("/", include_in_schema=False, sync_to_thread=False, opt=PUBLIC)
def not_built() -> Redirect:
    """Without a client build (API-only use), the front door leads to the API docs."""
    return Redirect("/docs")


def client_routes(dist: Path = CLIENT_DIST) -> list[ControllerRouterHandler]:
    """Routers for the built client, or a redirect to the docs when there is no build."""
    if not (dist / "index.html").is_file():
        return [not_built]
    return [
        create_static_files_router(
            "/assets",
            directories=[dist / "assets"],
            name="client-assets",
            cache_control=CacheControlHeader(max_age=YEAR, public=True, immutable=True),
            opt=PUBLIC,
        ),
        create_static_files_router(
            "/",
            directories=[dist],
            name="client",
            html_mode=True,
            cache_control=CacheControlHeader(no_cache=True),
            opt=PUBLIC,
        ),
    ]
