"""Browsers at chosen client addresses, for the tests of what is limited per address and per device.

The app reads the client's address from the ASGI scope (`request.client.host`); Litestar's test
transport always puts ("testclient", 50000) there. `browser` sends through a transport that puts
the chosen address instead, on the app that an `AsyncTestClient` already runs, with a cookie jar of
its own: one browser on one network.
"""

from typing import Any

import httpx
from litestar.testing.transport import TestClientTransport

from tests.api.conftest import Client


class _At(TestClientTransport[Client], httpx.AsyncBaseTransport):
    def __init__(self, client: Client, address: str) -> None:
        super().__init__(client=client)
        self.address = address

    def parse_request(self, request: httpx.Request) -> dict[str, Any]:
        scope = super().parse_request(request)
        scope["client"] = (self.address, 50000)
        return scope


def browser(client: Client, address: str) -> httpx.AsyncClient:
    """A browser with no cookies yet, at `address`, on `client`'s app (use it in `async with`)."""
    return httpx.AsyncClient(transport=_At(client, address), base_url=client.base_url)
