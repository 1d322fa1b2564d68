"""The targets the tracker must reach, checked against one run's results, and the table."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Target:
    name: str
    measured: float | None
    limit: float
    unit: str
    at_least: bool = False

    @property
    def passed(self) -> bool:
        if self.measured is None:
            return False
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def _beside(page: dict) -> float:
    """A page's cost over the trivial view timed between its repetitions (or, in older runs,
    before all the pages)."""
    return page.get("vs_trivial_beside") or page["vs_trivial"]


def _beside_trivial(runs: dict, name: str) -> float | None:
    """A first-visit run's rate over the trivial view's on the same servers around it."""
    run = runs.get(name)
    if not run or not run.get("ok") or run.get("errors"):
        return None
    trivial = run.get("trivial_beside") or runs["trivial"]["requests_per_second"]
    return _ratio(run["requests_per_second"], trivial)


# The served rate of the commitment page before its page and summaries were
# made light: 14.6 requests a second with 16 connections, on this machine.
COMMITMENT_SERVED_BEFORE = 14.6
# Readers with no ETag yet, the many a headline sends: served from the shared cache at
# least half as fast as a view that does nothing.
FIRST_VISITS = [("board", "board_cold"), ("commitment page", "commitment_16")]
FIRST_VISITS_VS_TRIVIAL = 0.5


def targets(results: dict) -> list[Target]:
    found: list[Target] = []
    scales = results["scales"]
    for scale, measured in scales.items():
        found += _scale_targets(scale, measured)
    sweeps = results["sweep"]
    if len(sweeps) >= 2:
        sizes = sorted(sweeps, key=int)
        smallest, largest = sweeps[sizes[0]], sweeps[sizes[-1]]
        found.append(
            Target(
                f"sweep time at {int(sizes[-1]):,} / at {int(sizes[0]):,} commitments",
                _ratio(largest["p50_ms"], smallest["p50_ms"]),
                1.5,
                "×",
            )
        )
    found += fanout_targets(results.get("fanout") or {})
    if len(scales) >= 2 and all("csv" in measured for measured in scales.values()):
        names = list(scales)
        small, full = scales[names[0]]["csv"], scales[names[-1]]["csv"]
        found.append(
            Target(
                f"CSV export peak memory, {names[-1]} / {names[0]}",
                _ratio(full["peak_mb"], small["peak_mb"]),
                1.2,
                "×",
            )
        )
        first, last = scales[names[0]].get("import"), scales[names[-1]].get("import")
        if first and last:
            found.append(
                Target(
                    f"import peak memory, {last['rows']:,} / {first['rows']:,} claims",
                    _ratio(max(last["peak_mb"], 1), max(first["peak_mb"], 1)),
                    1.5,
                    "×",
                )
            )
    return found + import_targets(results)


def _page_targets(scale: str, measured: dict, pages: dict) -> list[Target]:
    """The board's and the commitment page's weight and time, and the searches'."""
    found: list[Target] = []
    found += [
        Target(f"board HTML bytes ({scale})", pages["board"]["bytes"], 150_000, "bytes"),
        Target(
            f"commitment page HTML bytes ({scale})",
            pages["commitment"]["bytes"],
            200_000,
            "bytes",
        ),
        Target(f"board time / trivial view ({scale})", pages["board"]["vs_trivial"], 500, "×"),
        # A past day's board is rebuilt from the history tables, within twice today's.
        Target(
            f"past day's board time / today's board ({scale})",
            measured.get("as_of_board_vs_board"),
            2,
            "×",
        ),
        # The same day as known now: today's records as they applied then.
        Target(
            f"past day's board as known now time / today's board ({scale})",
            measured.get("as_of_known_board_vs_board"),
            2,
            "×",
        ),
        Target(
            f"commitment page time / trivial view ({scale})",
            pages["commitment"]["vs_trivial"],
            500,
            "×",
        ),
        Target(
            f"search page time / trivial view ({scale})",
            pages["search"]["vs_trivial"] if "search" in pages else None,
            500,
            "×",
        ),
        Target(
            f"slowest of {len(measured.get('search', {}).get('searches', {}))} searches "
            f"/ trivial view ({scale})",
            measured["search"]["slowest_vs_trivial"] if "search" in measured else None,
            500,
            "×",
        ),
    ]
    return found


def _scale_targets(scale: str, measured: dict) -> list[Target]:
    """The targets of one scale, for what the run measured there (``--parts``)."""
    found: list[Target] = []
    pages = measured.get("pages", {})
    csv = measured.get("csv")
    served = measured.get("served", {})
    if "board" in pages and "commitment" in pages:
        found += _page_targets(scale, measured, pages)
    if csv:
        found.append(
            Target(
                f"CSV rows/s / raw read of the same rows ({scale})",
                _ratio(csv["rows_per_second"], csv.get("raw_rows_per_second")),
                0.3,
                "×",
                at_least=True,
            )
        )
    if served:
        found += [
            Target(
                f"served {label}, first visits (200s) / trivial view ({scale})",
                _beside_trivial(served, run),
                FIRST_VISITS_VS_TRIVIAL,
                "×",
                at_least=True,
            )
            for label, run in FIRST_VISITS
        ]
    if "board_flushed" in served:
        found.append(
            Target(
                f"served board, cache flushed every second: errors ({scale})",
                served["board_flushed"]["errors"],
                0,
                "errors",
            )
        )
    if "sqlite" in measured and pages:
        for page in measured["sqlite"]["pages"]:
            found.append(
                Target(
                    f"{page} × trivial on PostgreSQL / on SQLite, in-process ({scale})",
                    _ratio(
                        _beside(pages[page]),
                        _beside(measured["sqlite"]["pages"][page]),
                    ),
                    1.5,
                    "×",
                )
            )
    filtered = (csv or {}).get("filtered")
    if filtered:
        found.append(
            Target(
                f"filtered CSV peak memory / the whole file's ({scale})",
                _ratio(filtered["peak_mb"], csv["peak_mb"]),
                1.2,
                "×",
            )
        )
    commitment = served.get("commitment_16")
    if commitment:
        found += [
            Target(
                f"served commitment page, 16 connections, / {COMMITMENT_SERVED_BEFORE} "
                f"req/s before ({scale})",
                _ratio(commitment["requests_per_second"], COMMITMENT_SERVED_BEFORE),
                10,
                "×",
                at_least=True,
            ),
            Target(f"served commitment page errors ({scale})", commitment["errors"], 0, "errors"),
        ]
    if "two_nodes" in measured:
        two = measured["two_nodes"]
        found += [
            Target(
                f"two nodes: commitment page / one node's rate ({scale})",
                _ratio(two["requests_per_second"], commitment["requests_per_second"]),
                0.9,
                "×",
                at_least=True,
            ),
            Target(f"two nodes: errors ({scale})", two["errors"], 0, "errors"),
        ]
        runs = two.get("runs", {})
        if "trivial" in runs:
            found += [
                Target(
                    f"two nodes: {label}, first visits (200s) / trivial view ({scale})",
                    _beside_trivial(runs, run),
                    FIRST_VISITS_VS_TRIVIAL,
                    "×",
                    at_least=True,
                )
                for label, run in FIRST_VISITS
                if run in runs
            ]
        if "board_cold" in runs:
            found.append(
                Target(
                    f"two nodes: board from cold / one node's rate ({scale})",
                    _ratio(
                        runs["board_cold"]["requests_per_second"],
                        measured["served"]["board_cold"]["requests_per_second"],
                    ),
                    0.9,
                    "×",
                    at_least=True,
                )
            )
        if "board_conditional" in runs and "trivial" in runs:
            found.append(
                Target(
                    f"two nodes: conditional board rate / trivial view rate ({scale})",
                    _ratio(
                        runs["board_conditional"]["requests_per_second"],
                        runs["trivial"]["requests_per_second"],
                    ),
                    0.7,
                    "×",
                    at_least=True,
                )
            )
        found += [
            Target(
                f"two nodes: a change through one is seen on the other at once ({scale})",
                1 if two["change_seen_at_once"] else 0,
                1,
                "yes",
                at_least=True,
            ),
        ]
    if "soak" in measured:
        soak = measured["soak"]
        found += [
            Target(
                f"soak: commitment page / twice {COMMITMENT_SERVED_BEFORE} req/s ({scale})",
                _ratio(soak["requests_per_second"], 2 * COMMITMENT_SERVED_BEFORE),
                1,
                "×",
                at_least=True,
            ),
            Target(f"soak: errors ({scale})", soak["errors"], 0, "errors"),
        ]
    if "board" in pages and "commitment" in pages:
        found += [
            Target(f"board queries ({scale})", pages["board"]["queries"], 8, "queries"),
            Target(
                f"commitment page queries ({scale})", pages["commitment"]["queries"], 12, "queries"
            ),
            Target(
                f"board time / in-memory baseline ({scale})", pages["board"]["vs_baseline"], 2, "×"
            ),
            Target(
                f"commitment page time / in-memory baseline ({scale})",
                pages["commitment"]["vs_baseline"],
                2,
                "×",
            ),
        ]
    if served:
        found.append(
            Target(
                f"conditional board rate / trivial view rate ({scale})",
                _ratio(
                    served["board_conditional"]["requests_per_second"],
                    served["trivial"]["requests_per_second"],
                ),
                0.7,
                "×",
                at_least=True,
            )
        )
    return found


# The import of claims: a dry run with duplicates flagged, on the small data set's file.
IMPORT_ROWS_PER_SECOND = 2_000
IMPORT_MEMORY_GROWTH = 1.5


def import_targets(results: dict) -> list[Target]:
    """The import's speed at small scale, and its memory for ten times the rows in one data set."""
    found = []
    for scale, measured in results["scales"].items():
        imported = measured.get("import")
        if not imported:
            continue
        if scale == "small":
            found.append(
                Target(
                    "import rows/s, dry run with duplicates flagged (small)",
                    imported["rows_per_second"],
                    IMPORT_ROWS_PER_SECOND,
                    "rows/s",
                    at_least=True,
                )
            )
        tenfold = imported.get("tenfold")
        if tenfold:
            found.append(
                Target(
                    f"import peak memory, {tenfold['rows']:,} / {imported['rows']:,} claims "
                    f"({scale})",
                    _ratio(max(tenfold["peak_mb"], 1), max(imported["peak_mb"], 1)),
                    IMPORT_MEMORY_GROWTH,
                    "×",
                )
            )
    return found


def fanout_targets(fanout: dict) -> list[Target]:
    """One commitment expiring for a whole audience: derived in bulk, sent by more workers
    faster, and each subscriber reached exactly once, a worker killed or not; then the same
    through a mail server as slow as a relay, where workers that wait on the network rather
    than on a core show whether they also wait on each other."""
    if not fanout:
        return []
    derive = fanout["derive"]
    subscribers = f"{fanout['subscribers']:,} subscribers"
    found = [
        Target(
            f"fan-out derive time / raw bulk insert of the same rows ({subscribers})",
            derive["derive_vs_raw_insert"],
            3,
            "×",
        ),
        Target(
            "fan-out sweep queries, all subscribers − ten subscribers",
            derive["queries"] - derive["queries_with_ten_subscribers"],
            0,
            "queries",
        ),
        *_delivery_targets(fanout),
    ]
    relayed = fanout.get("at_relay_latency")
    if relayed:
        found += _delivery_targets(
            relayed,
            f"{relayed['sink_latency_ms']} ms a message, {relayed['subscribers']:,} subscribers",
        )
    return found


def _delivery_targets(fanout: dict, beside: str = "") -> list[Target]:
    """4 workers against 1, and exactly once in each delivery run; ``beside`` says how the
    runs differ from the plain ones, in the targets' names."""
    return [
        Target(
            "fan-out delivery rate, 4 workers / 1 worker" + (f" ({beside})" if beside else ""),
            fanout["four_vs_one"],
            2.5,
            "×",
            True,
        ),
        *(
            Target(
                f"fan-out subscribers not reached exactly once ({label} worker(s)"
                + (f", {beside})" if beside else ")"),
                run["not_exactly_once"],
                0,
                "subscribers",
            )
            for label, run in fanout["runs"].items()
        ),
    ]


def _delivery_line(label: str, run: dict) -> str:
    return (
        f"{label:>9} worker(s): last delivery after {run['seconds_to_last']:.1f} s, "
        f"{run['messages_per_second'] or 0:.1f} msg/s "
        f"({run['messages_per_second_per_worker'] or 0:.1f} per worker), "
        f"{run['subscribers_reached']:,} reached, exactly once: "
        f"{'yes' if run['exactly_once'] else 'NO'}, "
        f"{run['copies_resent_by_id']} copies resent with the same id"
        + (
            f" ({run['raw_deliveries']:,} delivered at the transport, "
            f"{run['tries_in_doubt']} tries in doubt)"
            if "raw_deliveries" in run
            else ""
        )
    )


def _trivial_beside_text(run: dict) -> str:
    if "trivial_beside" not in run:
        return ""
    return f"; trivial view beside it {run['trivial_beside']:.1f} req/s"


def _pages_table(scale: str, measured: dict) -> list[str]:
    lines = []
    data = measured["data"]
    lines.append(
        f"\n== {scale}: {data['commitments']:,} commitments, {data['events']:,} events "
        f"({data['heavy_commitment_events']:,} on one commitment); "
        f"generated in {measured['generation_seconds']:.0f} s"
    )
    lines.append(
        f"{'page':<18}{'queries':>8}{'p50 ms':>11}{'p95 ms':>11}{'in-memory':>11}"
        f"{'× memory':>10}{'× trivial':>11}"
    )
    trivial = measured["trivial"]
    lines.append(f"{'trivial view':<18}{0:>8}{trivial['p50_ms']:>11.2f}{trivial['p95_ms']:>11.2f}")
    for name, page in measured["pages"].items():
        lines.append(
            f"{name:<18}{page['queries']:>8}{page['p50_ms']:>11.1f}{page['p95_ms']:>11.1f}"
            f"{page['baseline_p50_ms']:>11.1f}{page['vs_baseline']:>10.2f}"
            f"{page['vs_trivial']:>11.0f}"
        )
    for words, search in measured.get("search", {}).get("searches", {}).items():
        lines.append(
            f"search {words!r:<17}{search['queries']:>5} queries{search['p50_ms']:>9.1f} ms p50"
            f"{search['p95_ms']:>9.1f} ms p95{search['vs_trivial']:>8.0f} × trivial, "
            f"{search['results']} results shown"
        )
    return lines


def table(results: dict) -> str:
    lines = []
    for scale, measured in results["scales"].items():
        if "pages" in measured:
            lines += _pages_table(scale, measured)
        else:
            lines.append(f"\n== {scale}")
        csv = measured.get("csv", {})
        if csv:
            lines.append(
                f"CSV export: {csv['rows']:,} rows in {csv['seconds']:.1f} s "
                f"({csv['rows_per_second']:,} rows/s; the same rows read raw: "
                f"{csv.get('raw_rows_per_second', 0):,} rows/s), peak memory +{csv['peak_mb']} MB"
            )
        if "filtered" in csv:
            filtered = csv["filtered"]
            lines.append(
                f"Filtered CSV ({filtered['query']}): {filtered['rows']:,} rows in "
                f"{filtered['seconds']:.2f} s ({filtered['rows_per_second']:,} rows/s), "
                f"peak memory +{filtered['peak_mb']} MB"
            )
        if "import" in measured:
            imported = measured["import"]
            lines.append(
                f"Import (dry run): {imported['rows']:,} claims in {imported['seconds']:.1f} s "
                f"({imported['rows_per_second']:,} rows/s; {imported['flagged']:,} flagged as "
                f"possible duplicates), peak memory +{imported['peak_mb']} MB"
                + (
                    f"; {imported['rows_per_cpu_second']:,} rows a second of its own CPU time"
                    if imported.get("rows_per_cpu_second")
                    else ""
                )
                + (
                    f"; {imported['tenfold']['rows']:,} claims: peak memory "
                    f"+{imported['tenfold']['peak_mb']} MB"
                    if imported.get("tenfold")
                    else ""
                )
            )
        if "sqlite" in measured:
            sqlite = measured["sqlite"]
            lines.append(
                f"the same run on SQLite: trivial view {sqlite['trivial']['p50_ms']:.2f} ms; "
                + "; ".join(
                    f"{name} {page['p50_ms']:.1f} ms, {page['queries']} queries, "
                    f"{_beside(page):.0f} × trivial"
                    for name, page in sqlite["pages"].items()
                )
            )
        if "pages" in measured:
            lines.append(
                f"{'page bytes':<18}"
                + "  ".join(f"{name} {page['bytes']:,}" for name, page in measured["pages"].items())
            )
        runs = dict(measured.get("served", {}))
        if "soak" in measured:
            runs["soak (commitment)"] = measured["soak"]
        for name, run in runs.items():
            lines.append(
                f"served {name:<18} {run['requests_per_second']:>9.1f} req/s  "
                f"{run['ok']} × 200, {run['not_modified']} × 304, {run['errors']} errors, "
                f"p99 {run.get('p99_ms', 0):.0f} ms" + _trivial_beside_text(run)
            )
        if "two_nodes" in measured:
            two = measured["two_nodes"]
            seen = "yes" if two["change_seen_at_once"] else "NO"
            for name, run in two.get("runs", {}).items():
                lines.append(
                    f"two nodes {name:<15} {run['requests_per_second']:>9.1f} req/s  "
                    f"({' + '.join(str(n['requests_per_second']) for n in run['nodes'])}), "
                    f"{run['ok']} × 200, {run['not_modified']} × 304, {run['errors']} errors, "
                    f"p99 {run['p99_ms']:.0f} ms" + _trivial_beside_text(run)
                )
            lines.append(
                f"two web nodes, commitment page: {two['requests_per_second']:.1f} req/s "
                f"({' + '.join(str(n['requests_per_second']) for n in two['nodes'])}), "
                f"{two['errors']} errors; a change through one seen on the other at once: {seen}"
            )
    if results["sweep"]:
        lines.append("\n== alert sweep (same due set, growing table)")
        for size, sweep in results["sweep"].items():
            lines.append(
                f"{int(size):>9,} commitments: p50 {sweep['p50_ms']:.1f} ms, "
                f"p95 {sweep['p95_ms']:.1f} ms, {sweep['queries']} queries, "
                f"{sweep['expired']} expired, {sweep['sent']} sent"
            )
    if results.get("fanout"):
        fanout = results["fanout"]
        derive = fanout["derive"]
        lines.append(
            f"\n== alert fan-out: {fanout['subscribers']:,} subscribers "
            f"({fanout['webhook_subscribers']:,} by webhook), one commitment expires"
        )
        lines.append(
            f"derive {derive['alerts']:,} alerts: {derive['derive_seconds']:.2f} s, "
            f"{derive['queries']} queries ({derive['queries_with_ten_subscribers']} with ten "
            f"subscribers); raw bulk insert of the same rows {derive['raw_insert_seconds']:.2f} s "
            f"({derive['derive_vs_raw_insert']:g} ×)"
        )
        lines.extend(_delivery_line(label, run) for label, run in fanout["runs"].items())
        if "cores" in fanout:
            lines.append(f"(on {fanout['cores']} cores, shared by the workers, SMTP and database)")
        relayed = fanout.get("at_relay_latency")
        if relayed:
            lines.append(
                f"through a mail server taking {relayed['sink_latency_ms']} ms a message, "
                f"{relayed['subscribers']:,} subscribers:"
            )
            lines.extend(_delivery_line(label, run) for label, run in relayed["runs"].items())
    lines.append("\n== targets")
    for target in results["targets"]:
        mark = "pass" if target["passed"] else "MISS"
        measured = "n/a" if target["measured"] is None else f"{target['measured']:g}"
        bound = "at least" if target["at_least"] else "at most"
        lines.append(
            f"[{mark}] {target['name']}: {measured} {target['unit']} ({bound} {target['limit']:g})"
        )
    return "\n".join(lines)
