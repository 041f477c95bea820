"""The real server over real HTTP, for the tests that need one (the browser tests, schemathesis).

`python -m backend.cli serve` in a subprocess, on a free port, against a fresh database cloned from
the migrated template; ready once `GET /health` answers 200; terminated and its database dropped at
the end. The database work runs on a loop of its own in another thread, so it works whatever loop
the calling thread has (Playwright's sync API marks one as running while it is started).
"""

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bench.serving import free_port
from tests.conftest import create_database, database_url_for, drop_database

__all__ = ["LiveServer", "free_port", "in_thread", "live_server", "serving", "token_for"]

ROOT = Path(__file__).resolve().parents[1]

T = TypeVar("T")


def in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a loop of its own, whatever loop this thread has."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str


@contextmanager
def live_server(pg_server: Any) -> Iterator[LiveServer]:
    """A server on 127.0.0.1 with a database of its own (needs the session's `template_url` migrated)."""
    name = in_thread(create_database(pg_server))
    url = database_url_for(pg_server, name)
    try:
        with serving(url) as server:
            yield server
    finally:
        in_thread(drop_database(pg_server, name))


@contextmanager
def serving(database_url: str, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """`rapport serve` on `database_url` until the block ends (with `env` added to its environment)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "DATABASE_URL": database_url, "RAPPORT_DB_POOL_SIZE": "4", **(env or {})},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            time.sleep(0.2)
        yield LiveServer(url=base, database_url=database_url)
    finally:
        process.terminate()
        process.wait(timeout=20)


LIVE_PASSWORD = "correct horse battery staple"


def token_for(base: str) -> dict[str, str]:
    """Sign a new student up on the live server at `base`; Bearer headers with a personal access token."""
    with httpx.Client(base_url=base) as client:
        email = f"crash-{uuid.uuid4().hex[:8]}@example.edu"
        body = {"email": email, "password": LIVE_PASSWORD, "displayName": "Sam", "timeZone": "UTC", "country": "US"}
        signed_up = client.post("/api/v1/auth/sign-up", json=body)
        assert signed_up.status_code == 201, signed_up.text
        made = client.post(
            "/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": signed_up.json()["csrfToken"]}
        )
        assert made.status_code == 201, made.text
        return {"Authorization": f"Bearer {made.json()['token']}"}
