"""GraphQL under load: an advisor's cohort dashboard beside a trivial query, on the same server, in the same run.

    uv run python -m bench.graphql [--quick] [--seconds N] [--workers N]

Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`); without it the bench exits 2 and says so.

1. Seeding, in a fresh database (bench.common): 200 students (--quick: 20) signed up as the API does,
   each with 50 contacts (--quick: 10) added through the relationships service; every fifth contact
   was asked 20 days ago and met 10 days ago, half of those were thanked (one day later, or eight), and
   every tenth referred someone. Then an advisor signs up, and every student grants them `notes` (the
   consent command on the student's stream, as POST /me/advisors runs it); the advisor gets a personal
   access token. Then `VACUUM (ANALYZE)` and a checkpoint. Seeding is timed and printed; it is not a
   figure.
2. The server: `python -m bench.app` (Rapport's app under granian, as `rapport serve`), as bench.http.
3. Loads: wrk with 16 connections over 16 threads, 10 s each (--quick: 2 s) after a warm-up, all
   POST /graphql with the advisor's Bearer token: the trivial query `{ me { id } }`, the cohort
   dashboard (the `Dashboard` operation the web client sends, from client/src/api/operations.graphql:
   the cohort's figures, funnel, weekly activity and who needs attention, and the first 50 advisees
   with their numbers), the same dashboard computed on every request (each one's text ends with a
   different comment, so no kept answer fits it: what a dashboard costs after every change), and the
   trivial query again. The ratio is to the mean of the two trivial runs. Every dashboard
   request also records the advisor's reads (one INSERT), as in use, kept answer or not.

Goals (the issue's): the dashboard's p99 under 150 ms and at least 0.3x the trivial query's
requests/s. A run with any non-2xx answer is reported as refused. The last line of stdout is one
JSON object.
"""

import asyncio
import json
import random
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from backend.accounts.access_tokens import issue_token
from backend.accounts.sign_up import AdvisorSignUp, SignUp, sign_up, sign_up_advisor
from backend.config import load_settings
from backend.eventstore import EventStore, Metadata
from backend.relationships import service
from backend.relationships.commands.contact import AddContact
from backend.relationships.commands.follow_through import RecordReferral, SendThanks
from backend.relationships.commands.interview import RecordInterviewHeld, ScheduleInterview
from backend.relationships.commands.request import RequestInterview
from backend.students import service as student_service
from backend.students.commands import GrantAdvisorAccess
from bench.common import bench_database, ms, print_json, rate, seeding, settle, table
from bench.http import _DONE, Load, bench_app, say, wrk, wrk_version
from bench.serving import ROOT, chosen_sizes, serving, wrk_bench_arguments

GOAL_RATIO = 0.3
GOAL_P99_MS = 150.0
CONNECTIONS = 16
SEEDERS = 16
PASSWORD = "bench password, long enough"  # noqa: S105 - a throwaway account in a throwaway database

TRIVIAL = "{ me { id } }"
OPERATIONS = ROOT / "client" / "src" / "api" / "operations.graphql"
DASHBOARD_VARIABLES = {"inactiveDays": 14, "first": 50}


def client_operation(name: str) -> str:
    """The web client's operation `name`, with the fragments it spreads, as a document of its own."""
    document = parse(OPERATIONS.read_text(encoding="utf-8"))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    [operation] = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == name
    ]
    wanted: list[ExecutableDefinitionNode] = [operation]
    for definition in wanted:  # grows as spreads name more fragments
        spreads: list[str] = []
        visit(definition, _Spreads(spreads))
        wanted += [fragments[s] for s in spreads if fragments[s] not in wanted]
    return print_ast(DocumentNode(definitions=tuple(wanted)))


class _Spreads(Visitor):
    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.append(node.name.value)


DASHBOARD = client_operation("Dashboard")


@dataclass(frozen=True)
class Sizes:
    students: int
    contacts: int
    seconds: int
    warmup_seconds: int


FULL = Sizes(students=200, contacts=50, seconds=10, warmup_seconds=2)
QUICK = Sizes(students=20, contacts=10, seconds=2, warmup_seconds=1)


@dataclass(frozen=True)
class Seeded:
    token: str
    students: int
    contacts: int
    events: int
    seconds: float


# -- seeding --------------------------------------------------------------------------------------


async def one_student(store: EventStore, index: int, contacts: int, now: datetime) -> UUID:
    """A student and their network, through the same service the API uses."""
    signed_up = await sign_up(
        store.pool,
        store,
        SignUp(
            email=f"advisee{index}@bench.example",
            password=PASSWORD,
            display_name=f"Advisee {index}",
            time_zone="America/New_York",
            country="US",
        ),
        now=now - timedelta(days=60),
    )
    student_id = signed_up.principal.account_id
    rng = random.Random(index)

    def actor() -> service.Actor:
        return service.Actor(student_id=student_id, actor_id=f"student:{student_id}", command_id=uuid.uuid4())

    async def run(contact_id: UUID, command: object, at: datetime) -> None:
        await service.run(store, actor(), contact_id, command, at)

    for n in range(contacts):
        added_at = now - timedelta(days=rng.randint(21, 50))
        contact = AddContact(name=f"Contact {n} of {index}", how_found="alumni", career_field=rng.choice(FIELDS))
        contact_id = (await service.add(store, actor(), contact, added_at)).contact_id
        if n % 5:
            continue
        await run(contact_id, RequestInterview(channel="email", format="video"), now - timedelta(days=20))
        interview_id = uuid.uuid4()
        met = now - timedelta(days=10)
        schedule = ScheduleInterview(starts_at=met, minutes=20, format="video", interview_id=interview_id)
        await run(contact_id, schedule, now - timedelta(days=15))
        await run(contact_id, RecordInterviewHeld(interview_id=interview_id, held_at=met), met + timedelta(hours=1))
        if n % 10 == 0:
            later = met + timedelta(days=rng.choice((1, 8)))
            await run(contact_id, SendThanks(helpful_thing="advice", interview_id=interview_id, sent_at=later), later)
            await run(contact_id, RecordReferral(name=f"Referral {n} of {index}"), later)
    return student_id


FIELDS = ("Data Science", "Public Policy", "Law", "Civil Engineering", "Product Design")


async def seed(url: str, sizes: Sizes) -> tuple[Seeded, dict[str, Any]]:
    now = datetime.now(UTC)
    started = time.perf_counter()
    async with seeding(url, SEEDERS + 2) as (pool, store, info):
        say(f"seeding {sizes.students} students with {sizes.contacts} contacts each")
        queue = list(range(sizes.students))
        students: list[UUID] = []

        async def seeder() -> None:
            while queue:
                students.append(await one_student(store, queue.pop(), sizes.contacts, now))
                if len(students) % max(1, sizes.students // 4) == 0:
                    say(f"  students: {len(students)}/{sizes.students}")

        await asyncio.gather(*(seeder() for _ in range(SEEDERS)))
        advisor = await sign_up_advisor(
            pool, AdvisorSignUp(email="advisor@bench.example", password=PASSWORD, display_name="Bench Advisor"), now=now
        )
        advisor_id = advisor.principal.account_id
        say(f"each of the {len(students)} students grants the advisor `notes`")
        for student_id in students:
            metadata = Metadata(actor_id=f"student:{student_id}", command_id=uuid.uuid4())
            consent = GrantAdvisorAccess(advisor_id=advisor_id, scope="notes", via="email")
            await student_service.run(store, student_id, consent, now, metadata=metadata, if_match=None)
        async with pool.acquire() as conn:
            token = (await issue_token(conn, account_id=advisor_id, name="bench", now=now)).secret
            contacts = await conn.fetchval("SELECT count(*) FROM contacts")
            events = await conn.fetchval("SELECT count(*) FROM events")
            await settle(conn)
    seconds = time.perf_counter() - started
    say(f"seeded in {seconds:.1f} s: {len(students)} advisees, {contacts:,} contacts, {events:,} events")
    return Seeded(token=token, students=len(students), contacts=contacts, events=events, seconds=seconds), info


# -- loads ----------------------------------------------------------------------------------------


def post_lua(query: str, variables: dict[str, Any], *, vary: bool = False) -> str:
    """wrk's script: POST the query; with `vary`, each request's text ends with a different comment, so
    no answer kept for an earlier one fits it (every request is computed)."""
    body = json.dumps({"variables": variables, "query": query})
    script = f'wrk.method = "POST"\nwrk.body = [==[{body}]==]\nwrk.headers["Content-Type"] = "application/json"\n'
    if vary:
        head, tail = json.dumps({"variables": variables, "query": query + "\n#"})[:-2], '"}'
        script += (
            "local threads = 0\n"
            'function setup(thread) threads = threads + 1; thread:set("tid", threads) end\n'
            "local n = 0\n"
            "request = function()\n"
            "  n = n + 1\n"
            f"  return wrk.format(nil, nil, nil, [==[{head}]==] .. tid .. '-' .. n .. [==[{tail}]==])\n"
            "end\n"
        )
    return script + _DONE


def ask(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own URL
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        found: dict[str, Any] = json.loads(answer.read())
        return found


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    query: str
    variables: dict[str, Any]
    goal: bool = False
    vary: bool = False


PLAN = (
    Measure("trivial_before", "{ me { id } }, before", TRIVIAL, {}),
    Measure("cohort_dashboard", "cohort dashboard", DASHBOARD, DASHBOARD_VARIABLES, goal=True),
    Measure("cohort_dashboard_computed", "cohort dashboard, computed", DASHBOARD, DASHBOARD_VARIABLES, vary=True),
    Measure("trivial_after", "{ me { id } }, after", TRIVIAL, {}),
)


def run_loads(base: str, seeded: Seeded, sizes: Sizes, folder: Path) -> dict[str, Load]:
    answer = ask(base, seeded.token, DASHBOARD, DASHBOARD_VARIABLES)
    if answer.get("errors") or answer["data"]["cohort"]["students"] != seeded.students:
        raise RuntimeError(f"the dashboard query does not answer as it should: {str(answer)[:500]}")
    results: dict[str, Load] = {}
    headers = ["-H", f"Authorization: Bearer {seeded.token}"]
    for m in PLAN:
        lua = folder / f"{m.key}.lua"
        lua.write_text(post_lua(m.query, m.variables, vary=m.vary), encoding="utf-8")
        say(f"load: {m.label}, {CONNECTIONS} connections, {sizes.seconds} s after {sizes.warmup_seconds} s")
        for seconds in (sizes.warmup_seconds, sizes.seconds):
            argv = [f"-t{CONNECTIONS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout=10s", "--latency"]
            results[m.key] = wrk([*argv, "-s", str(lua), *headers, f"{base}/graphql"])
        say(f"  {results[m.key]}")
    return results


def verdict(results: dict[str, Load]) -> tuple[float, dict[str, Any]]:
    trivial = (results["trivial_before"].rps + results["trivial_after"].rps) / 2
    dashboard = results["cohort_dashboard"]
    ratio = round(dashboard.rps / trivial, 3) if trivial else 0.0
    if dashboard.refused:
        return ratio, {"met": False, "refused": f"{dashboard.non_2xx} non-2xx of {dashboard.requests} answers"}
    met = dashboard.p99_ms < GOAL_P99_MS and ratio >= GOAL_RATIO and dashboard.socket_errors == 0
    goal = {"p99_ms": round(dashboard.p99_ms, 2), "p99_goal_ms": GOAL_P99_MS, "ratio": ratio}
    return ratio, goal | {"ratio_goal": GOAL_RATIO, "met": met}


async def main() -> None:
    args = wrk_bench_arguments(
        __doc__,
        "bench.graphql",
        quick="20 advisees of 10 contacts, 2 s per load",
        seconds="seconds per load (default 10, quick 2)",
    )
    sizes = chosen_sizes(args, full=FULL, quick=QUICK)
    started = time.perf_counter()
    generator = wrk_version()
    with tempfile.TemporaryDirectory(prefix="bench-graphql-") as tmp:
        folder = Path(tmp)
        async with bench_database() as url:
            seeded, info = await seed(url, sizes)
            say(f"mode: {'quick' if args.quick else 'full'}; load generator: {generator}; {args.workers} worker(s)")
            env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
            async with serving(bench_app(args.workers), env, folder) as server:
                results = await asyncio.to_thread(run_loads, server.base, seeded, sizes, folder)
    ratio, goal = verdict(results)
    rows = [[m.label, rate(results[m.key].rps), ms(results[m.key].p50_ms), ms(results[m.key].p99_ms)] for m in PLAN]
    say("")
    say(table(["measurement", "req/s", "p50 ms", "p99 ms"], rows))
    say("")
    wanted = f"p99 < {GOAL_P99_MS:g} ms, >= {GOAL_RATIO}x the trivial query"
    say(f"goal cohort_dashboard ({wanted}): " + ("met" if goal["met"] else "MISSED") + f" {json.dumps(goal)}")
    elapsed = time.perf_counter() - started
    say(f"(latency: wrk's, per request; total run {elapsed:.1f} s, of which seeding {seeded.seconds:.1f} s)")
    print_json(
        {
            "bench": "graphql",
            "mode": "quick" if args.quick else "full",
            "machine": info,
            "load_generator": generator,
            "server": {"granian_workers": args.workers, "pool_per_worker": load_settings().pool_size},
            "seeded": {
                "advisees": seeded.students,
                "contacts": seeded.contacts,
                "events": seeded.events,
                "seconds": round(seeded.seconds, 1),
            },
            "connections": CONNECTIONS,
            "seconds_per_load": sizes.seconds,
            "results": {k: r.as_json() for k, r in results.items()},
            "ratios": {"cohort_dashboard": ratio},
            "goals": {"cohort_dashboard": goal},
            "elapsed_seconds": round(elapsed, 1),
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
