"""Generated artifacts, rendered from the code. `rapport generate` writes them; `--check` diffs them."""

from collections.abc import Callable

import msgspec


def openapi_json() -> str:
    from backend.app import create_app

    schema = create_app().openapi_schema.to_schema()
    return msgspec.json.format(msgspec.json.encode(schema, order="sorted"), indent=2).decode() + "\n"


ARTIFACTS: dict[str, Callable[[], str]] = {
    "openapi/openapi.json": openapi_json,
}
