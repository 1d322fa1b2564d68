"""The bench runs end to end at a tiny scale and reports every measurement.

The bench is not a test: it measures, and its figures depend on the machine.
This only checks that it still runs against the current code, on the
database the suite runs on, and that its report leaves nothing out.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.search import SEARCHES

ROOT = Path(__file__).resolve().parent.parent
# Two web nodes are measured only when they can share everything.
SHARED_STATE = bool(os.environ.get("REDIS_URL")) and os.environ.get("DATABASE_URL", "").startswith(
    "postgres"
)
# A PostgreSQL run measures the board and the commitment page on SQLite too, to compare.
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
# With Redis, the board is also served while the shared cache is flushed every second.
WITH_REDIS = bool(os.environ.get("REDIS_URL"))
PAGES = {
    "board",
    "commitment",
    "changelog",
    "api_list",
    "atom_feed",
    "commitment_feed",
    "icalendar",
    "party",
    "search",
    "as_of_board",
    "as_of_known_board",
}

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="served throughput is measured with wrk; `make bench` installs it",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory, worker_id):
    """The bench's report and printed table, from one run for the whole test run.

    The bench takes minutes. With the suite spread over several processes
    (pytest-xdist), this module's tests may run in more than one of them, and
    each process would run the bench again; the first to ask runs it while the
    others wait on a lock in the folder they share, then read what it left.
    """
    folder = _bench_folder(tmp_path_factory, worker_id)
    with (folder.parent / "bench-smoke.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "finished.json").exists():
            folder.mkdir(exist_ok=True)
            _run_the_bench(folder)
    finished = json.loads((folder / "finished.json").read_text())
    assert finished["returncode"] == 0, finished["stderr"][-3000:]
    return json.loads((folder / "latest.json").read_text()), finished["stdout"]


def _bench_folder(tmp_path_factory, worker_id) -> Path:
    """The folder of the one bench run, in the temporary folder every process shares."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    return shared / "bench-smoke"


@pytest.fixture
def run_folder(results, tmp_path_factory, worker_id) -> Path:
    return _bench_folder(tmp_path_factory, worker_id)


def _run_the_bench(folder: Path) -> None:
    output = folder / "latest.json"
    suffix = f"-smoke-{os.getpid()}"
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
        "--soak=2",
        "--ledger-entries=3000",
        f"--suffix={suffix}",
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
    outcome = {key: getattr(finished, key) for key in ("returncode", "stdout", "stderr")}
    outcome["suffix"] = suffix
    (folder / "finished.json").write_text(json.dumps(outcome))


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
    # A past day's board, halfway through the history, beside today's from the same run.
    assert pages["as_of_board"]["url"].startswith("/as-of/")
    assert report["scales"]["tiny"]["as_of_board_vs_board"] > 0


def test_each_search_is_measured_against_the_floor_and_finds_what_the_data_holds(results):
    report, table = results
    measured = report["scales"]["tiny"]["search"]
    searches = measured["searches"]
    assert set(searches) == set(SEARCHES)
    for words, search in searches.items():
        assert search["status"] == 200, words
        assert search["queries"] > 0, words
        assert search["p50_ms"] <= search["p95_ms"], words
        assert f"search {words!r}" in table
    assert searches["energ"]["results"] > 0
    assert searches["kharkiv"]["results"] > 0
    assert searches["енергет"]["results"] == 1
    assert searches["sloviansk"]["results"] == 0
    assert measured["slowest_p50_ms"] == max(s["p50_ms"] for s in searches.values())


def test_the_generated_data_has_one_commitment_with_a_tenth_of_the_events(results):
    report, _table = results
    data = report["scales"]["tiny"]["data"]
    history_rows = data.pop("event_history_rows")
    assert data == {"commitments": 20, "events": 2000, "heavy_commitment_events": 200}
    # Each claim's creation, and for about one claim in twenty a later check.
    assert 2000 + 50 <= history_rows <= 2000 + 150


def test_the_csv_export_streams_the_published_events(results):
    report, _table = results
    csv = report["scales"]["tiny"]["csv"]
    assert csv["status"] == 200
    assert 0 < csv["rows"] <= 2000
    assert csv["rows_per_second"] > 0
    assert csv["raw_rows_per_second"] > 0
    assert csv["peak_mb"] >= 0


def test_a_filtered_csv_is_measured_beside_the_whole_file(results):
    report, _text = results
    csv = report["scales"]["tiny"]["csv"]
    filtered = csv["filtered"]
    assert filtered["status"] == 200
    assert "region=" in filtered["query"] and "hxl=1" in filtered["query"]
    assert 0 < filtered["rows"] < csv["rows"]
    assert filtered["rows_per_second"] > 0
    assert filtered["peak_mb"] >= 0


def test_the_import_of_claims_is_measured_in_rows_a_second_and_peak_memory(results):
    report, table = results
    imported = report["scales"]["tiny"]["import"]
    assert imported["rows"] == imported["new"] == 100
    assert imported["refused"] == 0
    assert imported["flagged"] == 100, "every row repeats a claim already recorded"
    assert imported["rows_per_second"] > 0
    assert imported["peak_mb"] >= 0
    assert imported["rows_per_cpu_second"] > 0
    assert imported["tenfold"]["rows"] == imported["tenfold"]["flagged"] == 1000
    assert "Import (dry run): 100 claims" in table
    assert "1,000 claims: peak memory +" in table


def test_served_throughput_covers_the_board_with_and_without_conditional_get(results):
    report, _table = results
    served = report["scales"]["tiny"]["served"]
    runs = {"trivial", "board_conditional", "board_cold", "commitment_16"}
    assert set(served) == (runs | {"board_flushed"} if WITH_REDIS else runs)
    for run in served.values():
        assert {"requests_per_second", "ok", "not_modified", "errors"} <= set(run)
    assert served["trivial"]["ok"] > 0, served
    assert served["board_conditional"]["not_modified"] > 0, served
    assert served["board_conditional"]["errors"] == 0, served
    assert served["commitment_16"]["ok"] > 0, served
    for first_visits in ("board_cold", "commitment_16"):
        assert served[first_visits]["trivial_beside"] > 0, served
    if WITH_REDIS:
        assert served["board_flushed"]["flushes"] >= 1, served


def test_a_postgresql_run_measures_the_same_pages_on_sqlite_to_compare(results):
    report, table = results
    measured = report["scales"]["tiny"]
    if not ON_POSTGRESQL:
        assert "sqlite" not in measured
        return
    compared = measured["sqlite"]
    assert set(compared["pages"]) == {"board", "commitment"}
    assert all(page["vs_trivial"] > 0 for page in compared["pages"].values())
    assert "the same run on SQLite" in table


def test_the_commitment_page_is_soaked_and_with_shared_state_served_by_two_nodes(results):
    report, _table = results
    measured = report["scales"]["tiny"]
    assert measured["soak"]["ok"] > 0
    if SHARED_STATE:
        two = measured["two_nodes"]
        assert len(two["nodes"]) == 2 and two["errors"] == 0
        assert two["change_seen_at_once"] is True
        assert set(two["runs"]) == {"trivial", "board_conditional", "board_cold", "commitment_16"}
        assert all(len(run["nodes"]) == 2 for run in two["runs"].values())
        # A one-second run may end before a cold page is ready; the cheap ones always answer.
        assert two["runs"]["trivial"]["ok"] > 0
        assert two["runs"]["board_conditional"]["not_modified"] > 0
    else:
        assert "two_nodes" not in measured


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
    expected = [
        "board HTML bytes (tiny)",
        "commitment page HTML bytes (tiny)",
        "board time / trivial view (tiny)",
        "past day's board time / today's board (tiny)",
        "past day's board as known now time / today's board (tiny)",
        "commitment page time / trivial view (tiny)",
        "search page time / trivial view (tiny)",
        "slowest of 6 searches / trivial view (tiny)",
        "CSV rows/s / raw read of the same rows (tiny)",
        "served board, first visits (200s) / trivial view (tiny)",
        "served commitment page, first visits (200s) / trivial view (tiny)",
    ]
    if WITH_REDIS:
        expected += ["served board, cache flushed every second: errors (tiny)"]
    if ON_POSTGRESQL:
        expected += [
            "board × trivial on PostgreSQL / on SQLite, in-process (tiny)",
            "commitment × trivial on PostgreSQL / on SQLite, in-process (tiny)",
        ]
    expected += [
        "filtered CSV peak memory / the whole file's (tiny)",
        "served commitment page, 16 connections, / 14.6 req/s before (tiny)",
        "served commitment page errors (tiny)",
    ]
    if SHARED_STATE:
        expected += [
            "two nodes: commitment page / one node's rate (tiny)",
            "two nodes: errors (tiny)",
            "two nodes: board, first visits (200s) / trivial view (tiny)",
            "two nodes: commitment page, first visits (200s) / trivial view (tiny)",
            "two nodes: board from cold / one node's rate (tiny)",
            "two nodes: conditional board rate / trivial view rate (tiny)",
            "two nodes: a change through one is seen on the other at once (tiny)",
        ]
    expected += [
        "soak: commitment page / twice 14.6 req/s (tiny)",
        "soak: errors (tiny)",
        "board queries (tiny)",
        "commitment page queries (tiny)",
        "board time / in-memory baseline (tiny)",
        "commitment page time / in-memory baseline (tiny)",
        "conditional board rate / trivial view rate (tiny)",
        "sweep time at 1,000 / at 100 commitments",
        "fan-out derive time / raw bulk insert of the same rows (300 subscribers)",
        "fan-out sweep queries, all subscribers − ten subscribers",
        "fan-out delivery rate, 4 workers / 1 worker",
        "fan-out subscribers not reached exactly once (1 worker(s))",
        "fan-out subscribers not reached exactly once (4 worker(s))",
        "fan-out subscribers not reached exactly once (4_killed worker(s))",
        "fan-out delivery rate, 4 workers / 1 worker (20 ms a message, 300 subscribers)",
        "fan-out subscribers not reached exactly once (1 worker(s), 20 ms a message, "
        "300 subscribers)",
        "fan-out subscribers not reached exactly once (4 worker(s), 20 ms a message, "
        "300 subscribers)",
        "import peak memory, 1,000 / 100 claims (tiny)",
    ]
    assert names == expected
    for name in names:
        assert name in table


def test_the_alert_fan_out_reaches_every_subscriber_exactly_once_by_one_and_four_workers(results):
    report, table = results
    fanout = report["fanout"]
    assert fanout["subscribers"] == 300
    derive = fanout["derive"]
    assert derive["alerts"] == 300
    assert derive["alerts_with_ten_subscribers"] == 10
    assert derive["queries"] == derive["queries_with_ten_subscribers"]
    assert derive["raw_insert_seconds"] > 0
    assert set(fanout["runs"]) == {"1", "4", "4_killed"}
    for label, run in fanout["runs"].items():
        assert run["subscribers_reached"] == 300, label
        assert run["each_at_least_once"], label
        assert run["unexpected"] == 0, label
    assert fanout["runs"]["1"]["exactly_once"] and fanout["runs"]["4"]["exactly_once"]
    assert "== alert fan-out: 300 subscribers" in table
    assert "fan-out delivery rate, 4 workers / 1 worker" in table


def test_the_fan_out_is_sent_again_through_a_mail_server_as_slow_as_a_relay(results):
    report, table = results
    relayed = report["fanout"]["at_relay_latency"]
    assert relayed["sink_latency_ms"] == 20
    assert relayed["subscribers"] == 300
    assert set(relayed["runs"]) == {"1", "4"}
    for label, run in relayed["runs"].items():
        assert run["exactly_once"], label
        assert run["subscribers_reached"] == 300, label
    # Each message waits 20 ms on the server: one worker cannot send 300 in under 6 s.
    assert relayed["runs"]["1"]["seconds_to_last"] >= 6
    assert relayed["four_vs_one"] > 1
    assert "through a mail server taking 20 ms a message, 300 subscribers:" in table


def test_the_public_log_is_timed_at_its_size(results):
    report, _table = results
    ledger = report["ledger"]
    assert ledger["entries"] >= 3000
    for key in ("append", "checkpoint", "inclusion_proof", "consistency_proof"):
        assert ledger[key]["p50_ms"] <= ledger[key]["p95_ms"], key
    # A proof reads a row for each level of the tree, and no more.
    assert ledger["inclusion_proof"]["rows_read_at_most"] <= 2 * ledger["entries"].bit_length()


def test_a_run_told_to_drop_its_data_sets_leaves_no_database_behind(run_folder):
    from bench.names import database_name
    from bench.run import DataSets

    suffix = json.loads((run_folder / "finished.json").read_text())["suffix"]
    data_sets = DataSets(suffix)
    if data_sets.is_sqlite:
        left = sorted(path.name for path in run_folder.glob(f"*{suffix}.sqlite3*"))
    else:
        with data_sets.server_connection() as connection:
            rows = connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [database_name(f"bench-%{suffix}")],
            )
            left = [row[0] for row in rows]
    assert left == []
