"""Generated artifacts, rendered from the code. `rapport generate` writes them; `--check` diffs them."""

import functools
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_TYPESCRIPT = ROOT / "client" / "node_modules" / ".bin" / "openapi-typescript"


@functools.cache
def openapi_json() -> str:
    from backend.app import create_app

    schema = create_app().openapi_schema.to_schema()
    return msgspec.json.format(msgspec.json.encode(schema, order="sorted"), indent=2).decode() + "\n"


def client_api_types() -> str:
    """The web client's API types, by openapi-typescript from the same OpenAPI document."""
    if not OPENAPI_TYPESCRIPT.exists():
        raise SystemExit("The client's packages are not installed: run `npm ci --prefix client` (make does).")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "openapi.json"
        source.write_text(openapi_json())
        done = subprocess.run(  # noqa: S603 - our own pinned tool on our own file
            [str(OPENAPI_TYPESCRIPT), str(source), "--root-types", "--alphabetize", "--default-non-nullable", "false"],
            check=True,
            capture_output=True,
            text=True,
        )
    return done.stdout


def graphql_schema() -> str:
    """The GraphQL schema as SDL, printed by strawberry from the code."""
    from backend.graphql.schema import schema_sdl

    return schema_sdl()


ARTIFACTS: dict[str, Callable[[], str]] = {
    "openapi/openapi.json": openapi_json,
    "openapi/schema.graphql": graphql_schema,
    "client/src/api/schema.d.ts": client_api_types,
}
