"""HTTP under load: the agenda, the first page of contacts and recording interviews as held, beside a bare route.

    uv run python -m bench.http [--quick] [--seconds N] [--workers N]

Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`); without it the bench exits 2 and says so.

1. Seeding, in a fresh database (bench.common): one student through `backend.demo.seed_demo` (the
   commands the API runs, decided at simulated past moments) with 500 contacts (--quick: 100), then
   notes on those contacts through the same service until the student's streams hold 10,000 events
   (--quick: 2,000). Sixteen more students each get contacts with an interview scheduled, one for
   every `held` request to come. Then `VACUUM (ANALYZE)`, as autovacuum would have done by now.
   Seeding is timed and printed; it is not a figure of this bench.
2. The server: `bench.app:create_bench_app` under granian in a subprocess with the options of
   `rapport serve` (one worker unless --workers; 10 pooled connections per worker), on 127.0.0.1 at
   a free port. It is Rapport's app plus `GET /bench/baseline`: one `SELECT 1` through the app's
   pool and a tiny JSON answer, behind the same middleware, in the same process.
3. Reads: wrk with 64 connections over 2 threads, 10 s each (--quick: 2 s) after a warm-up, sending
   the student's Bearer token and `Accept-Encoding: gzip` as a phone's browser does: the baseline,
   `GET /api/v1/contacts?limit=25`, `GET /api/v1/agenda`, and the baseline again. Ratios are to the
   mean of the two baseline runs (their spread shows how much the machine drifted meanwhile).
4. Writes: `POST /api/v1/contacts/{id}/held` from 16 students at once. wrk runs 16 threads of one
   connection each; each thread is one student posting its own scheduled interviews one after the
   other (a Lua script reads them from a file) until all are held, so every request is a valid step.
   Then the baseline at the same 16 connections, for the ratio.

Goals (the issue's): agenda and contacts at 0.5x the baseline's requests/s or more, with p99 under
50 ms; held from 16 students with p99 under 50 ms. A run with any non-2xx answer is reported as
refused, not as a figure. The last line of stdout is one JSON object.
"""

import asyncio
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.accounts.access_tokens import issue_token
from backend.accounts.sign_up import SignUp, sign_up
from backend.config import load_settings
from backend.demo import NOTES, seed_demo
from backend.eventstore import EventStore
from backend.relationships import service
from backend.relationships.commands.contact import AddContact, AddNote
from backend.relationships.commands.interview import ScheduleInterview
from bench.common import bench_database, ms, print_json, rate, seeding, settle, table
from bench.serving import Server, chosen_sizes, serving, wrk_bench_arguments

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 0.5  # reads: at least half the baseline's requests/s
GOAL_P99_MS = 50.0  # every measured endpoint
CONNECTIONS = 64
STUDENTS = 16  # writing at once
PASSWORD = "bench password, long enough"  # noqa: S105 - a throwaway account in a throwaway database
SEEDERS = 8
TIMEOUT = "--timeout=10s"  # wrk's default (2 s) would drop the slowest answers from the percentiles
HELD_NOTES = "Talked about how she moved from field work into project management; suggested taking the FE exam early."


@dataclass(frozen=True)
class Sizes:
    contacts: int
    events: int
    held_per_student: int
    warmup_held_per_student: int
    seconds: int
    warmup_seconds: int


FULL = Sizes(
    contacts=500, events=10_000, held_per_student=150, warmup_held_per_student=10, seconds=10, warmup_seconds=2
)
QUICK = Sizes(contacts=100, events=2_000, held_per_student=25, warmup_held_per_student=4, seconds=2, warmup_seconds=1)


@dataclass(frozen=True)
class Seeded:
    token: str
    contacts: int
    events: int
    held_file: Path
    interviews: int
    seconds: float


def say(text: str) -> None:
    print(text, flush=True)


def every(total: int, label: str, steps: int = 4) -> Callable[[int, int], None]:
    """A progress callback that prints `label done/total` a few times along the way."""
    marks = {max(1, round(total * k / steps)) for k in range(1, steps + 1)}

    def progress(done: int, _: int) -> None:
        if done in marks:
            say(f"  {label}: {done:,}/{total:,}")

    return progress


# -- seeding --------------------------------------------------------------------------------------


async def top_up(store: EventStore, student_id: UUID, wanted: int, now: datetime) -> int:
    """Notes on the student's contacts (through the service, as the API adds them) until `wanted` more events."""
    rows = await store.pool.fetch(
        "SELECT contact_id FROM contacts WHERE student_id = $1 AND NOT archived ORDER BY contact_id", student_id
    )
    rng = random.Random(11)
    picks = [(rng.randrange(len(rows)), rng.choice(NOTES)) for _ in range(max(0, wanted))]
    progress = every(len(picks), "notes")
    done = 0

    async def seeder(share: Sequence[tuple[UUID, str]]) -> None:
        nonlocal done
        for contact_id, text in share:
            actor = service.Actor(student_id=student_id, actor_id=f"student:{student_id}", command_id=uuid.uuid4())
            await service.run(store, actor, contact_id, AddNote(text=text), now)
            done += 1
            progress(done, len(picks))

    # Each seeder owns every SEEDERS-th contact: no two write to one stream at once.
    shares = [[(rows[n]["contact_id"], text) for n, text in picks if n % SEEDERS == i] for i in range(SEEDERS)]
    await asyncio.gather(*(seeder(share) for share in shares))
    return len(picks)


async def held_students(store: EventStore, per_student: int, folder: Path, now: datetime) -> tuple[Path, int]:
    """Sixteen students with `per_student` scheduled interviews each; a file `student token contact interview`."""
    lines: list[str] = []
    total = STUDENTS * per_student
    progress = every(total, "scheduled interviews")
    done = 0

    async def student(index: int) -> list[str]:
        nonlocal done
        signed_up = await sign_up(
            store.pool,
            store,
            SignUp(
                email=f"held{index}@bench.example",
                password=PASSWORD,
                display_name=f"Bench Student {index}",
                time_zone="America/New_York",
                country="US",
            ),
            now=now - timedelta(days=30),
        )
        student_id = signed_up.principal.account_id
        async with store.pool.acquire() as conn:
            token = (await issue_token(conn, account_id=student_id, name="bench", now=now)).secret
        mine = []
        for n in range(per_student):

            def actor() -> service.Actor:
                return service.Actor(student_id=student_id, actor_id=f"student:{student_id}", command_id=uuid.uuid4())

            added = await service.add(
                store,
                actor(),
                AddContact(name=f"Contact {n} of student {index}", how_found="alumni", organization="Harbor Analytics"),
                now - timedelta(days=3),
            )
            interview_id = uuid.uuid4()
            schedule = ScheduleInterview(
                starts_at=now - timedelta(hours=1), minutes=20, format="video", interview_id=interview_id
            )
            await service.run(store, actor(), added.contact_id, schedule, now - timedelta(days=2))
            mine.append(f"{index} {token} {added.contact_id} {interview_id}")
            done += 1
            progress(done, total)
        return mine

    for part in await asyncio.gather(*(student(i) for i in range(STUDENTS))):
        lines += part
    path = folder / "held.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


async def seed(url: str, sizes: Sizes, folder: Path) -> tuple[Seeded, dict[str, Any]]:
    now = datetime.now(UTC)
    started = time.perf_counter()
    async with seeding(url, SEEDERS + STUDENTS + 2) as (pool, store, info):
        say(f"seeding one student: {sizes.contacts:,} contacts, then notes up to {sizes.events:,} events")
        demo = await seed_demo(
            pool,
            store,
            email="bench@rapport.example",
            password=PASSWORD,
            contacts=sizes.contacts,
            seed=7,
            now=now,
            concurrency=SEEDERS,
            progress=every(sizes.contacts, "contacts"),
        )
        await top_up(store, demo.account_id, sizes.events - demo.events, now)
        per_student = sizes.held_per_student + sizes.warmup_held_per_student
        say(f"seeding {STUDENTS} more students with {per_student} scheduled interviews each")
        held_file, interviews = await held_students(store, per_student, folder, now)
        async with pool.acquire() as conn:
            events = await conn.fetchval(
                "SELECT coalesce(sum(version), 0) FROM contacts WHERE student_id = $1", demo.account_id
            )
            events += await conn.fetchval("SELECT version FROM students WHERE student_id = $1", demo.account_id)
            await settle(conn)
    seconds = time.perf_counter() - started
    seeded = Seeded(
        token=demo.token,
        contacts=demo.contacts,
        events=int(events),
        held_file=held_file,
        interviews=interviews,
        seconds=seconds,
    )
    say(
        f"seeded in {seconds:.1f} s: the student has {seeded.contacts:,} contacts and {seeded.events:,} events;"
        f" {interviews:,} interviews scheduled for {STUDENTS} others"
    )
    return seeded, info


# -- the server -----------------------------------------------------------------------------------


def bench_app(workers: int) -> list[str]:
    """`python -m bench.app` (granian, Rapport's app + the baseline route), for bench.serving."""
    return [sys.executable, "-m", "bench.app", "--port", "{port}", "--workers", str(workers)]


def fetch(url: str, token: str, method: str = "GET") -> tuple[int, Any]:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our own URL
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


# -- wrk --------------------------------------------------------------------------------------------

_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non_2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
"""

GET_LUA = _DONE

# One wrk thread per student, one connection per thread: requests on a connection go one after the
# other, so each thread walks its own list and stops after the last answer (printing THREAD_DONE, on
# which bench.http interrupts wrk: its main thread would otherwise sleep out the whole -d, and its
# requests/s would count that sleep).
HELD_LUA = (
    r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local items = {}
local answered = 0

function init(args)
  local file, first, count = args[1], tonumber(args[2]), tonumber(args[3])
  local seen = 0
  for line in io.lines(file) do
    local student, token, contact, interview = line:match("^(%d+) (%S+) (%S+) (%S+)$")
    if student ~= nil and tonumber(student) == id then
      seen = seen + 1
      if seen > first and seen <= first + count then
        table.insert(items, {token = token, contact = contact, interview = interview})
      end
    end
  end
  notes = args[4]
end

-- The next item is the one after the last answer (wrk calls request() once more, on its own, to
-- check the script before the run: counting answers rather than requests keeps that call harmless).
function request()
  local item = items[math.min(answered + 1, #items)]
  local body = '{"interviewId":"' .. item.interview .. '","notes":"' .. notes .. '"}'
  local headers = {}
  headers["Authorization"] = "Bearer " .. item.token
  headers["Content-Type"] = "application/json"
  headers["Accept-Encoding"] = "gzip"
  return wrk.format("POST", "/api/v1/contacts/" .. item.contact .. "/held", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if answered == #items then
    io.write("THREAD_DONE\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end
"""
    + _DONE
)


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    connections: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def refused(self) -> bool:
        """A wrong answer means a wrong request (a bug of the bench or the app), not a slow server."""
        return self.requests == 0 or self.non_2xx > 0

    def __str__(self) -> str:
        errors = (
            f", {self.non_2xx} non-2xx, {self.socket_errors} socket errors"
            if self.non_2xx or self.socket_errors
            else ""
        )
        latency = f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"
        return f"{self.rps:,.0f} req/s, {latency} ({self.requests:,} requests{errors})"

    def as_json(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "connections": self.connections,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
        }


def wrk(argv: Sequence[str], *, stop_after_threads: int | None = None, timeout: float = 30) -> Load:
    """Run wrk; with `stop_after_threads`, interrupt it once that many threads said THREAD_DONE.

    wrk's own -d bounds the run; `timeout` is only for the exit after its summary.
    """
    process = subprocess.Popen(["wrk", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None  # noqa: S101 - stdout=PIPE
    finished, summary = 0, None
    for line in process.stdout:
        if line.startswith("WRK_JSON "):
            summary = json.loads(line.removeprefix("WRK_JSON "))
        elif line.strip() == "THREAD_DONE" and stop_after_threads is not None:
            finished += 1
            if finished == stop_after_threads:
                process.send_signal(signal.SIGINT)
    process.wait(timeout)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary: {process.stderr.read() if process.stderr else ''}")
    connections = int(next(a for a in argv if a.startswith("-c"))[2:])
    return Load(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p90_ms=summary["p90_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        non_2xx=summary["non_2xx"],
        socket_errors=sum(summary[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
        connections=connections,
    )


def get_load(url: str, token: str, lua: Path, *, seconds: int, connections: int, threads: int) -> Load:
    headers = ["-H", f"Authorization: Bearer {token}", "-H", "Accept-Encoding: gzip"]
    argv = [f"-t{threads}", f"-c{connections}", f"-d{seconds}s", TIMEOUT, "--latency", "-s", str(lua), *headers, url]
    return wrk(argv)


def held_load(base: str, lua: Path, held_file: Path, *, first: int, count: int) -> Load:
    argv = [f"-t{STUDENTS}", f"-c{STUDENTS}", "-d600s", TIMEOUT, "--latency", "-s", str(lua)]
    argv += [f"{base}/", str(held_file), str(first), str(count), HELD_NOTES]
    return wrk(argv, stop_after_threads=STUDENTS)


def wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


# -- the run -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    path: str | None  # None: the held load
    connections: int
    goal: str | None = None  # "ratio_and_p99" | "p99"


PLAN = (
    Measure("baseline_before", "bare route (SELECT 1), before", "/bench/baseline", CONNECTIONS),
    Measure("contacts", "GET /api/v1/contacts?limit=25", "/api/v1/contacts?limit=25", CONNECTIONS, "ratio_and_p99"),
    Measure("agenda", "GET /api/v1/agenda", "/api/v1/agenda", CONNECTIONS, "ratio_and_p99"),
    Measure("baseline_after", "bare route (SELECT 1), after", "/bench/baseline", CONNECTIONS),
    Measure("baseline_16", "bare route (SELECT 1)", "/bench/baseline", STUDENTS),
    Measure("held", f"POST .../held, {STUDENTS} students at once", None, STUDENTS, "p99"),
)


def run_loads(server: Server, seeded: Seeded, sizes: Sizes, folder: Path) -> dict[str, Load | str]:
    """Every measurement of PLAN, in order; a skipped one maps to the reason."""
    get_lua, held_lua = folder / "get.lua", folder / "held.lua"
    get_lua.write_text(GET_LUA, encoding="utf-8")
    held_lua.write_text(HELD_LUA, encoding="utf-8")
    results: dict[str, Load | str] = {}
    for m in PLAN:
        if m.path is None:
            say(f"load: {m.label} ({sizes.warmup_held_per_student} each to warm up, then {sizes.held_per_student})")
            held_load(server.base, held_lua, seeded.held_file, first=0, count=sizes.warmup_held_per_student)
            results[m.key] = held_load(
                server.base,
                held_lua,
                seeded.held_file,
                first=sizes.warmup_held_per_student,
                count=sizes.held_per_student,
            )
            say(f"  {results[m.key]}")
            continue
        status, body = fetch(server.base + m.path, seeded.token)
        if status != 200:
            say(f"load: {m.label}: skipped, the route answers {status}")
            results[m.key] = f"HTTP {status}"
            continue
        if m.key == "contacts" and len(body["items"]) != 25:
            raise RuntimeError(f"the first page holds {len(body['items'])} contacts, not 25")
        say(f"load: {m.label}, {m.connections} connections, {sizes.seconds} s after {sizes.warmup_seconds} s")
        threads = 2 if m.connections == CONNECTIONS else m.connections
        kwargs = {"connections": m.connections, "threads": threads}
        get_load(server.base + m.path, seeded.token, get_lua, seconds=sizes.warmup_seconds, **kwargs)
        results[m.key] = get_load(server.base + m.path, seeded.token, get_lua, seconds=sizes.seconds, **kwargs)
        say(f"  {results[m.key]}")
    return results


def verdicts(results: dict[str, Load | str]) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Ratios to the baseline at the same connections, and each goal's outcome."""
    baselines = [r for k in ("baseline_before", "baseline_after") if isinstance(r := results.get(k), Load)]
    base64 = sum(b.rps for b in baselines) / len(baselines) if baselines else 0.0
    base16 = results.get("baseline_16")
    ratios: dict[str, float] = {}
    goals: dict[str, dict[str, Any]] = {}
    for m in PLAN:
        result = results.get(m.key)
        base = base64 if m.connections == CONNECTIONS else (base16.rps if isinstance(base16, Load) else 0.0)
        if isinstance(result, Load) and base:
            ratios[m.key] = round(result.rps / base, 3)
        if m.goal is None:
            continue
        if not isinstance(result, Load):
            goals[m.key] = {"met": False, "skipped": result}
        elif result.refused:
            goals[m.key] = {"met": False, "refused": f"{result.non_2xx} non-2xx of {result.requests} answers"}
        else:
            # A timeout or a dropped connection is a miss whatever the percentiles say.
            p99_ok = result.p99_ms < GOAL_P99_MS and result.socket_errors == 0
            goal: dict[str, Any] = {"p99_ms": round(result.p99_ms, 2), "p99_goal_ms": GOAL_P99_MS}
            if result.socket_errors:
                goal["socket_errors"] = result.socket_errors
            if m.goal == "ratio_and_p99":
                goal |= {"ratio": ratios.get(m.key, 0.0), "ratio_goal": GOAL_RATIO}
                goal["met"] = p99_ok and ratios.get(m.key, 0.0) >= GOAL_RATIO
            else:
                goal["met"] = p99_ok
            goals[m.key] = goal
    return ratios, goals


def report(results: dict[str, Load | str], ratios: dict[str, float], goals: dict[str, dict[str, Any]]) -> None:
    rows = []
    for m in PLAN:
        result = results.get(m.key)
        if not isinstance(result, Load):
            rows.append([m.label, str(m.connections), "-", "-", "-", "-", f"skipped: {result}"])
            continue
        ratio = ratios.get(m.key)
        vs = "-" if ratio is None else f"{ratio:.2f}x"
        goal = goals.get(m.key)
        if goal is None:
            verdict = ""
        elif "refused" in goal:
            verdict = f"REFUSED ({goal['refused']})"
        else:
            wanted = f"p99 < {GOAL_P99_MS:g} ms" + (f", >= {GOAL_RATIO}x" if m.goal == "ratio_and_p99" else "")
            verdict = f"goal {wanted}: " + ("met" if goal["met"] else "MISSED")
        rows.append([m.label, str(m.connections), rate(result.rps), ms(result.p50_ms), ms(result.p99_ms), vs, verdict])
    say("")
    say(table(["measurement", "conns", "req/s", "p50 ms", "p99 ms", "vs bare", ""], rows))
    say("")
    for key, goal in goals.items():
        say(f"goal {key}: " + ("met" if goal["met"] else "MISSED") + f" {json.dumps(goal)}")


async def main() -> None:
    args = wrk_bench_arguments(
        __doc__,
        "bench.http",
        quick="100 contacts, 2,000 events, 2 s per load (< 1 min)",
        seconds="seconds per read load (default 10, quick 2)",
    )
    sizes = chosen_sizes(args, full=FULL, quick=QUICK)
    started = time.perf_counter()
    generator = wrk_version()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        folder = Path(tmp)
        async with bench_database() as url:
            seeded, info = await seed(url, sizes, folder)
            say(
                f"mode: {'quick' if args.quick else 'full'}; load generator: {generator};"
                f" server: granian, {args.workers} worker(s), as `rapport serve`"
            )
            env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
            async with serving(bench_app(args.workers), env, folder) as server:
                results = await asyncio.to_thread(run_loads, server, seeded, sizes, folder)
    ratios, goals = verdicts(results)
    report(results, ratios, goals)
    elapsed = time.perf_counter() - started
    say(f"(latency: wrk's, per request; total run {elapsed:.1f} s, of which seeding {seeded.seconds:.1f} s)")
    print_json(
        {
            "bench": "http",
            "mode": "quick" if args.quick else "full",
            "machine": info,
            "load_generator": generator,
            "server": {
                "granian_workers": args.workers,
                "pool_per_worker": load_settings().pool_size,
                "accept_encoding": "gzip",
            },
            "seeded": {
                "contacts": seeded.contacts,
                "events": seeded.events,
                "held_students": STUDENTS,
                "interviews_scheduled": seeded.interviews,
                "seconds": round(seeded.seconds, 1),
            },
            "seconds_per_read_load": sizes.seconds,
            "results": {k: r.as_json() if isinstance(r, Load) else {"skipped": r} for k, r in results.items()},
            "ratios": ratios,
            "goals": goals,
            "elapsed_seconds": round(elapsed, 1),
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
