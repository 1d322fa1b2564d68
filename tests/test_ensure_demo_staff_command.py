"""`manage.py ensure_demo_staff`: demo accounts with known passwords, never in production."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command


def ensure_demo_staff(*args) -> str:
    out = io.StringIO()
    call_command("ensure_demo_staff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"


def logs_in(client, username: str, password: str) -> bool:
    """Log in through the admin's login page, as a person does."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_creates_a_reviewer_and_an_editor_who_can_log_in(db, debug, client):
    ensure_demo_staff()

    reviewer = User.objects.get(username="demo-reviewer")
    editor = User.objects.get(username="demo-editor")
    assert reviewer.is_staff and editor.is_staff
    assert not reviewer.is_superuser and not editor.is_superuser
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert logs_in(client, "demo-reviewer", "demo-reviewer-password")
    client.logout()
    assert logs_in(client, "demo-editor", "demo-editor-password")


def test_prints_where_and_how_to_log_in(db, debug):
    output = ensure_demo_staff()

    assert "http://127.0.0.1:8000/admin/" in output
    assert "username demo-reviewer, password demo-reviewer-password" in output
    assert "username demo-editor, password demo-editor-password" in output


def test_running_twice_changes_nothing(db, debug):
    ensure_demo_staff()
    before = list(User.objects.order_by("pk").values("pk", "password", "is_staff", "last_login"))

    ensure_demo_staff()

    after = list(User.objects.order_by("pk").values("pk", "password", "is_staff", "last_login"))
    assert after == before
    assert Group.objects.get(name="Reviewers").user_set.count() == 1


def test_puts_back_what_someone_changed_on_a_demo_account(db, debug, client):
    ensure_demo_staff()
    reviewer = User.objects.get(username="demo-reviewer")
    reviewer.set_password("something else")
    reviewer.is_active = False
    reviewer.save()
    reviewer.groups.clear()

    ensure_demo_staff()

    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert reviewer.groups.filter(name="Reviewers").exists()
    assert logs_in(client, "demo-reviewer", "demo-reviewer-password")


def test_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        ensure_demo_staff()
    assert not User.objects.exists()


def test_runs_with_debug_off_only_when_forced(db, settings):
    settings.DEBUG = False

    ensure_demo_staff("--force")

    assert User.objects.filter(username="demo-reviewer", is_staff=True).exists()


def test_asks_for_migrations_when_the_roles_are_missing(db, debug):
    Group.objects.filter(name="Editors").delete()

    with pytest.raises(
        CommandError, match="Editors role is missing; run `python manage.py migrate`"
    ):
        ensure_demo_staff()
    assert not User.objects.exists()
