"""Settings, read once from the environment. With no DATABASE_URL, Rapport runs its own PostgreSQL."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import msgspec


class Secret(str):
    """A setting that must never be printed: its repr hides it (Settings' repr shows every field)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None
    data_dir: Path
    host: str
    port: int
    workers: int
    pool_size: int
    projector_poll_seconds: float
    # The key-encryption key(s) that wrap subject keys (backend/eventstore/keys.py): base64, newest first,
    # comma-separated. Unset: a key file in the data folder, created on first use.
    master_key: Secret | None = None

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def master_key_file(self) -> Path:
        """Where the master key lives when RAPPORT_MASTER_KEY is unset (beside, not inside, the database)."""
        return self.data_dir / "master.key"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(env.get("RAPPORT_DATA_DIR", ".data")).resolve(),
        host=env.get("RAPPORT_HOST", "127.0.0.1"),
        port=int(env.get("RAPPORT_PORT", "8000")),
        workers=int(env.get("RAPPORT_WORKERS", "1")),
        pool_size=int(env.get("RAPPORT_DB_POOL_SIZE", "10")),
        projector_poll_seconds=float(env.get("RAPPORT_PROJECTOR_POLL_SECONDS", "1.0")),
        master_key=Secret(env["RAPPORT_MASTER_KEY"]) if env.get("RAPPORT_MASTER_KEY") else None,
    )


_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


def _split(url: str) -> tuple[str, str, str, str, str]:
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, not {parts.scheme}://")
    return parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment


def to_asyncpg_dsn(url: str) -> str:
    """asyncpg wants plain `postgresql://`."""
    _, netloc, path, query, fragment = _split(url)
    return urlunsplit(("postgresql", netloc, path, query, fragment))


def to_sqlalchemy_url(url: str) -> str:
    """SQLAlchemy (Alembic) wants the driver named: `postgresql+asyncpg://`."""
    _, netloc, path, query, fragment = _split(url)
    return urlunsplit(("postgresql+asyncpg", netloc, path, query, fragment))


def sqlalchemy_url() -> str:
    """The URL Alembic uses when run by hand: DATABASE_URL, else the embedded server."""
    settings = load_settings()
    if settings.database_url is not None:
        return to_sqlalchemy_url(settings.database_url)
    from backend.infra.embedded import ensure_embedded_database

    return to_sqlalchemy_url(ensure_embedded_database(settings.data_dir))


APP_FACTORY = "backend.app:create_app"
"""Where the ASGI app is made, by path: how the server (granian) and the commands that need an app (the
generated artifacts) find it, so that the command line never imports the app it is wired into."""
