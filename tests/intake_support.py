"""Files of claims for the import tests: rows with the columns of the open-data events.csv."""

import csv
import io

from tracker.staff.intake.reading import COLUMNS


def claim_row(**cells) -> dict:
    """One claim as a row of events.csv; any column may be given, the rest are typical."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        commitment="energy-pause",
        kind="alleged_violation",
        claimant="ukraine",
        accused="russia",
        occurred_at="2025-04-02T06:00:00Z",
        precision="hour",
        summary="Drone strike on a substation in Kharkiv region",
        source_urls="https://mod.example.org/daily/2025-04-02",
    )
    row.update(cells)
    return row


def claims_csv(*rows: dict, columns=COLUMNS, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode(encoding)
