"""Requests to a test client's app as raw ASGI messages, as a server hands them over.

httpx (and so the test client) re-encodes header values as UTF-8 and percent-encodes the URL, so a
request with Latin-1 header bytes, a raw `%00` in its path or a body cut anywhere can only be made one
level down. And the test client waits for each answer with the event loop blocked, so a request that
must stay in flight while the test does something else (stops its database) is made here too.
"""

import asyncio
import json
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tests.api.conftest import Client


@dataclass
class Answer:
    status: int
    headers: dict[bytes, bytes]
    body: bytes

    def problem(self) -> dict[str, Any]:
        assert self.headers.get(b"content-type", b"").startswith(b"application/problem+json"), (self.status, self)
        document: dict[str, Any] = json.loads(self.body)
        return document


def start_raw(
    client: Client,
    method: str,
    path: bytes,
    *,
    query: bytes = b"",
    headers: dict[str, bytes] | None = None,
    chunks: tuple[bytes, ...] = (),
) -> Future[Answer]:
    """One request to the client's app as an ASGI server hands it over: the path decoded as granian does
    (bad escapes left as they are, bytes that are not UTF-8 replaced), everything else as sent. It runs
    on the test client's own event loop, where the app's connections live."""
    header_list = [(b"host", b"testserver.local")]
    header_list += [(name.lower().encode(), value) for name, value in (headers or {}).items()]
    if chunks:
        header_list.append((b"content-length", str(sum(map(len, chunks))).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path.decode("latin-1"), errors="replace"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": header_list,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
    }
    pending = list(chunks) or [b""]
    start: dict[str, Any] = {}
    body: list[bytes] = []
    done = asyncio.Event()  # bound to the loop that first waits on it: the app's

    async def receive() -> dict[str, Any]:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    async def run() -> None:
        await asyncio.wait_for(client.app(scope, receive, send), 10)

    result: Future[Answer] = Future()

    def finished(running: Future[None]) -> None:
        error = running.exception()
        if error is not None:
            result.set_exception(error)
        else:
            result.set_result(
                Answer(status=start["status"], headers=dict(start.get("headers", [])), body=b"".join(body))
            )

    client.blocking_portal.start_task_soon(run).add_done_callback(finished)
    return result


async def send_raw(
    client: Client,
    method: str,
    path: bytes,
    *,
    query: bytes = b"",
    headers: dict[str, bytes] | None = None,
    chunks: tuple[bytes, ...] = (),
) -> Answer:
    """`start_raw`, waited for."""
    return await asyncio.wrap_future(start_raw(client, method, path, query=query, headers=headers, chunks=chunks))
