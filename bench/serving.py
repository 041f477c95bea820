"""A server the benchmarks measure, in a subprocess on a free port: started, waited for, stopped;
and the command line of the benches that load it with wrk (bench.http, bench.graphql).

bench.client runs `rapport serve` this way, bench.http `python -m bench.app`: the command line is the
only difference. The server is ready when `GET /health` answers 200; its output goes to a log file,
whose tail is written to stderr when the bench fails while the server runs.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ROOT = Path(__file__).resolve().parent.parent

S = TypeVar("S", bound="DataclassInstance")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`argv` in a subprocess (in the repository's root), its `{port}` replaced by a free port on 127.0.0.1.

    `env` is added to this process's environment.
    """

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log: TextIO) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [arg.replace("{port}", str(self.port)) for arg in argv]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as answer:  # noqa: S310 - our own URL
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@contextlib.asynccontextmanager
async def serving(argv: Sequence[str], env: Mapping[str, str], folder: Path) -> AsyncIterator[Server]:
    """A `Server`, logging to folder/server.log, once healthy; stopped at the end, its log's tail shown on error."""
    path = folder / "server.log"
    with path.open("w", encoding="utf-8") as log:
        server = Server(argv, env, log)
        try:
            await asyncio.to_thread(server.wait_ready)
            yield server
        except Exception:
            log.flush()
            sys.stderr.write(path.read_text(encoding="utf-8")[-3000:])
            raise
        finally:
            server.stop()


def wrk_bench_arguments(description: str | None, bench: str, *, quick: str, seconds: str) -> argparse.Namespace:
    """The command line of a bench that loads a server with wrk: --quick, --seconds, --workers.

    Exits 2, saying so, when wrk is not installed.
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--seconds", type=int, help=seconds)
    parser.add_argument("--workers", type=int, default=1, help="granian workers (default 1, as RAPPORT_WORKERS)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print(f"{bench} needs wrk, the HTTP load generator: apt-get install wrk (macOS: brew install wrk)")
        sys.exit(2)
    return args


def chosen_sizes(args: argparse.Namespace, *, full: S, quick: S) -> S:
    """`quick` with --quick, else `full` (dataclasses), with --seconds in place of their `seconds`."""
    sizes = quick if args.quick else full
    return dataclasses.replace(sizes, seconds=args.seconds) if args.seconds else sizes
