"""Which ASGI server should serve Rapport? A bare Litestar route under granian and uvicorn.

Each server runs with one worker on 127.0.0.1 and gets the same wrk load (64 connections, 2 threads)
in the same run; the figure is requests/s with latency percentiles, and the ratio to uvicorn.
Needs `wrk` (Debian: `apt-get install wrk`).

    uv run python -m bench.server [--quick]
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.serving import free_port

SERVERS = {
    "granian": ["granian", "--interface", "asgi", "--workers", "1", "--host", "127.0.0.1", "--port", "{port}"],
    "uvicorn": ["uvicorn", "--workers", "1", "--host", "127.0.0.1", "--port", "{port}", "--no-access-log"],
}
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@contextmanager
def serving(name: str) -> Iterator[int]:
    port = free_port()
    argv = [arg.format(port=port) for arg in SERVERS[name]]
    target = "bench.bare_app:app"
    process = subprocess.Popen(
        [*argv, target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": "."}
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{name} did not start")
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def load(port: int, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per server instead of 10")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    seconds = 3 if args.quick else 10
    results = {}
    for name in SERVERS:
        with serving(name) as port:
            load(port, 1, 64)  # warm-up
            results[name] = load(port, seconds, 64)
    print(f"bare Litestar route, 1 worker, wrk 64 connections, {seconds}s each, {os.cpu_count()} cores")
    print(f"{'server':<10}{'req/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'x uvicorn':>12}")
    for name, r in results.items():
        ratio = r["rps"] / results["uvicorn"]["rps"]
        print(f"{name:<10}{r['rps']:>12,.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{ratio:>12.2f}")
    summary = {
        "bench": "server",
        "seconds": seconds,
        **{f"{name}_rps": round(r["rps"]) for name, r in results.items()},
        **{f"{name}_p99_ms": r["p99_ms"] for name, r in results.items()},
        "granian_over_uvicorn": round(results["granian"]["rps"] / results["uvicorn"]["rps"], 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
