"""The demo data, loaded once for a module whose tests only read it.

Loading the demo runs every write through the services and the public log, and
takes seconds; a module of tests that each read the same pages of it need not
load it for each test.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# The summer of 2025: every record in the demo file has happened.
SUMMER_2025 = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """What loading the demo printed; loaded in a transaction rolled back after the module.

    Each test's own transaction (pytest-django's ``db``) is a savepoint inside
    it, so whatever one test writes is gone before the next, and the demo stays.
    The demo's file from the field is kept in a folder of the module's own.
    """
    evidence = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path_factory.mktemp("evidence")},
    }
    storages = {**settings.STORAGES, "evidence": evidence}
    loaded_in = transaction.atomic()
    with override_settings(STORAGES=storages), django_db_blocker.unblock(), loaded_in:
        output = io.StringIO()
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)
