"""Factories for test data. They write through the ORM for speed; tests of the
rules themselves go through ``tracker.services``."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from tracker.models import (
    Agreement,
    Category,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    EventKind,
    Party,
    Reading,
    Source,
)
from tracker.roles import ensure_staff_roles

UTC = dt.UTC


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """``UserFactory(role="Reviewers")`` puts the user in that group.

        The roles come from a data migration, which a transactional test's
        flush removes; they are put back first so test order does not matter.
        """
        if create and extracted:
            if not Group.objects.filter(name=extracted).exists():
                ensure_staff_roles()
            self.groups.add(Group.objects.get(name=extracted))


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Party {n}")
    slug = factory.Sequence(lambda n: f"party-{n}")
    time_zone = "UTC"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("url",)

    url = factory.Sequence(lambda n: f"https://news.example.org/article/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Example News"
    language = "en"
    published_on = dt.date(2025, 3, 18)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Round of talks {n}")
    slug = factory.Sequence(lambda n: f"talks-{n}")
    held_on = dt.date(2025, 3, 18)
    is_published = True


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Pause on strikes {n}")
    slug = factory.Sequence(lambda n: f"pause-{n}")
    category = Category.ENERGY
    shape = "window"
    status = "in_force"
    is_published = True


class CommitmentPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentParty

    commitment = factory.SubFactory(CommitmentFactory)
    party = factory.SubFactory(PartyFactory)
    role = CommitmentParty.Role.OBLIGOR


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    commitment = factory.SubFactory(CommitmentFactory)
    label = "Working reading"
    is_working = True
    starts_at = dt.datetime(2025, 3, 18, tzinfo=UTC)
    ends_at = dt.datetime(2025, 4, 17, tzinfo=UTC)
    time_zone = "UTC"
    precision = "day"
    is_published = True


class ComplianceEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceEvent

    commitment = factory.SubFactory(CommitmentFactory)
    kind = EventKind.ALLEGED_VIOLATION
    claimant = factory.SubFactory(PartyFactory)
    accused = factory.SubFactory(PartyFactory)
    occurred_at = dt.datetime(2025, 3, 19, 2, tzinfo=UTC)
    summary = factory.Sequence(lambda n: f"Drone strike on a substation, report {n}")
    is_published = True
