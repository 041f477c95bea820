"""`rapport`: run the API and the projector, migrate, rebuild, inspect and verify the log."""

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from backend.config import APP_FACTORY, load_settings

console = Console(stderr=True)
ROOT = Path(__file__).resolve().parent.parent


def _dsn() -> str:
    from backend.infra.db import resolve_database_url

    settings = load_settings()
    if settings.uses_embedded_database:
        console.print(f"[dim]No DATABASE_URL: using the embedded PostgreSQL in {settings.data_dir / 'postgres'}[/]")
    return resolve_database_url(settings)


async def _wrap_stored_keys(dsn: str) -> None:
    """After migrating: wrap subject keys stored before 0009 with the master key (only we have it)."""
    from backend.eventstore.keys import Keyring, MasterKeyError, wrap_plain_keys
    from backend.infra.db import create_pool

    pool = await create_pool(dsn, 1)
    try:
        async with pool.acquire() as conn:
            if wrapped := await wrap_plain_keys(conn, Keyring.from_settings(load_settings())):
                console.print(f"Wrapped {wrapped:,} subject keys with the master key.")
    except MasterKeyError as wrong:
        console.print(f"[red]Wrong master key[/]: {wrong}")
        sys.exit(1)
    finally:
        await pool.close()


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar with a live events/s figure, on stderr so stdout stays parseable."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>10} events/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, rate="-")

        def advance(n: int) -> None:
            bar.advance(task, n)
            elapsed = bar.tasks[task].elapsed or 0.0
            done = bar.tasks[task].completed
            bar.update(task, rate=f"{done / elapsed:,.0f}" if elapsed > 0 else "-")

        yield advance


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def rapport() -> None:
    """Rapport: informational interviews, recorded as events."""


@rapport.command()
@click.option("--host", default=None, help="Address to listen on (RAPPORT_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (RAPPORT_PORT, default 8000).")
@click.option("--workers", type=int, default=None, help="Worker processes (RAPPORT_WORKERS, default 1).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Migrate the database, then serve the API and the client with granian."""
    from granian import Granian
    from granian.constants import Interfaces

    from backend.infra import migrate

    settings = load_settings()
    dsn = _dsn()
    console.print("Applying migrations…")
    asyncio.run(migrate.upgrade(dsn))
    asyncio.run(_wrap_stored_keys(dsn))
    # Workers are separate processes: they find the database through the environment.
    os.environ["DATABASE_URL"] = dsn
    address, listen_port = host or settings.host, port or settings.port
    console.print(f"[bold green]Rapport is running at http://{address}:{listen_port}/[/]  (Ctrl+C to stop)")
    console.print(f"API docs: http://{address}:{listen_port}/docs   health: http://{address}:{listen_port}/health")
    Granian(
        APP_FACTORY,
        factory=True,
        interface=Interfaces.ASGI,
        address=address,
        port=listen_port,
        workers=workers or settings.workers,
        log_access=False,
    ).serve()


@rapport.command()
@click.argument("revision", default="head")
def migrate(revision: str) -> None:
    """Upgrade the database schema to REVISION (default: head)."""
    from backend.infra import migrate as migrations

    dsn = _dsn()
    asyncio.run(migrations.upgrade(dsn, revision))
    if revision in ("head", migrations.head_revision()):
        asyncio.run(_wrap_stored_keys(dsn))
    console.print(f"Database at {revision}.")


@rapport.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (`base` removes everything)."""
    from backend.infra import migrate as migrations

    dsn = _dsn()
    asyncio.run(migrations.downgrade(dsn, revision))
    console.print(f"Database at {revision}.")


@rapport.command()
@click.option("--batch-size", type=int, default=500, show_default=True)
def projector(batch_size: int) -> None:
    """Run the async projections until interrupted. Start several for standbys."""
    from backend.eventstore.runner import Projector
    from backend.eventstore.store import EventStore
    from backend.infra.db import create_pool
    from backend.registry import async_projections, event_registry

    settings = load_settings()
    dsn = _dsn()

    async def main() -> None:
        pool = await create_pool(dsn, 2)
        store = EventStore(pool, event_registry())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        names = ", ".join(p.name for p in async_projections())
        console.print(f"Projector running: {names} (poll every {settings.projector_poll_seconds}s)")
        try:
            await Projector(
                dsn,
                store,
                async_projections(),
                poll_seconds=settings.projector_poll_seconds,
                batch_size=batch_size,
            ).run(stop)
        finally:
            await pool.close()

    asyncio.run(main())


@rapport.command()
@click.argument("names", nargs=-1)
@click.option("--batch-size", type=int, default=20_000, show_default=True)
def rebuild(names: tuple[str, ...], batch_size: int) -> None:
    """Replay all events into fresh read-model tables and swap them in (all projections by default)."""
    from backend.eventstore.rebuild import count_events
    from backend.eventstore.rebuild import rebuild as rebuild_projection
    from backend.eventstore.store import EventStore
    from backend.infra.db import create_pool
    from backend.registry import PROJECTIONS, event_registry, inline_projections

    known = {p.name: p for p in PROJECTIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.BadParameter(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = [known[n] for n in names] if names else list(PROJECTIONS)
    dsn = _dsn()

    async def main() -> None:
        pool = await create_pool(dsn, 2)
        store = EventStore(pool, event_registry(), inline=inline_projections())
        try:
            for projection in chosen:
                async with pool.acquire() as conn:
                    total = await count_events(conn, projection)
                with _progress(f"rebuild {projection.name}", total) as advance:
                    result = await rebuild_projection(pool, store, projection, batch_size=batch_size, progress=advance)
                console.print(
                    f"{projection.name}: {result.events:,} events in {result.seconds:.2f}s"
                    f" ({result.events_per_second:,.0f} events/s), swapped in"
                )
        finally:
            await pool.close()

    asyncio.run(main())


def _print_json(value: Any) -> None:
    sys.stdout.write(msgspec.json.encode(value).decode() + "\n")


@rapport.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(as_json: bool) -> None:
    """Each projection's position, lag (events and seconds) and state."""
    from backend.eventstore.status import projection_status
    from backend.infra.db import create_pool
    from backend.registry import PROJECTIONS

    dsn = _dsn()

    async def main() -> list[Any]:
        pool = await create_pool(dsn, 1)
        try:
            async with pool.acquire() as conn:
                return list(await projection_status(conn, PROJECTIONS, undeclared=True))
        finally:
            await pool.close()

    rows = asyncio.run(main())
    if as_json:
        _print_json(rows)
        return
    table = Table("projection", "mode", "state", "position", "lag (events)", "lag (s)")
    table.columns[0].no_wrap = True
    failures = []
    for row in rows:
        state = {"failed": "[red]failed[/]", "running": "[green]running[/]"}.get(row.state, row.state)
        table.add_row(
            row.name,
            row.mode,
            state,
            row.position or "-",
            f"{row.lag_events:,}",
            f"{row.lag_seconds:.1f}",
        )
        if row.error is not None:
            where = f" ({row.failed_type}, {row.failed_stream_id} v{row.failed_version})" if row.failed_type else ""
            failures.append(f"[red]{row.name}[/] stopped at event {row.failed_position}{where}: {row.error}")
    out = Console()
    out.print(table)
    for failure in failures:
        out.print(failure)


@rapport.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(as_json: bool) -> None:
    """Check every stream's hash chain; exit 1 and name the first broken link if any."""
    from backend.eventstore.verify import verify as verify_log
    from backend.infra.db import create_pool

    dsn = _dsn()

    async def main() -> Any:
        pool = await create_pool(dsn, 1)
        try:
            async with pool.acquire() as conn:
                total = await conn.fetchval("SELECT count(*) FROM events")
                with _progress("verify", total) as advance:
                    return await verify_log(conn, progress=advance)
        finally:
            await pool.close()

    report = asyncio.run(main())
    if as_json:
        _print_json(report)
    elif report.ok:
        console.print(f"[green]OK[/]: {report.events:,} events in {report.streams:,} streams verify.")
    else:
        first = report.first_break
        console.print(
            f"[red]BROKEN[/]: {report.breaks} break(s). First: stream {first.stream_id}, version {first.version}"
            f" (position {first.position}): {first.reason}"
        )
    if not report.ok:
        sys.exit(1)


@rapport.command()
@click.argument("subject")
@click.confirmation_option(prompt="Personal data of this subject will be unrecoverable. Continue?")
def forget(subject: str) -> None:
    """Destroy SUBJECT's key: their personal data in the log becomes unreadable, for good."""
    from backend.eventstore.store import EventStore
    from backend.infra.db import create_pool
    from backend.registry import event_registry

    dsn = _dsn()

    async def main() -> bool:
        pool = await create_pool(dsn, 1)
        try:
            return await EventStore(pool, event_registry()).forget(subject)
        finally:
            await pool.close()

    first_time = asyncio.run(main())
    console.print(f"Forgot {subject}." if first_time else f"{subject} had already been forgotten.")


def _seed_password(password: str, *, email: str, name: str) -> str:
    """The demo student's password, held to sign-up's rules here, where a refusal can say why."""
    from backend.accounts.passwords import weakness

    if len(password) < 10:  # the sign-up rule (backend.accounts.passwords.Password)
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    if weak := weakness(password, email=email, name=name):
        raise click.BadParameter(
            f"too weak: {weak.warning} {' '.join(weak.suggestions)}".strip(), param_hint="--password"
        )
    return password


@rapport.command(name="rotate-master-key")
def rotate_master_key() -> None:
    """Re-wrap every subject key under a new master key, in one transaction.

    With the key file (RAPPORT_MASTER_KEY unset), a new key is made and written into it; the old one
    is removed once the transaction has committed. Other processes re-read the file when they meet the
    new key. With RAPPORT_MASTER_KEY, give every process `new,old` (a new key first: `openssl rand
    -base64 32`), run this, then give them `new` alone.
    """
    from backend.eventstore.keys import MasterKeyError
    from backend.eventstore.keys import rotate_master_key as rotate
    from backend.infra.db import create_pool

    settings = load_settings()
    dsn = _dsn()

    async def main() -> Any:
        pool = await create_pool(dsn, 1)
        try:
            async with pool.acquire() as conn:
                return await rotate(conn, settings)
        finally:
            await pool.close()

    try:
        done = asyncio.run(main())
    except MasterKeyError as refused:
        console.print(f"[red]Not rotated[/]: {refused}")
        sys.exit(1)
    console.print(f"Re-wrapped {done.rewrapped:,} subject keys under master key {done.new_id} (was {done.old_id}).")
    if done.key_file is not None:
        console.print(f"{done.key_file} holds the new key alone: back it up, and let old copies expire.")
    else:
        console.print("Now give every process RAPPORT_MASTER_KEY with the new key alone.")


@rapport.command()
@click.option("--email", default="demo@rapport.example", show_default=True, help="The demo student's email.")
@click.option("--password", default=None, help="Their password (10+ characters; default: rapport-demo-password).")
@click.option("--contacts", type=click.IntRange(1, 5000), default=40, show_default=True, help="How many contacts.")
@click.option("--seed", "seed_", type=int, default=7, show_default=True, help="Same seed, same story.")
@click.option("--reset", is_flag=True, help="Refused when the email exists: the event log is append-only (see --help).")
def seed(email: str, password: str | None, contacts: int, seed_: int, reset: bool) -> None:
    """Migrate, then sign up a demo student with a year of informational interviews, and print how to sign in.

    Five career fields, referral chains, every stage, notes that differ from person to person, and
    some overdue follow-ups and thank-yous. Dates are relative to today. If the email already has an
    account this exits 1, with or without --reset: the log is append-only (no event can be deleted),
    so a seeded student cannot be taken back. Use another --email, or start from an empty database
    (stop the server and remove the data folder's `postgres`, or point DATABASE_URL at a new database).
    """
    from datetime import UTC, datetime

    from backend.demo import DEFAULT_PASSWORD, DISPLAY_NAME, EmailTakenError, email_taken, seed_demo
    from backend.eventstore.store import EventStore
    from backend.fields import Email
    from backend.infra import migrate as migrations
    from backend.infra.db import create_pool
    from backend.registry import event_registry, inline_projections

    try:
        msgspec.convert(email, Email)
    except msgspec.ValidationError:
        raise click.BadParameter("not an email address", param_hint="--email") from None
    password = _seed_password(password or DEFAULT_PASSWORD, email=email, name=DISPLAY_NAME)
    settings = load_settings()
    dsn = _dsn()
    console.print("Applying migrations…")
    asyncio.run(migrations.upgrade(dsn))

    async def main() -> Any:
        pool = await create_pool(dsn, 6)
        store = EventStore(pool, event_registry(), inline=inline_projections())
        columns = (TextColumn("[bold]seeding contacts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            async with pool.acquire() as conn:
                if await email_taken(conn, email):
                    raise EmailTakenError(email)
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("seed", total=contacts)
                return await seed_demo(
                    pool,
                    store,
                    email=email,
                    password=password,
                    contacts=contacts,
                    seed=seed_,
                    now=datetime.now(UTC),
                    progress=lambda done, _: bar.update(task, completed=done),
                )
        finally:
            await store.close()
            await pool.close()

    try:
        demo = asyncio.run(main())
    except EmailTakenError:
        why = "--reset cannot remove it: " if reset else ""
        console.print(
            f"[red]An account with {email} exists already.[/] {why}the event log is append-only, so a seeded student "
            "stays. Seed with another --email, or start from an empty database (DATABASE_URL, or remove "
            f"{settings.data_dir / 'postgres'} while the server is stopped)."
        )
        sys.exit(1)
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"[green]Seeded[/] {demo.contacts} contacts and {demo.events:,} events for {demo.display_name}.")
    # Plain lines on stdout: a token wrapped to the terminal's width could not be copied.
    click.echo(f"Sign in at {url}/ (API docs: {url}/docs; start the server with `rapport serve`)")
    click.echo(f"  email     {demo.email}")
    click.echo(f"  password  {demo.password}")
    click.echo(f"  token     {demo.token}")
    click.echo(f'  try       curl -H "Authorization: Bearer {demo.token}" {url}/api/v1/agenda')
    click.echo("An advisor, to whom this student granted notes (a classmate shares a summary, another revoked):")
    click.echo(f"  email     {demo.advisor_email}")
    click.echo(f"  password  {demo.password}")


@rapport.command()
@click.option(
    "--check",
    is_flag=True,
    help="Fail if a committed artifact differs from what the code generates.",
)
def generate(check: bool) -> None:
    """Write the generated artifacts (openapi/openapi.json, the client's API types) from the code."""
    from backend.infra.artifacts import ARTIFACTS

    stale = []
    for path, render in ARTIFACTS.items():
        target = ROOT / path
        content = render()
        if check:
            if not target.exists() or target.read_text() != content:
                stale.append(path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        console.print(f"wrote {path}")
    if stale:
        console.print(f"[red]Out of date[/]: {', '.join(stale)}. Run `rapport generate` and commit the result.")
        sys.exit(1)
    if check:
        console.print("Generated artifacts are up to date.")


def main() -> None:
    rapport()


if __name__ == "__main__":
    main()
