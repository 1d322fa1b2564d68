"""Make sure the demo staff accounts exist, so a fresh checkout can be explored at once."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

# Known to everyone who reads this file, which is why the command refuses to
# run with DEBUG off: a demo password must never guard a real database.
DEMO_ACCOUNTS = [
    # (role, username, group, password)
    ("reviewer", "demo-reviewer", "Reviewers", "demo-reviewer-password"),
    ("editor", "demo-editor", "Editors", "demo-editor-password"),
]


class Command(BaseCommand):
    help = (
        "Create or repair the demo staff accounts (a Reviewer and an Editor) with known "
        "passwords, and print how to log in. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never do this on a public server.",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like production: demo accounts with published "
                "passwords are not created here. Use --force only on a private machine."
            )
        with transaction.atomic():
            for _role, username, group_name, password in DEMO_ACCOUNTS:
                self.ensure_account(username, group_name, password)

        self.stdout.write(f"Staff log in at {settings.SITE_URL}{reverse('admin:index')}")
        for role, username, _group_name, password in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role}: username {username}, password {password}")

    def ensure_account(self, username: str, group_name: str, password: str) -> None:
        """Create the account, or put back whatever someone changed, touching nothing else."""
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            raise CommandError(
                f"The {group_name} role is missing; run `python manage.py migrate` first."
            )
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_active": True}
        )
        changed = created
        if not user.is_staff or not user.is_active:
            user.is_staff = user.is_active = True
            changed = True
        if not user.check_password(password):
            user.set_password(password)
            changed = True
        if changed:
            user.save()
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
