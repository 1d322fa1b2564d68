"""Time zones are chosen from the IANA list, the parties' zones first, on every admin form."""

import zoneinfo

import pytest
from django.urls import reverse

from tests.factories import CommitmentFactory, CommitmentPartyFactory, PartyFactory, ReadingFactory
from tracker.models import Party, Reading


@pytest.fixture
def parties(db):
    return {
        "russia": PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow"),
        "ukraine": PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv"),
        "usa": PartyFactory(name="United States", slug="usa", time_zone="America/New_York"),
    }


@pytest.fixture
def pause(parties):
    commitment = CommitmentFactory(title="Easter truce", slug="easter-truce")
    CommitmentPartyFactory(commitment=commitment, party=parties["russia"])
    CommitmentPartyFactory(commitment=commitment, party=parties["ukraine"])
    return commitment


def zone_groups(response):
    """[(group label, [zone, …]), …] as the time zone list offers them."""
    field = response.context["adminform"].form.fields["time_zone"]
    return [(label, [zone for zone, _ in zones]) for label, zones in field.choices]


def test_a_readings_time_zone_lists_its_commitments_parties_first(client, editor, pause):
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_reading_add") + f"?commitment={pause.pk}")

    groups = zone_groups(response)
    assert groups[0] == ("Zones of this commitment's parties", ["Europe/Kyiv", "Europe/Moscow"])
    assert groups[1] == ("Zones of other parties", ["America/New_York"])
    assert groups[2][0] == "Every zone"
    assert set(groups[2][1]) == zoneinfo.available_timezones() - {"localtime", "Factory"}
    assert '<option value="Europe/Moscow">Europe/Moscow (Russia)</option>' in response.text


def test_a_stored_readings_list_follows_its_own_commitment(client, editor, pause):
    reading = ReadingFactory(commitment=pause, time_zone="Europe/Moscow")
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_reading_change", args=[reading.pk]))

    assert zone_groups(response)[0][1] == ["Europe/Kyiv", "Europe/Moscow"]
    assert '<option value="Europe/Moscow" selected>Europe/Moscow (Russia)</option>' in (
        response.text
    )


def test_a_partys_time_zone_lists_every_partys_zone_first(client, editor, parties):
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_party_add"))

    groups = zone_groups(response)
    assert groups[0] == (
        "Zones of the parties",
        ["America/New_York", "Europe/Kyiv", "Europe/Moscow"],
    )
    assert groups[1][0] == "Every zone"


def test_the_list_is_searchable_and_says_how_to_search_it(client, editor, parties):
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_party_add"))

    assert 'class="time-zone-choice"' in response.text
    assert "tracker/admin/time-zones.js" in response.text
    assert "admin/js/vendor/select2/select2.full" in response.text
    assert "Search by city or region, e.g. Moscow or Kyiv." in response.text


def test_a_zone_chosen_from_the_list_is_saved(client, editor, pause):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_party_add"),
        {
            "name_en": "Vatican",
            "slug": "vatican",
            "kind": "state",
            "time_zone": "Europe/Vatican",
            "reason": "Offered to host talks",
        },
    )

    assert response.status_code == 302
    assert Party.objects.get(slug="vatican").time_zone == "Europe/Vatican"


@pytest.mark.parametrize("typed", ["Moscow", "europe/moscow", "localtime", "Mars/Olympus"])
def test_a_name_that_is_not_on_the_list_is_refused_with_the_clocks_message(
    client, editor, pause, typed
):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_reading_add"),
        {
            "commitment": pause.pk,
            "label_en": "Kremlin's count",
            "time_zone": typed,
            "precision": "day",
            "starts_at_0": "2025-04-19",
            "starts_at_1": "18:00",
            "reason": "Kremlin readout",
        },
    )

    assert response.status_code == 200
    assert f"“{typed}” is not an IANA time zone name." in response.text
    assert not Reading.objects.exists()
