"""The web client as the backend serves it: the app shell is always asked for again, hashed assets
are kept for a year, and with no build the front door leads to the API docs."""

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backend.web.client import CLIENT_DIST, client_routes
from tests.api.conftest import Client

pytestmark = pytest.mark.api


def fake_build(dist: Path) -> Path:
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Rapport</title>")
    (dist / "assets" / "index-abc123.js").write_text("console.log('rapport');" * 100)
    (dist / "manifest.webmanifest").write_text('{"name": "Rapport"}')
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    return dist


def test_the_app_shell_is_always_revalidated_and_assets_are_immutable(tmp_path: Path) -> None:
    with TestClient(Litestar(route_handlers=client_routes(fake_build(tmp_path)))) as client:
        shell = client.get("/")
        assert shell.status_code == 200
        assert shell.headers["content-type"].startswith("text/html")
        assert shell.headers["cache-control"] == "no-cache"
        assert client.get("/sw.js").headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-abc123.js")
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
        assert "max-age=31536000" in asset.headers["cache-control"]
        assert client.get("/manifest.webmanifest").headers["content-type"] == "application/manifest+json"
        assert client.get("/no-such-file.js").status_code == 404


def test_without_a_build_the_front_door_leads_to_the_docs(tmp_path: Path) -> None:
    with TestClient(Litestar(route_handlers=client_routes(tmp_path))) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code in {302, 307}
        assert response.headers["location"] == "/docs"


async def test_the_app_serves_the_real_build(client: Client) -> None:
    if not (CLIENT_DIST / "index.html").is_file():
        pytest.fail("client/dist is missing: `make test` builds the client first (cd client && npm run build)")
    shell = await client.get("/")
    assert shell.status_code == 200
    assert '<div id="app">' in shell.text
    assert '<link rel="manifest"' in shell.text
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.json()["start_url"] == "/"
    assert (await client.get("/sw.js")).status_code == 200
