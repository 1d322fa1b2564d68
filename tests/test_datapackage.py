"""/data/datapackage.json: every file described for machines, and checked by frictionless.

frictionless reads the package and every file it names from the test server,
as a re-user would, and checks each row against its Table Schema: types,
formats, the values a column may hold, required cells, primary and foreign
keys. So the schema and the files cannot drift apart without a test failing.
"""

import pytest
from frictionless import Package, system

from tests.opendata_support import build_record, keep_copies
from tracker.opendata.files import TABLES


@pytest.fixture
def record(transactional_db):
    built = build_record()
    # One source with copies kept, one without: sources.csv holds both kinds of row.
    keep_copies(built["strike"].sources.order_by("pk").first())
    return built


def validate(url: str):
    # The package is on loopback: frictionless refuses remote relative paths unless trusted.
    with system.use_context(trusted=True):
        return Package(url).validate()


def test_the_package_lists_every_file_with_its_schema(client, db):
    build_record()
    package = client.get("/data/datapackage.json").json()

    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert [r["path"] for r in package["resources"]] == [t.filename for t in TABLES.values()]
    for resource, table in zip(package["resources"], TABLES.values(), strict=True):
        assert [f["name"] for f in resource["schema"]["fields"]] == table.header()
        assert resource["schema"]["missingValues"] == [""]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"] and package["contributors"]
    assert "Ceasefire Commitment Tracker" in package["citation"]


def test_the_package_names_the_version_of_the_record_it_describes(client, db):
    record = build_record()
    before = client.get("/data/datapackage.json").json()["version"]

    record["strike"].summary = "Strike on the Sudzha station, corrected"
    record["strike"].save()
    after = client.get("/data/datapackage.json").json()

    assert before.startswith("1.") and after["version"].startswith("1.")
    assert int(after["version"].split(".")[1]) > int(before.split(".")[1])
    assert after["version"] in after["citation"]


def test_every_file_keeps_its_schema_by_frictionless(live_server, record):
    report = validate(f"{live_server.url}/data/datapackage.json")

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name for task in report.tasks} == set(TABLES)
    assert all(task.stats["rows"] > 0 for task in report.tasks if task.name != "deletions")
    assert "sources" in {task.name for task in report.tasks}
