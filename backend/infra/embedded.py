"""An embedded PostgreSQL 16 (the `pgserver` wheel) for machines with no database configured."""

import logging
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "rapport"

# pgserver stops the server when the last process that asked for it exits ("stop" keeps the data).
_servers: dict[Path, Any] = {}


def embedded_server(data_dir: Path) -> Any:
    """Start (or join) the PostgreSQL server whose data lives in `data_dir/postgres`."""
    # pgserver's lock file lives in the user runtime dir; without XDG_RUNTIME_DIR it falls back to
    # /tmp with a warning that says nothing actionable.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver.postgres_server import get_server

    pgdata = (data_dir / "postgres").resolve()
    if pgdata not in _servers:
        pgdata.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        _servers[pgdata] = get_server(pgdata, cleanup_mode="stop")
    return _servers[pgdata]


def ensure_embedded_database(data_dir: Path, name: str = DATABASE_NAME) -> str:
    """Start the embedded server, create database `name` if needed, and return its URL."""
    server = embedded_server(data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return str(server.get_uri(name))
