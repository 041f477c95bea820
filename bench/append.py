"""Append throughput: the event store beside raw asyncpg writes of the same rows to a bare table.

    uv run python -m bench.append [--quick] [--procs N] [--rounds N]

What runs, each for a fixed time after a warm-up (2 rounds of 3 s after 0.5 s; --quick: 1 round of
1 s after 0.25 s), store and baseline back to back so both see the same table sizes:

- single-event appends, `store.append(stream, <exact version>, [event], metadata)` through
  `EventStore(pool, registry, inline=inline_projections())` (so the inline stream_summary projection
  is fused into every append), beside one autocommit `INSERT` of the same row per statement into
  `bench_bare_events`, a table made `LIKE events INCLUDING ALL` (same columns, defaults, identity,
  CHECKs and indexes; no triggers, no foreign key, no functions);
- batched appends of 100 events (one stream per append, exact version) beside one binary `COPY`
  (`copy_records_to_table`) of 100 rows per call;
- the single-event append of an event with a `Personal[str]` field (sealed with AES-GCM under the
  stream's subject key): extra rows, compared with the plain-row raw INSERT of the same layout.

Every writer owns its stream and expects its exact version (it is the stream's only writer, so no
append is ever refused; ANY takes the same path in the append statement: lock the head, check, write).
Each writer has its own connection: a process with N writers has a pool of N connections (plus two
spare for the store's debounced NOTIFY), all opened before the warm-up.

Eight writers run in two layouts, store and baseline alike, so every ratio compares like with like:

- `tasks`: 8 asyncio tasks in this one process, on one pool;
- `procs`: 8 writers spread over `--procs` worker processes (spawned once, before any window), each
  with its own event loop and pool, all counting in one shared wall-clock window.

The default `--procs` is the number of cores (rounded down to 1, 2, 4 or 8; at least 2): one
Python process per core, as a server runs one worker per core. More processes than cores only adds
scheduling: on 2 cores `8 procs x 1 task` measured lower than `1 proc x 8 tasks` for the store and
the baseline alike (raw INSERT about 1.9k against 3.1k events/s). The headline ratio for 8 writers
is the `procs` layout; `tasks` is printed beside it.

Where a single-event append's time goes (measured on this kind of machine): the baseline writes one
row to one table; an append writes three (the event, the command id, the inline stream_summary row)
in one statement. On these VMs a client's CPU also grows with the time it waits for the server (a
`SELECT pg_sleep(0.0005)` costs the client ~150 us against ~55 us for `SELECT 1`), so a slower
statement costs twice: what made the goal was fewer statements, fewer tables written per append
(no stream-head row), and plain parameters instead of arrays for the one-event case.

The last line of stdout is one JSON object with every figure and ratio.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import asyncpg

from backend.eventstore import init_connection
from bench.common import (
    Figure,
    Job,
    Tally,
    bench_database,
    create_bare_table,
    figure,
    machine_info,
    machine_line,
    ms,
    print_json,
    rate,
    run_job,
    run_job_in_process,
    table,
    warm_process,
)

GOAL_SINGLE = 0.5  # store at least 0.5x raw INSERT: single-event appends, 8 writers
GOAL_BATCH = 0.4  # store at least 0.4x raw COPY: 100 events per append
BATCH = 100
WRITERS = 8


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    kind: str  # see bench.common.Job
    writers: int
    procs: int
    batch: int = 1

    @property
    def layout(self) -> str:
        if self.procs == 1:
            return "1 proc" if self.writers == 1 else f"1 proc x {self.writers} tasks"
        return f"{self.procs} procs x {self.writers // self.procs} tasks"


@dataclass(frozen=True)
class Comparison:
    """A store measurement, the baseline it is compared with, and the goal if it is a headline."""

    key: str
    store: Scenario
    raw: Scenario | None
    goal: float | None = None


def _suffix(writers: int, procs: int) -> str:
    return f"{writers}w" if writers == 1 else f"{writers}w_{'procs' if procs > 1 else 'tasks'}"


def _single(writers: int, procs: int, goal: float | None = None) -> Comparison:
    s = _suffix(writers, procs)
    return Comparison(
        f"single_{s}",
        Scenario(f"store_single_{s}", "store append, 1 event", "store", writers, procs),
        Scenario(f"raw_insert_{s}", "raw INSERT, 1 row", "raw", writers, procs),
        goal,
    )


def _batch(writers: int, procs: int, goal: float | None = None) -> Comparison:
    s = _suffix(writers, procs)
    return Comparison(
        f"batch{BATCH}_{s}",
        Scenario(f"store_batch{BATCH}_{s}", f"store append, {BATCH} events", "store_batch", writers, procs, BATCH),
        Scenario(f"raw_copy{BATCH}_{s}", f"raw COPY, {BATCH} rows", "copy", writers, procs, BATCH),
        goal,
    )


def _personal(writers: int, procs: int) -> Comparison:
    s = _suffix(writers, procs)
    label = "store append, 1 Personal event"
    return Comparison(f"personal_{s}", Scenario(f"store_personal_{s}", label, "store_personal", writers, procs), None)


def plan(procs: int) -> list[Comparison]:
    return [
        _single(1, 1),
        _single(WRITERS, 1),
        _single(WRITERS, procs, GOAL_SINGLE),
        _batch(1, 1, GOAL_BATCH),
        _batch(WRITERS, procs),
        _personal(1, 1),
        _personal(WRITERS, procs),
    ]


@dataclass(frozen=True)
class Timing:
    warmup: float
    seconds: float


async def measure(scenario: Scenario, url: str, executor: ProcessPoolExecutor, timing: Timing) -> Tally:
    tag = uuid.uuid4().hex[:8]
    start = time.time() + (0.3 if scenario.procs == 1 else 0.6)
    t0 = start + timing.warmup
    t1 = t0 + timing.seconds
    per_proc = scenario.writers // scenario.procs
    jobs = [
        Job(scenario.kind, url, tag, p * per_proc, per_proc, scenario.batch, start, t0, t1)
        for p in range(scenario.procs)
    ]
    if scenario.procs == 1:
        tally = await run_job(jobs[0])
    else:
        loop = asyncio.get_running_loop()
        tally = Tally()
        for part in await asyncio.gather(*(loop.run_in_executor(executor, run_job_in_process, j) for j in jobs)):
            tally.merge(part)
    if tally.late:
        print(f"note: a writer of {scenario.key} was not ready when its warm-up began", file=sys.stderr)
    return tally


def default_procs() -> int:
    cores = os.cpu_count() or 2
    return max(p for p in (2, 4, 8) if p <= max(cores, 2))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s per measurement (under a minute)")
    parser.add_argument("--procs", type=int, default=default_procs(), help="processes for the 8-writer `procs` runs")
    parser.add_argument("--seconds", type=float, help="window per measurement and round (default 3, quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds over the whole plan, pooled (default 2, quick 1)")
    args = parser.parse_args()
    if args.procs not in (2, 4, 8):
        parser.error("--procs must split 8 writers evenly over several processes: 2, 4 or 8")
    timing = Timing(warmup=0.25 if args.quick else 0.5, seconds=args.seconds or (1.0 if args.quick else 3.0))
    rounds = args.rounds or (1 if args.quick else 2)
    started = time.perf_counter()

    comparisons = plan(args.procs)
    tallies: dict[str, Tally] = {}
    with ProcessPoolExecutor(max_workers=args.procs, mp_context=get_context("spawn")) as executor:
        loop = asyncio.get_running_loop()
        # Start the workers now, so process start-up and imports fall outside every window.
        warming = asyncio.gather(*(loop.run_in_executor(executor, warm_process) for _ in range(args.procs)))
        async with bench_database() as url:
            conn = await asyncpg.connect(url)
            try:
                await init_connection(conn)
                await create_bare_table(conn)
                info = await machine_info(conn)
            finally:
                await conn.close()
            await warming
            print(machine_line(info))
            print(
                f"mode: {'quick' if args.quick else 'full'}: {rounds} x {timing.seconds:g} s per measurement,"
                f" each after {timing.warmup:g} s of warm-up; expected version: exact;"
                f" 8-writer layouts: 1 proc x 8 tasks and {args.procs} procs x {WRITERS // args.procs} tasks",
                flush=True,
            )
            for _ in range(rounds):
                for comparison in comparisons:
                    for scenario in (comparison.store, comparison.raw):
                        if scenario is not None:
                            tally = await measure(scenario, url, executor, timing)
                            tallies.setdefault(scenario.key, Tally()).merge(tally)

    figures = {key: figure(key, tally, timing.seconds * rounds) for key, tally in tallies.items()}
    report(
        comparisons=comparisons,
        figures=figures,
        info=info,
        args=args,
        timing=timing,
        rounds=rounds,
        elapsed=time.perf_counter() - started,
    )


def report(
    *,
    comparisons: list[Comparison],
    figures: dict[str, Figure],
    info: dict[str, Any],
    args: argparse.Namespace,
    timing: Timing,
    rounds: int,
    elapsed: float,
) -> None:
    raw_insert = {
        (c.raw.writers, c.raw.procs): figures[c.raw.key] for c in comparisons if c.raw and c.raw.kind == "raw"
    }
    rows: list[list[str]] = []
    ratios: dict[str, float] = {}
    for c in comparisons:
        store = figures[c.store.key]
        baseline = figures[c.raw.key] if c.raw else raw_insert.get((c.store.writers, c.store.procs))
        ratio = store.events_per_second / baseline.events_per_second if baseline and baseline.events_per_second else 0.0
        ratios[c.key] = round(ratio, 3)
        verdict = "" if c.goal is None else f"goal >= {c.goal}x: " + ("met" if ratio >= c.goal else "MISSED")
        lines = [(c.store, store, f"{ratio:.2f}x", verdict)]
        if c.raw:
            lines.append((c.raw, figures[c.raw.key], "1.00x", ""))
        for scenario, f, vs, note in lines:
            rate_ = rate(f.events_per_second)
            rows.append(
                [scenario.label, str(scenario.writers), scenario.layout, rate_, ms(f.p50_ms), ms(f.p99_ms), vs, note]
            )
    print()
    print(table(["measurement", "writers", "layout", "events/s", "p50 ms", "p99 ms", "vs raw", ""], rows))
    print()
    goals = {
        c.key: {"ratio": ratios[c.key], "goal": c.goal, "met": ratios[c.key] >= c.goal}
        for c in comparisons
        if c.goal is not None
    }
    for key, g in goals.items():
        print(f"goal {key}: store {g['ratio']:.2f}x raw, goal {g['goal']}x -> {'met' if g['met'] else 'MISSED'}")
    print(f"(p50/p99: latency of one append, INSERT or COPY; total run {elapsed:.1f} s)")
    print_json(
        {
            "bench": "append",
            "mode": "quick" if args.quick else "full",
            "rounds": rounds,
            "seconds_per_round": timing.seconds,
            "warmup_seconds": timing.warmup,
            "expected_version": "exact",
            "procs_for_8_writers": args.procs,
            "machine": info,
            "events_per_second": {k: round(f.events_per_second, 1) for k, f in figures.items()},
            "p50_ms": {k: None if f.p50_ms is None else round(f.p50_ms, 3) for k, f in figures.items()},
            "p99_ms": {k: None if f.p99_ms is None else round(f.p99_ms, 3) for k, f in figures.items()},
            "ratios": ratios,
            "goals": goals,
            "elapsed_seconds": round(elapsed, 1),
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
