"""The bench: build the data sets, measure everything, print a table, write JSON.

    python -m bench.run                      # what `make bench` runs
    python -m bench.run --reuse              # keep data sets built by an earlier run
    python -m bench.run --scales tiny --sweep-sizes 100,1000 --due 10 --load-seconds 1

SQLite by default; with DATABASE_URL set to a PostgreSQL server, every data
set is a database of its own on that server (bench_full, bench_small, …).
Each measurement runs in a fresh process pointed at its data set, so none
shares a cache, a connection or a heap with another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url

from bench import report, served
from bench.names import database_name

ROOT = Path(__file__).resolve().parent.parent
# Claims imported at each scale: ten times more from one to the next, so the
# peak memory of each shows whether it grows with the file.
IMPORT_ROWS = {"tiny": 100, "small": 10_000, "full": 100_000}
# Ten times as many, in one data set, so that memory is compared in one run at
# each scale (full scale compares itself with small instead).
IMPORT_TENFOLD_ROWS = {"tiny": 1_000, "small": 100_000}
# Subscribers of the one commitment that expires, in the alert fan-out: a whole audience
# at the small and the full scale, a few hundred at the tiny one the suite runs.
FANOUT_SUBSCRIBERS = {"tiny": 300, "small": 100_000, "full": 100_000}
# The fan-out again, with a mail server that takes as long over each message as a relay on
# the same network does (its round trip and its disk), to a smaller audience: with a sink
# that answers at once, each worker's CPU is the limit, and on a machine of few cores more
# workers cannot send faster however little they wait on each other.
RELAY_LATENCY_MS = 20
RELAY_SUBSCRIBERS = {"tiny": 300, "small": 2_000, "full": 2_000}
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"


class DataSets:
    """Where the bench databases live, and how to start one afresh.

    ``embedded`` data sets are SQLite files measured with the local-memory
    cache, whatever ``DATABASE_URL`` and ``REDIS_URL`` say: what a PostgreSQL
    run compares itself with.
    """

    def __init__(self, suffix: str, embedded: bool = False):
        self.suffix = suffix
        self.embedded = embedded
        self.server = (
            dj_database_url.parse("sqlite:///unused")
            if embedded
            else dj_database_url.config(default="sqlite:///unused")
        )
        self.is_sqlite = self.server["ENGINE"].endswith("sqlite3")
        self.sqlite_dir = Path(os.environ.get("BENCH_SQLITE_DIR", ROOT / "var"))

    @property
    def backend(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    def name(self, label: str) -> str:
        return f"bench-{label}{self.suffix}"

    def env(self, name: str) -> dict:
        inherited = dict(os.environ)
        if self.embedded:
            inherited.pop("DATABASE_URL", None)
            inherited.pop("REDIS_URL", None)
        return {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE": name,
            "BENCH_SQLITE_DIR": str(self.sqlite_dir),
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
        }

    def marker(self, name: str) -> Path:
        return self.sqlite_dir / f"{name}.{self.backend}.json"

    def server_connection(self, database: str = "postgres"):
        """A connection to one database of the PostgreSQL server (by default its own, where
        databases are made)."""
        import psycopg

        server = self.server
        return psycopg.connect(
            dbname=database,
            host=server["HOST"] or None,
            port=server["PORT"] or None,
            user=server["USER"] or None,
            password=server["PASSWORD"] or None,
            autocommit=True,
        )

    def drop(self, name: str, create_again: bool = False) -> None:
        """Remove a data set; ``create_again``: leave an empty database in its place
        (PostgreSQL; a SQLite file is made by its first connection)."""
        self.marker(name).unlink(missing_ok=True)
        if self.is_sqlite:
            for ending in ("", "-wal", "-shm"):
                (self.sqlite_dir / f"{name}.sqlite3{ending}").unlink(missing_ok=True)
            return
        with self.server_connection() as connection:
            database = database_name(name)
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if create_again:
                connection.execute(f'CREATE DATABASE "{database}"')

    def analyze(self, name: str) -> None:
        """Gather PostgreSQL's planner statistics, as autovacuum does in production.

        The data set is written in one go and measured at once, before autovacuum
        would get to it (and some servers run with it off): without statistics the
        planner guesses every table's size, which no production database does.
        """
        if self.is_sqlite:
            return
        with self.server_connection(database_name(name)) as connection:
            connection.execute("ANALYZE")

    def build(self, name: str, arguments: list[str], reuse: bool) -> float:
        """Generate a data set unless ``reuse`` and the same one is there; returns its seconds."""
        marker = self.marker(name)
        if reuse and marker.exists():
            built = json.loads(marker.read_text())
            if built["arguments"] == arguments:
                print(f"  reusing {name} (built in {built['seconds']:.0f} s)", file=sys.stderr)
                self.analyze(name)
                return built["seconds"]
        self.drop(name, create_again=True)
        self.sqlite_dir.mkdir(parents=True, exist_ok=True)
        print(f"  building {name}", file=sys.stderr)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", "generate_bench_data", *arguments],
            cwd=ROOT,
            env=self.env(name),
            check=True,
        )
        seconds = round(time.monotonic() - started, 1)
        self.analyze(name)
        marker.write_text(json.dumps({"arguments": arguments, "seconds": seconds}))
        return seconds


def run_json(module: str, arguments: list[str], env: dict) -> dict:
    """Run ``python -m module`` in the bench environment and read the JSON it prints."""
    output = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", module, *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# The pages whose cost over the trivial view PostgreSQL must keep within 1.5× of SQLite's.
COMPARED_PAGES = ["board", "commitment"]
# What a run measures at each scale, and after them; all of it unless ``--parts`` says less.
PARTS = ["pages", "csv", "import", "served", "fanout"]


def run(options) -> dict:
    data_sets = DataSets(options.suffix)
    embedded = DataSets(options.suffix, embedded=True)
    results: dict = {
        "meta": {
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": data_sets.backend,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_generator": "wrk, 2 threads, 8 connections (16 for the commitment page)",
            "cache": "redis" if os.environ.get("REDIS_URL") else "local memory",
            "load_seconds": options.load_seconds,
            "command": "python -m bench.run " + " ".join(sys.argv[1:]),
        },
        "scales": {},
        "sweep": {},
        "fanout": {},
    }
    for scale in options.scales:
        name = data_sets.name(scale)
        print(f"== {scale}", file=sys.stderr)
        seconds = data_sets.build(name, ["--scale", scale], options.reuse)
        env = data_sets.env(name)
        timing = ["--repeat", str(options.repeat), "--budget", str(options.budget)]
        compared = None
        parts = options.parts
        only = ["--only", ",".join(options.pages)] if options.pages else []
        if not data_sets.is_sqlite and "pages" in parts:
            # Right before PostgreSQL's own, so both ratios come from the same minutes.
            print(f"  {', '.join(COMPARED_PAGES)} on SQLite, to compare", file=sys.stderr)
            embedded.build(name, ["--scale", scale], options.reuse)
            compared = run_json(
                "bench.pages", [*timing, "--only", ",".join(COMPARED_PAGES)], embedded.env(name)
            )
        measured: dict = {"generation_seconds": seconds}
        if "pages" in parts:
            print("  pages", file=sys.stderr)
            measured.update(run_json("bench.pages", [*timing, *only], env))
        if "csv" in parts:
            print("  CSV export", file=sys.stderr)
            csv = run_json("bench.csv_export", [], env)
            print("  filtered CSV export", file=sys.stderr)
            csv["filtered"] = run_json("bench.csv_export", ["--filtered"], env)
            measured["csv"] = csv
        if "import" in parts:
            print(f"  import of {IMPORT_ROWS[scale]:,} claims", file=sys.stderr)
            imported = run_json("bench.import_claims", ["--rows", str(IMPORT_ROWS[scale])], env)
            if scale in IMPORT_TENFOLD_ROWS:
                rows = IMPORT_TENFOLD_ROWS[scale]
                print(f"  import of {rows:,} claims, for its memory", file=sys.stderr)
                imported["tenfold"] = run_json("bench.import_claims", ["--rows", str(rows)], env)
            measured["import"] = imported
        if "served" in parts:
            print("  served throughput", file=sys.stderr)
            measured["served"] = served.measure(env, options.load_seconds)
        results["scales"][scale] = measured
        if compared is not None:
            results["scales"][scale]["sqlite"] = compared
        if "served" in parts and served.shares_state(env):
            print("  two web nodes", file=sys.stderr)
            results["scales"][scale]["two_nodes"] = served.two_nodes(env, options.load_seconds)
        if options.soak and scale == options.scales[-1]:
            print(f"  soak for {options.soak} s", file=sys.stderr)
            results["scales"][scale]["soak"] = served.soak(env, options.soak)
    for size in options.sweep_sizes:
        name = data_sets.name(f"sweep-{size}")
        print(f"== sweep over {size:,} commitments", file=sys.stderr)
        # Always afresh: which windows are due depends on when they were made.
        data_sets.build(
            name, ["--sweep", "--commitments", str(size), "--due", str(options.due)], reuse=False
        )
        results["sweep"][str(size)] = run_json(
            "bench.sweep",
            ["--repeat", str(options.repeat), "--budget", str(options.budget)],
            data_sets.env(name),
        )
    if options.scales and "fanout" in options.parts:
        subscribers = options.fanout_subscribers or max(
            FANOUT_SUBSCRIBERS[scale] for scale in options.scales
        )
        name = data_sets.name("fanout")
        print(f"== alert fan-out to {subscribers:,} subscribers", file=sys.stderr)
        data_sets.build(name, ["--sweep", "--commitments", "10", "--due", "2"], reuse=False)
        results["fanout"] = run_json(
            "bench.fanout", ["--subscribers", str(subscribers)], data_sets.env(name)
        )
        relayed = max(RELAY_SUBSCRIBERS[scale] for scale in options.scales)
        print(f"== the same to {relayed:,}, {RELAY_LATENCY_MS} ms a message", file=sys.stderr)
        data_sets.build(name, ["--sweep", "--commitments", "10", "--due", "2"], reuse=False)
        results["fanout"]["at_relay_latency"] = run_json(
            "bench.fanout",
            [
                *("--subscribers", str(relayed)),
                *("--sink-latency-ms", str(RELAY_LATENCY_MS)),
                *("--runs", "1,4"),
            ],
            data_sets.env(name),
        )
    if options.ledger_entries:
        name = data_sets.name("ledger")
        print(f"== the public log at {options.ledger_entries:,} entries", file=sys.stderr)
        if not options.reuse:
            data_sets.drop(name, create_again=True)
        results["ledger"] = run_json(
            "bench.ledger", ["--entries", str(options.ledger_entries)], data_sets.env(name)
        )
    results["targets"] = [target.as_dict() for target in report.targets(results)]
    if options.drop_after:
        sweeps = [f"sweep-{size}" for size in options.sweep_sizes]
        labels = [*options.scales, *sweeps, *(["fanout"] if options.scales else [])]
        for label in labels + (["ledger"] if options.ledger_entries else []):
            data_sets.drop(data_sets.name(label))
        if not data_sets.is_sqlite:
            for scale in options.scales:
                embedded.drop(embedded.name(scale))
    return results


def number_list(value: str) -> list[int]:
    return [int(item) for item in value.split(",") if item]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scales", type=lambda v: v.split(","), default=["small", "full"])
    parser.add_argument("--sweep-sizes", type=number_list, default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=100, help="windows due in each sweep data set")
    parser.add_argument(
        "--ledger-entries",
        type=int,
        default=1_000_000,
        help="entries of the public log to time appends and proofs at (0: skip)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="repetitions per measurement")
    parser.add_argument("--budget", type=float, default=15, help="seconds per measurement, at most")
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument(
        "--soak",
        type=int,
        default=0,
        help="also keep the commitment page of the last scale under load this long (e.g. 600)",
    )
    parser.add_argument(
        "--fanout-subscribers",
        type=int,
        default=0,
        help="subscribers in the alert fan-out (default: 100,000; 300 at the tiny scale)",
    )
    parser.add_argument(
        "--parts",
        type=lambda v: v.split(","),
        default=PARTS,
        help=f"what to measure (default: all of {','.join(PARTS)}), e.g. pages,served",
    )
    parser.add_argument(
        "--pages",
        type=lambda v: v.split(","),
        default=None,
        help="time these pages alone (default: all), e.g. board,commitment",
    )
    parser.add_argument("--reuse", action="store_true", help="keep data sets already built")
    parser.add_argument("--suffix", default="", help="added to every database name")
    parser.add_argument("--drop-after", action="store_true", help="remove the data sets at the end")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    options = parser.parse_args()

    results = run(options)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2) + "\n")
    print(report.table(results))
    print(f"\nWritten to {options.output}")


if __name__ == "__main__":
    main()
