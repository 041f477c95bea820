"""The benchmarks still run end to end (tiny sizes: the figures mean nothing here, only that they come)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run_bench(*args: str, data_dir: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env={**os.environ, "RAPPORT_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return last


def test_append_bench_prints_its_figures_and_ratios(tmp_path: Path) -> None:
    result = run_bench("bench.append", "--quick", "--seconds", "0.2", "--procs", "2", data_dir=tmp_path)
    assert result["bench"] == "append"
    ratios = result["ratios"]
    assert isinstance(ratios, dict)
    assert {"single_8w_procs", "batch100_1w"} <= set(ratios)
    assert all(isinstance(v, float) and v > 0 for v in ratios.values())


def test_rebuild_bench_prints_its_figures(tmp_path: Path) -> None:
    result = run_bench("bench.rebuild", "--events", "3000", data_dir=tmp_path)
    assert result["bench"] == "rebuild"
    assert result["events_seeded"] == 3000
    rates = result["events_per_second"]
    assert isinstance(rates, dict)
    assert rates["rebuild_stream_summary"] > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="bench.http needs wrk: apt-get install wrk")
def test_http_bench_prints_its_figures_ratios_and_goals(tmp_path: Path) -> None:
    result = run_bench("bench.http", "--quick", "--seconds", "1", data_dir=tmp_path)
    assert result["bench"] == "http"
    results = result["results"]
    assert isinstance(results, dict)
    for key in ("baseline_before", "contacts", "agenda", "baseline_16", "held"):
        assert results[key]["requests"] > 0, key
        assert results[key]["non_2xx"] == 0, key
    ratios = result["ratios"]
    assert isinstance(ratios, dict)
    assert all(isinstance(ratios[k], float) and ratios[k] > 0 for k in ("contacts", "agenda", "held"))
    goals = result["goals"]
    assert isinstance(goals, dict)
    assert set(goals) == {"contacts", "agenda", "held"}


@pytest.mark.skipif(shutil.which("wrk") is None, reason="bench.graphql needs wrk: apt-get install wrk")
def test_graphql_bench_prints_its_figures_ratio_and_goal(tmp_path: Path) -> None:
    result = run_bench("bench.graphql", "--quick", "--seconds", "1", data_dir=tmp_path)
    assert result["bench"] == "graphql"
    assert result["mode"] == "quick"
    seeded = result["seeded"]
    assert isinstance(seeded, dict)
    assert seeded["advisees"] == 20
    results = result["results"]
    assert isinstance(results, dict)
    for key in ("trivial_before", "cohort_dashboard", "trivial_after"):
        assert results[key]["requests"] > 0, key
        assert results[key]["non_2xx"] == 0, key
    ratios = result["ratios"]
    assert isinstance(ratios, dict)
    assert isinstance(ratios["cohort_dashboard"], float)
    assert ratios["cohort_dashboard"] > 0
    goals = result["goals"]
    assert isinstance(goals, dict)
    assert isinstance(goals["cohort_dashboard"]["met"], bool)


def test_client_bench_prints_its_figures_baseline_and_goals(tmp_path: Path) -> None:
    # The build is make test's (and the browser tests'): measured as it is, not rebuilt under them.
    result = run_bench("bench.client", "--quick", "--no-build", data_dir=tmp_path)
    assert result["bench"] == "client"
    assert isinstance(result["js_gzip_kb"], float)
    assert result["js_gzip_kb"] > 0
    assert isinstance(result["css_gzip_kb"], float)
    assert result["css_gzip_kb"] > 0
    lighthouse = result["lighthouse"]
    assert isinstance(lighthouse, dict)
    assert 0 <= lighthouse["performance"] <= 100
    assert result["lighthouse_signed_in"] is True  # the scores are Today's, not the sign-in screen's
    baseline = result["baseline"]
    assert isinstance(baseline, dict)
    assert 0 < baseline["lighthouse"]["performance"] <= 100
    assert isinstance(result["offline_today"], bool)
    goals = result["goals"]
    assert isinstance(goals, dict)
    assert {"js_gzip_kb", "css_gzip_kb", "performance", "offline_today"} <= set(goals)
