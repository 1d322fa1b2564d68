"""Every file the README tells staff to import does import, on the command line and in the admin.

The README's commands are read from the README itself, so a file renamed or
broken there fails here. A file may also leave the translation columns out:
its claims are then in English only, marked untranslated.
"""

import datetime as dt
import io
import re
import shlex
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import UserFactory
from tests.intake_support import claim_row, claims_csv
from tracker.models import ComplianceEvent
from tracker.staff.intake.reading import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)
IMPORT_URL = reverse("admin:tracker_complianceevent_import")
CONFIRM_URL = reverse("admin:tracker_complianceevent_process_import")
TRANSLATIONS = ["summary_uk", "summary_ru", "location_uk", "location_ru"]


def readme_imports() -> list[list[str]]:
    """The arguments of each `manage.py import_events` the README shows, dry runs left out."""
    commands = re.findall(r"manage\.py import_events ([^\n#]+)", (ROOT / "README.md").read_text())
    return [shlex.split(c) for c in commands if "--dry-run" not in c]


def files_named(arguments: list[str]) -> list[Path]:
    return [ROOT / a for a in arguments if not a.startswith("-") and "/" in a]


@pytest.fixture
def demo(transactional_db):
    with time_machine.travel(SUMMER_2025, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        yield UserFactory(username="demo-editor", role="Editors")


def test_the_readme_names_files_to_import():
    assert readme_imports(), "the README shows no import_events command"
    for arguments in readme_imports():
        for path in files_named(arguments):
            assert path.is_file(), f"the README names {path.name}, which is missing"


@pytest.mark.parametrize("arguments", readme_imports(), ids=" ".join)
def test_each_file_the_readme_names_imports_on_the_command_line(demo, arguments):
    before = ComplianceEvent.objects.count()
    out = io.StringIO()
    arguments = [str(ROOT / a) if "/" in a else a for a in arguments]
    call_command("import_events", *arguments, stdout=out, stderr=io.StringIO())

    for path in files_named(arguments):
        rows = len(path.read_text(encoding="utf-8-sig").splitlines()) - 1
        assert f"{path.name}: {rows} rows: {rows} new" in out.getvalue()
        assert "0 refused" in out.getvalue()
        assert ComplianceEvent.objects.count() == before + rows


@pytest.mark.parametrize("arguments", readme_imports(), ids=" ".join)
def test_each_file_the_readme_names_imports_in_the_admin_with_a_link_to_its_claims(
    client, demo, arguments
):
    client.force_login(demo)
    for path in files_named(arguments):
        before = set(ComplianceEvent.objects.values_list("pk", flat=True))
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        preview = client.post(IMPORT_URL, {"resource": "0", "format": "0", "import_file": upload})
        assert "0 refused" in preview.content.decode()
        form = preview.context["confirm_form"]
        done = client.post(
            CONFIRM_URL, {name: form[name].value() for name in form.fields}, follow=True
        )

        made = set(ComplianceEvent.objects.values_list("pk", flat=True)) - before
        assert len(made) == len(path.read_text(encoding="utf-8-sig").splitlines()) - 1
        page = done.content.decode()
        link = re.search(r'href="([^"]*id__in=[^"]*)">Show the (\d+) claims it made', page)
        assert link, "the message after the import links to the claims it made"
        assert int(link[2]) == len(made)
        listed = client.get(link[1].replace("&amp;", "&"))
        assert {e.pk for e in listed.context["cl"].result_list} == made
        stored = ComplianceEvent.objects.get(pk=min(made))
        assert stored.summary_uk and stored.summary_ru, "the sample carries its translations"


def test_a_file_without_translation_columns_imports_in_english_only(demo, tmp_path):
    english_only = [c for c in COLUMNS if c not in TRANSLATIONS]
    path = tmp_path / "english.csv"
    path.write_bytes(
        claims_csv(
            claim_row(
                commitment="energy-strike-pause",
                occurred_at="2025-04-04T21:00:00Z",
                location="Kryvyi Rih",
                summary="A strike on a substation, the regional administration said.",
            ),
            columns=english_only,
        )
    )
    out = io.StringIO()
    call_command("import_events", str(path), "--user", "demo-editor", stdout=out)

    assert "english.csv: 1 rows: 1 new" in out.getvalue()
    claim = ComplianceEvent.objects.get(summary__startswith="A strike on a substation")
    assert [getattr(claim, name) for name in TRANSLATIONS] == [None] * 4
    assert claim.location == "Kryvyi Rih"


def test_a_file_missing_an_english_column_is_still_refused(demo, tmp_path):
    path = tmp_path / "short.csv"
    path.write_bytes(claims_csv(claim_row(), columns=[c for c in COLUMNS if c != "location"]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_events", str(path), "--user", "demo-editor", stdout=out, stderr=err)
    assert "missing location" in out.getvalue() + err.getvalue()
    assert not ComplianceEvent.objects.filter(summary__startswith="Drone strike on a substation")
