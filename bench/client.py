"""The phone client: what the first load costs, what Lighthouse says of Today, and Today offline.

    uv run python -m bench.client [--quick] [--no-build] [--runs N] [--strict]

Needs Node (the client's build and Lighthouse, both in client/node_modules: `npm ci --prefix client`)
and Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`; or set CHROME_PATH).
`make test` sets up both.

1. Build: `npx vite build` in client/ (skipped with --no-build; client/dist must then exist).
2. Bundle size: the JavaScript a first load runs before anything else (the entry chunk of
   client/dist/index.html, its modulepreloads and, recursively, the chunks it imports statically;
   chunks imported with `import()` are left out) and the stylesheets index.html links, each
   gzipped at level 9 with Python's gzip. Also the total of every chunk, for reference.
   Goals: JS <= 60 KB gz, CSS <= 15 KB gz.
3. Lighthouse (client/node_modules/.bin/lighthouse, mobile form factor with its simulated slow 4G
   and 4x CPU slowdown, the defaults) on the Today screen of the seeded demo student: a fresh
   database (bench.common: the embedded PostgreSQL under RAPPORT_DATA_DIR, or DATABASE_URL's server),
   `rapport seed` against it (40 contacts; --quick: 8), `rapport serve` on a free port, a sign-in
   through the API, and the session cookie passed to Lighthouse with --extra-headers. Categories
   performance, accessibility, best practices; the median of --runs runs (default 3; --quick: 1,
   performance only). The run is checked to have been signed in: `GET /api/v1/agenda` answered 200.
   Goals: each >= 95.
   Baseline, in the same run and the same Chromium: a trivial static HTML page (a heading and a
   paragraph) served from this process. Lighthouse refuses a page that is not HTML (NOT_HTML), so
   neither /health (JSON) nor /icon.svg can be it. The ratio is Today's score over the baseline's.
4. Repeat visit offline (Playwright + the same Chromium, a phone-sized context signed in with the
   cookie): visit Today online and wait until the service worker controls the page, visit again
   online (timed: navigation to the first agenda item on screen), then go offline and reload (timed
   the same way). Offline, Today must show its agenda from the service worker's caches.

Progress goes to stdout as it runs; the last line is one JSON object with every figure. Exit 1 when
a goal is missed only with --strict; exit 2 when a prerequisite (Node, Chromium, the build) is missing.
"""

import argparse
import asyncio
import contextlib
import gzip
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.browser import CHROMIUM, CHROMIUM_FLAGS
from bench.common import bench_database, machine_info, machine_line, print_json, table
from bench.serving import serving

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "client"
DIST = CLIENT / "dist"
LIGHTHOUSE = CLIENT / "node_modules" / ".bin" / "lighthouse"
# Playwright starts Chromium headless by itself; Lighthouse needs it said.
LIGHTHOUSE_FLAGS = ["--headless=new", *CHROMIUM_FLAGS]
CATEGORIES = {"performance": "performance", "accessibility": "accessibility", "best-practices": "best_practices"}

GOAL_JS_KB = 60.0
GOAL_CSS_KB = 15.0
GOAL_SCORE = 95

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "service_workers": "allow",
}

BASELINE_HTML = b"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="description" content="A trivial static page: the Lighthouse baseline of bench.client." />
    <link rel="icon" href="data:," />
    <title>Baseline</title>
  </head>
  <body>
    <main>
      <h1>Baseline</h1>
      <p>A heading and a paragraph, nothing to load: what Lighthouse scores here is this machine's ceiling.</p>
    </main>
  </body>
</html>
"""


def say(text: str) -> None:
    print(text, flush=True)


class MissingError(Exception):
    """A prerequisite is not installed: exit 2 and say how to get it."""


# -- 1. build ---------------------------------------------------------------------------------------


def build() -> float:
    npx = shutil.which("npx")
    if npx is None or not (CLIENT / "node_modules" / ".bin" / "vite").exists():
        raise MissingError("the client's build needs Node and its packages: npm ci --prefix client (make test does it)")
    started = time.perf_counter()
    done = subprocess.run([npx, "vite", "build"], cwd=CLIENT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"vite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


# -- 2. bundle size ---------------------------------------------------------------------------------

# Static imports in minified ES modules: `import{a as b}from"./x.js"`, `import"./x.js"`,
# `export{a}from"./x.js"`. Not `import("./x.js")`, which is loaded when called, not on first load.
_STATIC_IMPORT = re.compile(r"""(?:^|[;\s}{)])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']""")
_SCRIPT = re.compile(r"""<script\b[^>]*\btype=["']module["'][^>]*\bsrc=["']([^"']+)["']""")
_PRELOAD = re.compile(r"""<link\b[^>]*\brel=["']modulepreload["'][^>]*\bhref=["']([^"']+)["']""")
_STYLESHEET = re.compile(r"""<link\b[^>]*\brel=["']stylesheet["'][^>]*\bhref=["']([^"']+)["']""")


def gzip_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=9, mtime=0)) / 1024


def _local(dist: Path, url: str) -> Path:
    return dist / url.split("?", 1)[0].lstrip("/")


def first_load_js(dist: Path) -> list[Path]:
    """The entry module(s) of index.html, their modulepreloads, and every chunk they import statically."""
    html = (dist / "index.html").read_text(encoding="utf-8")
    queue = [_local(dist, u) for u in _SCRIPT.findall(html) + _PRELOAD.findall(html)]
    seen: list[Path] = []
    while queue:
        path = queue.pop(0).resolve()
        if path in seen or not path.is_file():
            continue
        seen.append(path)
        for spec in _STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            if spec.startswith("."):
                queue.append(path.parent / spec)
            elif spec.startswith("/"):
                queue.append(_local(dist, spec))
    return seen


def bundle_sizes(dist: Path) -> dict[str, Any]:
    if not (dist / "index.html").is_file():
        raise MissingError(f"no client build in {dist}: cd client && npx vite build (or run without --no-build)")
    html = (dist / "index.html").read_text(encoding="utf-8")
    js = first_load_js(dist)
    css = [_local(dist, u) for u in _STYLESHEET.findall(html)]
    every_js = sorted((dist / "assets").glob("*.js"))
    return {
        "js_gzip_kb": round(sum(gzip_kb(p.read_bytes()) for p in js), 2),
        "js_raw_kb": round(sum(p.stat().st_size for p in js) / 1024, 2),
        "js_files": [str(p.relative_to(dist.resolve())) for p in js],
        "css_gzip_kb": round(sum(gzip_kb(p.read_bytes()) for p in css if p.is_file()), 2),
        "css_files": [str(p.relative_to(dist)) for p in css],
        "all_js_gzip_kb": round(sum(gzip_kb(p.read_bytes()) for p in every_js), 2),
        "all_js_files": len(every_js),
        "service_worker_gzip_kb": round(
            sum(gzip_kb(p.read_bytes()) for p in [dist / "sw.js", *dist.glob("workbox-*.js")] if p.is_file()), 2
        ),
    }


# -- 3. the server, the demo student, Lighthouse ----------------------------------------------------


SERVE = [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", "{port}"]


@dataclass(frozen=True)
class Demo:
    email: str
    password: str
    contacts: int
    seconds: float


def seed_demo_student(url: str, contacts: int) -> Demo:
    """`rapport seed` against the bench's database; the email and password it prints."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "seed", "--contacts", str(contacts)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rapport seed failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    # The student's lines come first; the demo advisor's follow.
    found: dict[str, str] = {}
    for key, value in re.findall(r"^\s+(email|password)\s+(\S.*?)\s*$", done.stdout, flags=re.MULTILINE):
        found.setdefault(key, value)
    if {"email", "password"} - set(found):
        raise RuntimeError(f"rapport seed printed no email and password:\n{done.stdout[-2000:]}")
    return Demo(found["email"], found["password"], contacts, time.perf_counter() - started)


def sign_in(base: str, demo: Demo) -> str:
    """The value of the `rapport_session` cookie of a new session."""
    body = json.dumps({"email": demo.email, "password": demo.password}).encode()
    request = urllib.request.Request(  # noqa: S310 - our own URL
        f"{base}/api/v1/auth/sign-in", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our own URL
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "rapport_session":
                return str(rest.split(";", 1)[0])
    raise RuntimeError("signing in set no rapport_session cookie")


@contextlib.contextmanager
def baseline_site() -> Iterator[str]:
    """The trivial static page, served by a thread of this process; its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = self.path.split("?", 1)[0] in ("/", "/index.html")
            body = BASELINE_HTML if page else b""
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Lighthouse:
    scores: dict[str, int]
    seconds: float
    metrics: dict[str, float]
    signed_in: bool | None  # None: not a page of ours


def lighthouse(url: str, categories: list[str], folder: Path, headers: dict[str, str] | None = None) -> Lighthouse:
    if not LIGHTHOUSE.exists():
        raise MissingError("Lighthouse is a dev dependency of the client: npm ci --prefix client (make test does it)")
    out = folder / f"lh-{time.monotonic_ns()}.json"
    argv = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(categories)}",
        f"--chrome-flags={' '.join(LIGHTHOUSE_FLAGS)}",
        "--quiet",
    ]
    if headers:
        extra = folder / "headers.json"
        extra.write_text(json.dumps(headers), encoding="utf-8")
        argv.append(f"--extra-headers={extra}")
    started = time.perf_counter()
    done = subprocess.run(
        argv, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, capture_output=True, text=True, timeout=300, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError']}")
    scores = {}
    for key, name in CATEGORIES.items():
        category = report["categories"].get(key)
        if category is not None:
            scores[name] = round(100 * (category["score"] or 0))
    audits = report["audits"]
    metrics = {
        name: round(audits[audit]["numericValue"], 1)
        for name, audit in (
            ("fcp_ms", "first-contentful-paint"),
            ("lcp_ms", "largest-contentful-paint"),
            ("tbt_ms", "total-blocking-time"),
            ("cls", "cumulative-layout-shift"),
            ("si_ms", "speed-index"),
        )
        if audit in audits and audits[audit].get("numericValue") is not None
    }
    signed_in: bool | None = None
    if headers:
        requests = ((audits.get("network-requests") or {}).get("details") or {}).get("items") or []
        signed_in = any(r.get("url", "").endswith("/api/v1/agenda") and r.get("statusCode") == 200 for r in requests)
    failing = sorted(
        f"{a['id']} ({a['score']})"
        for a in audits.values()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") in ("binary", "numeric")
    )
    if failing:
        say(f"    audits below 1: {', '.join(failing[:20])}{' …' if len(failing) > 20 else ''}")
    shifts = ((audits.get("layout-shifts") or {}).get("details") or {}).get("items") or []
    for shift in shifts[:3]:
        node = shift.get("node") or {}
        where = f"{node.get('selector', '?')} ({node.get('snippet', '')[:80]})"
        say(f"    layout shift {shift.get('score', 0):.3f}: {where}")
    return Lighthouse(scores, seconds, metrics, signed_in)


def median_scores(runs: list[Lighthouse]) -> dict[str, int]:
    names = sorted({k for r in runs for k in r.scores})
    return {k: round(statistics.median(r.scores[k] for r in runs if k in r.scores)) for k in names}


def median_metrics(runs: list[Lighthouse]) -> dict[str, float]:
    names = sorted({k for r in runs for k in r.metrics})
    return {k: round(statistics.median(r.metrics[k] for r in runs if k in r.metrics), 1) for k in names}


# -- 4. repeat visit offline ------------------------------------------------------------------------

AGENDA_ITEM = "main li.agenda-item, main ul.list > li"


def offline_repeat_visit(base: str, cookie: str) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    result: dict[str, Any] = {"offline_today": False}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(**PHONE)  # type: ignore[arg-type]
            context.add_cookies([{"name": "rapport_session", "value": cookie, "url": base}])
            page = context.new_page()

            def show_today(action: str) -> float:
                started = time.perf_counter()
                if action == "goto":
                    page.goto(f"{base}/#/")
                else:
                    page.reload()
                page.locator(AGENDA_ITEM).first.wait_for(state="visible", timeout=15_000)
                return (time.perf_counter() - started) * 1000

            result["first_visit_ms"] = round(show_today("goto"), 1)
            # The service worker installs on the first visit (precaching the shell) and controls the
            # pages loaded after it is active: the next visit.
            page.evaluate(
                "() => Promise.race([navigator.serviceWorker.ready.then(() => true),"
                " new Promise((_, no) => setTimeout(() => no(new Error('no active service worker in 15 s')), 15000))])"
            )
            result["online_ms"] = round(show_today("reload"), 1)
            result["controlled"] = page.evaluate("navigator.serviceWorker.controller !== null")
            context.set_offline(True)
            try:
                result["offline_ms"] = round(show_today("reload"), 1)
                result["offline_today"] = True
                result["offline_items"] = page.locator(AGENDA_ITEM).count()
            except PlaywrightError as error:
                result["offline_error"] = str(error).splitlines()[0]
                result["offline_screen"] = (
                    page.locator("h1").first.text_content(timeout=2000) if page.locator("h1").count() else None
                )
        finally:
            browser.close()
    if "offline_ms" in result and result.get("online_ms"):
        result["offline_vs_online"] = round(result["offline_ms"] / result["online_ms"], 2)
    return result


# -- the run ----------------------------------------------------------------------------------------


def check_prerequisites(no_build: bool) -> None:
    if not CHROMIUM.exists():
        raise MissingError(
            f"no Chromium at {CHROMIUM}: apt-get install chromium (make test does it), or set CHROME_PATH"
        )
    if no_build and not (DIST / "index.html").is_file():
        raise MissingError(f"--no-build, but there is no client build in {DIST}: cd client && npx vite build")


async def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    runs = args.runs or (1 if args.quick else 3)
    categories = ["performance"] if args.quick else list(CATEGORIES)
    figures: dict[str, Any] = {}
    async with bench_database() as url:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            figures["machine"] = await machine_info(conn)
        finally:
            await conn.close()
        say(machine_line(figures["machine"]))
        contacts = 8 if args.quick else 40
        say(f"seeding the demo student ({contacts} contacts) with `rapport seed`")
        demo = await asyncio.to_thread(seed_demo_student, url, contacts)
        say(f"  seeded in {demo.seconds:.1f} s: {demo.email}")
        async with serving(SERVE, {"DATABASE_URL": url, "RAPPORT_DB_POOL_SIZE": "4"}, folder) as server:
            cookie = sign_in(server.base, demo)
            say(f"server at {server.base}; signed in as {demo.email}")
            figures["lighthouse"] = await asyncio.to_thread(
                run_lighthouse, server.base, cookie, categories, runs, folder
            )
            say("repeat visit: Today online, then offline (Playwright, service worker)")
            offline = await asyncio.to_thread(offline_repeat_visit, server.base, cookie)
            figures["offline"] = offline
            say(
                f"  offline Today shown: {offline['offline_today']}"
                + (
                    f" in {offline['offline_ms']:.0f} ms (online {offline['online_ms']:.0f} ms)"
                    if offline["offline_today"]
                    else f" ({offline.get('offline_error', '')}; screen: {offline.get('offline_screen')})"
                )
            )
    figures["demo_contacts"] = contacts
    figures["seed_seconds"] = round(demo.seconds, 1)
    return figures


def run_lighthouse(base: str, cookie: str, categories: list[str], runs: int, folder: Path) -> dict[str, Any]:
    today: list[Lighthouse] = []
    for n in range(runs):
        say(f"lighthouse {n + 1}/{runs}: Today ({base}/#/, mobile, {', '.join(categories)})")
        run = lighthouse(f"{base}/#/", categories, folder, headers={"Cookie": f"rapport_session={cookie}"})
        say(f"  {run.scores} in {run.seconds:.1f} s; signed in: {run.signed_in}; {run.metrics}")
        today.append(run)
    baseline: list[Lighthouse] = []
    with baseline_site() as url:
        for n in range(runs):
            say(f"lighthouse {n + 1}/{runs}: baseline (a trivial static page)")
            run = lighthouse(url, categories, folder)
            say(f"  {run.scores} in {run.seconds:.1f} s; {run.metrics}")
            baseline.append(run)
    scores, base_scores = median_scores(today), median_scores(baseline)
    return {
        "runs": runs,
        "today": scores,
        "today_metrics": median_metrics(today),
        "signed_in": all(r.signed_in for r in today),
        "baseline": base_scores,
        "baseline_metrics": median_metrics(baseline),
        "ratios": {k: round(v / base_scores[k], 3) for k, v in scores.items() if base_scores.get(k)},
        "seconds_per_run": round(statistics.median(r.seconds for r in today), 1),
    }


def goals_of(sizes: dict[str, Any], figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    goals: dict[str, dict[str, Any]] = {
        "js_gzip_kb": {
            "value": sizes["js_gzip_kb"],
            "goal": f"<= {GOAL_JS_KB:g}",
            "met": sizes["js_gzip_kb"] <= GOAL_JS_KB,
        },
        "css_gzip_kb": {
            "value": sizes["css_gzip_kb"],
            "goal": f"<= {GOAL_CSS_KB:g}",
            "met": sizes["css_gzip_kb"] <= GOAL_CSS_KB,
        },
    }
    lh = figures.get("lighthouse")
    if lh is not None:
        for name, value in lh["today"].items():
            goals[name] = {"value": value, "goal": f">= {GOAL_SCORE}", "met": value >= GOAL_SCORE and lh["signed_in"]}
        if not lh["signed_in"]:
            for name in lh["today"]:
                goals[name]["why"] = "Lighthouse was not signed in: the scores are of another screen"
    offline = figures.get("offline")
    if offline is not None:
        goals["offline_today"] = {
            "value": offline["offline_today"],
            "goal": "true",
            "met": bool(offline["offline_today"]),
        }
    return goals


def report(sizes: dict[str, Any], figures: dict[str, Any], goals: dict[str, dict[str, Any]]) -> None:
    rows: list[list[str]] = []
    lh = figures.get("lighthouse") or {}
    baseline = lh.get("baseline", {})
    ratios = lh.get("ratios", {})
    for name, goal in goals.items():
        base = baseline.get(name)
        rows.append(
            [
                name,
                str(goal["value"]),
                "-" if base is None else str(base),
                "-" if name not in ratios else f"{ratios[name]:.2f}x",
                f"{goal['goal']}: " + ("met" if goal["met"] else "MISSED"),
            ]
        )
    offline = figures.get("offline") or {}
    if "online_ms" in offline:
        rows.append(["Today, repeat visit online (ms)", f"{offline['online_ms']:.0f}", "-", "-", ""])
    if "offline_ms" in offline:
        rows.append(
            [
                "Today, repeat visit offline (ms)",
                f"{offline['offline_ms']:.0f}",
                f"{offline['online_ms']:.0f}",
                f"{offline['offline_vs_online']:.2f}x",
                "",
            ]
        )
    say("")
    say(table(["figure", "result", "baseline", "vs baseline", "goal"], rows))
    say(
        f"(bundle: first-load JS {sizes['js_raw_kb']:.1f} KB raw in {len(sizes['js_files'])} file(s);"
        f" every chunk {sizes['all_js_gzip_kb']:.1f} KB gz in {sizes['all_js_files']}; service worker"
        f" {sizes['service_worker_gzip_kb']:.1f} KB gz)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one Lighthouse run, performance only; 8 contacts")
    parser.add_argument("--no-build", action="store_true", help="measure client/dist as it is")
    parser.add_argument("--runs", type=int, help="Lighthouse runs per page, the median is kept (default 3; quick 1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        check_prerequisites(args.no_build)
        build_seconds = None
        if not args.no_build:
            say("building the client: npx vite build")
            build_seconds = build()
            say(f"  built in {build_seconds:.1f} s")
        sizes = bundle_sizes(DIST)
        say(
            f"first load: JS {sizes['js_gzip_kb']:.1f} KB gz ({', '.join(sizes['js_files'])}),"
            f" CSS {sizes['css_gzip_kb']:.1f} KB gz"
        )
        with tempfile.TemporaryDirectory(prefix="bench-client-") as tmp:
            figures = asyncio.run(measure(args, Path(tmp)))
    except MissingError as missing:
        print(f"bench.client: {missing}", file=sys.stderr)
        sys.exit(2)
    goals = goals_of(sizes, figures)
    report(sizes, figures, goals)
    elapsed = time.perf_counter() - started
    lh = figures.get("lighthouse") or {}
    print_json(
        {
            "bench": "client",
            "mode": "quick" if args.quick else "full",
            "machine": figures.get("machine"),
            "build_seconds": None if build_seconds is None else round(build_seconds, 1),
            "js_gzip_kb": sizes["js_gzip_kb"],
            "css_gzip_kb": sizes["css_gzip_kb"],
            "bundle": sizes,
            "lighthouse": lh.get("today"),
            "lighthouse_metrics": lh.get("today_metrics"),
            "lighthouse_signed_in": lh.get("signed_in"),
            "lighthouse_runs": lh.get("runs"),
            "baseline": {
                "page": "trivial static HTML",
                "lighthouse": lh.get("baseline"),
                "metrics": lh.get("baseline_metrics"),
            },
            "ratios": lh.get("ratios"),
            "offline_today": (figures.get("offline") or {}).get("offline_today"),
            "offline": figures.get("offline"),
            "demo_contacts": figures.get("demo_contacts"),
            "goals": goals,
            "elapsed_seconds": round(elapsed, 1),
        }
    )
    if args.strict and not all(g["met"] for g in goals.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
