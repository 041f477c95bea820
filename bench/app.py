"""What `bench.http` serves: Rapport's own app plus one bare route, under granian as `rapport serve` runs it.

    python -m bench.app --port 8123 [--workers 1]     (DATABASE_URL in the environment)

`GET /bench/baseline` is the baseline: one `SELECT 1` through the app's own pool and a tiny JSON
answer, behind the same middleware, in the same process, with the same server settings.
"""

import argparse
from typing import Any

import asyncpg
from litestar import Litestar, Request, get

from backend.accounts.middleware import PUBLIC
from backend.app import create_app


@get("/bench/baseline", opt=PUBLIC, include_in_schema=False)
async def baseline(request: Request[Any, Any, Any]) -> dict[str, int]:
    """One asyncpg round trip, nothing else."""
    pool: asyncpg.Pool = request.app.state.pool
    value: int = await pool.fetchval("SELECT 1")
    return {"value": value}


def create_bench_app() -> Litestar:
    app = create_app()
    app.register(baseline)
    return app


def main() -> None:
    from granian import Granian
    from granian.constants import Interfaces

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The same options as `rapport serve` (backend/cli.py), only the target differs.
    Granian(
        "bench.app:create_bench_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=args.host,
        port=args.port,
        workers=args.workers,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
