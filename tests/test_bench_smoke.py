"""The bench runs end to end at a tiny scale and reports every measurement.

The bench is not a test: it measures, and its figures depend on the machine.
This only checks that it still runs against the current code, on the
database the suite runs on, and that its report leaves nothing out.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "board",
    "commitment",
    "changelog",
    "api_list",
    "atom_feed",
    "commitment_feed",
    "icalendar",
}

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="served throughput is measured with wrk; `make bench` installs it",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    output = folder / "latest.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--scales=tiny",
        "--sweep-sizes=100,1000",
        "--due=10",
        "--repeat=3",
        "--budget=0.2",
        "--load-seconds=1",
        f"--suffix=-smoke-{os.getpid()}",
        "--drop-after",
        f"--output={output}",
    ]
    finished = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "BENCH_SQLITE_DIR": str(folder)},
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(output.read_text()), finished.stdout


def test_every_page_is_measured_against_its_baseline_and_the_floor(results):
    report, _table = results
    pages = report["scales"]["tiny"]["pages"]
    assert set(pages) == PAGES
    for name, page in pages.items():
        assert page["status"] == 200, name
        assert page["queries"] > 0, name
        assert page["baseline_queries"] == 0, f"{name} baseline reads the database"
        assert page["p50_ms"] <= page["p95_ms"], name
        assert page["vs_baseline"] > 0 and page["vs_trivial"] > 0, name
    assert report["scales"]["tiny"]["trivial"]["samples"] >= 3


def test_the_generated_data_has_one_commitment_with_a_tenth_of_the_events(results):
    report, _table = results
    data = report["scales"]["tiny"]["data"]
    assert data == {
        "commitments": 20,
        "events": 2000,
        "event_history_rows": 2000,
        "heavy_commitment_events": 200,
    }


def test_the_csv_export_streams_the_published_events(results):
    report, _table = results
    csv = report["scales"]["tiny"]["csv"]
    assert csv["status"] == 200
    assert 0 < csv["rows"] <= 2000
    assert csv["rows_per_second"] > 0
    assert csv["peak_mb"] >= 0


def test_served_throughput_covers_the_board_with_and_without_conditional_get(results):
    report, _table = results
    served = report["scales"]["tiny"]["served"]
    assert set(served) == {"trivial", "board_conditional", "board_cold"}
    for run in served.values():
        assert {"requests_per_second", "ok", "not_modified", "errors"} <= set(run)
    assert served["trivial"]["ok"] > 0, served
    assert served["board_conditional"]["not_modified"] > 0, served
    assert served["board_conditional"]["errors"] == 0, served


def test_the_sweep_finds_the_same_due_set_whatever_the_table_size(results):
    report, _table = results
    small, large = report["sweep"]["100"], report["sweep"]["1000"]
    assert (small["commitments"], large["commitments"]) == (100, 1000)
    assert small["expired"] == large["expired"] == 5
    assert small["sent"] == large["sent"] > 0
    assert small["queries"] == large["queries"]


def test_every_target_is_checked_and_printed(results):
    report, table = results
    names = [target["name"] for target in report["targets"]]
    assert names == [
        "board queries (tiny)",
        "commitment page queries (tiny)",
        "board time / in-memory baseline (tiny)",
        "commitment page time / in-memory baseline (tiny)",
        "conditional board rate / trivial view rate (tiny)",
        "sweep time at 1,000 / at 100 commitments",
    ]
    for name in names:
        assert name in table
