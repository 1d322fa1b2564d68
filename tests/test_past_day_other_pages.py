"""An agreement's and a party's page for any day, in both modes, on the demo."""

import datetime as dt
import re

from tests.test_demo_past import LoadedOnAFreshInstall, text_of
from tracker import public
from tracker.models import Agreement, Commitment, ComplianceEvent, Party

PAUSE = "Pause on strikes against energy infrastructure"
MODES = {"as published then": "", "as known now": "&known=now"}


class TestAnAgreementOnAPastDay(LoadedOnAFreshInstall):
    def setUp(self):
        super().setUp()
        self.pause = Commitment.objects.select_related("agreement").get(slug="energy-strike-pause")
        self.url = self.pause.agreement.get_absolute_url()

    def page(self, day: str, mode: str = "", language: str = "en"):
        return self.client.get(f"{self.url}?as_of={day}{mode}", HTTP_ACCEPT_LANGUAGE=language)

    def test_the_energy_pause_is_listed_in_force_on_1_april_2025_in_both_modes(self):
        for name, mode in MODES.items():
            response = self.page("2025-04-01", mode)
            assert response.status_code == 200, name
            card = text_of(response).split(PAUSE, 1)[1][:600]
            assert "Status: in force" in card, name
            assert "ends in 14 days 21 h" in card, name

    def test_each_mode_names_itself_and_leads_to_the_other(self):
        published = text_of(self.page("2025-04-01"))
        known = text_of(self.page("2025-04-01", "&known=now"))

        assert "The agreement as it stood at the end of 1 April 2025" in published
        assert "As published then:" in published
        assert "See it as known now, with today's record" in published
        assert "As known now:" in known
        assert "See it as published then" in known

    def test_links_to_its_commitments_keep_the_day_and_the_mode(self):
        for name, mode in MODES.items():
            page = self.page("2025-04-01", mode).content.decode()
            assert (
                f"{self.pause.get_absolute_url()}?as_of=2025-04-01{mode}".replace("&", "&amp;")
                in page
            ), name

    def test_an_agreement_not_yet_made_is_a_404_in_both_modes(self):
        later = Agreement.objects.filter(held_on__gt="2025-04-01").order_by("held_on").first()
        for name, mode in MODES.items():
            response = self.client.get(f"{later.get_absolute_url()}?as_of=2025-04-01{mode}")
            assert response.status_code == 404, name

    def test_a_malformed_day_is_a_400_saying_how_to_write_one(self):
        response = self.page("yesterday")
        assert response.status_code == 400
        assert "write it as YYYY-MM-DD" in text_of(response)

    def test_an_impossible_day_is_a_400(self):
        response = self.page("2025-02-30")
        assert response.status_code == 400
        assert "There is no day 2025-02-30 in the calendar" in text_of(response)

    def test_a_day_before_the_record_is_a_404_giving_the_range(self):
        response = self.page("1990-01-01")
        assert response.status_code == 404
        assert "2026" in text_of(response)

    def test_today_leads_to_the_live_page(self):
        response = self.page("2026-12-06")
        assert response.status_code == 302
        assert response["Location"].startswith(self.url)

    def test_an_unknown_mode_is_a_400_with_words(self):
        response = self.page("2025-04-01", "&known=yesterday")
        assert response.status_code == 400
        assert "is not a way of showing a past day" in text_of(response)

    def test_the_page_in_ukrainian_is_in_ukrainian(self):
        response = self.page("2025-04-01", language="uk")
        assert response.status_code == 200
        assert "The agreement as it stood" not in text_of(response)


class TestAPartyOnAPastDay(LoadedOnAFreshInstall):
    END_OF_DAY = dt.datetime(2025, 4, 2, tzinfo=dt.UTC)

    def setUp(self):
        super().setUp()
        self.party = Party.objects.get(slug="russia")
        self.url = self.party.get_absolute_url()

    def page(self, day: str, mode: str = ""):
        return self.client.get(f"{self.url}?as_of={day}{mode}")

    def claims_made(self, response) -> int:
        return int(re.search(r"What it claims \((\d+) claims?\)", text_of(response)).group(1))

    def test_as_published_it_counts_only_the_claims_published_by_the_day(self):
        published = (
            ComplianceEvent.history.filter(
                claimant=self.party, is_published=True, history_date__lt=self.END_OF_DAY
            )
            .values("id")
            .distinct()
            .count()
        )
        response = self.page("2025-04-01")

        assert response.status_code == 200
        assert self.claims_made(response) == published
        assert published < public.events().filter(claimant=self.party).count()

    def test_as_known_now_it_counts_the_claims_reported_by_the_day(self):
        reported = public.events().filter(claimant=self.party, occurred_at__lt=self.END_OF_DAY)

        response = self.page("2025-04-01", "&known=now")

        assert response.status_code == 200
        assert self.claims_made(response) == reported.count()
        assert "The end of 1 April 2025, as known now" in text_of(response)

    def test_the_pause_binds_it_in_force_and_its_link_keeps_the_day(self):
        pause = Commitment.objects.get(slug="energy-strike-pause").get_absolute_url()
        for name, mode in MODES.items():
            response = self.page("2025-04-01", mode)
            page = response.content.decode()
            assert f"{pause}?as_of=2025-04-01{mode}".replace("&", "&amp;") in page, name
            row = text_of(response).split(PAUSE, 1)[1][:120]
            assert "in force" in row, name

    def test_bad_days_and_modes_are_refused_with_words(self):
        assert self.page("2025-13-01").status_code == 400
        assert self.page("1990-01-01").status_code == 404
        assert self.page("2026-12-06").status_code == 302
        assert self.page("2025-04-01", "&known=then").status_code == 400


class TestLinksInsideAPastPageKeepTheDayAndTheMode(LoadedOnAFreshInstall):
    def test_the_board_links_its_agreements_and_parties_on_the_same_day(self):
        pause = Commitment.objects.select_related("agreement").get(slug="energy-strike-pause")
        russia = Party.objects.get(slug="russia").get_absolute_url()
        for name, mode in MODES.items():
            page = self.client.get(f"/as-of/2025-04-01/?{mode.lstrip('&')}").content.decode()
            kept = f"?as_of=2025-04-01{mode}".replace("&", "&amp;")
            assert f"{pause.agreement.get_absolute_url()}{kept}" in page, name
            assert f"{russia}{kept}" in page, name

    def test_a_commitment_links_its_agreement_on_the_same_day(self):
        pause = Commitment.objects.select_related("agreement").get(slug="energy-strike-pause")
        for name, mode in MODES.items():
            page = self.client.get(f"{pause.get_absolute_url()}?as_of=2025-04-01{mode}")
            kept = f"?as_of=2025-04-01{mode}".replace("&", "&amp;")
            assert f"{pause.agreement.get_absolute_url()}{kept}" in page.content.decode(), name


class TestTheRegionsOnAPastDay(LoadedOnAFreshInstall):
    END_OF_DAY = dt.datetime(2025, 4, 2, tzinfo=dt.UTC)

    def total(self, response) -> int:
        return int(re.search(r"(\d+) published claims?", text_of(response)).group(1))

    def test_as_published_the_map_counts_the_claims_published_by_the_day(self):
        published = (
            ComplianceEvent.history.filter(is_published=True, history_date__lt=self.END_OF_DAY)
            .values("id")
            .distinct()
            .count()
        )
        response = self.client.get("/regions/?as_of=2025-04-01")

        assert response.status_code == 200
        assert self.total(response) == published
        assert "Claims by region as they stood at the end of 1 April 2025" in text_of(response)

    def test_as_known_now_the_map_counts_the_claims_reported_by_the_day(self):
        reported = public.events().filter(occurred_at__lt=self.END_OF_DAY).count()

        response = self.client.get("/regions/?as_of=2025-04-01&known=now")

        assert response.status_code == 200
        assert self.total(response) == reported
        assert self.total(response) < public.events().count()
        assert "The end of 1 April 2025, as known now" in text_of(response)

    def test_the_tiles_and_a_regions_claims_keep_the_day_and_the_mode(self):
        code = (
            ComplianceEvent.history.filter(is_published=True, history_date__lt=self.END_OF_DAY)
            .exclude(region="")
            .values_list("region", flat=True)
            .first()
        )
        for name, mode in MODES.items():
            kept = f"?as_of=2025-04-01{mode}".replace("&", "&amp;")
            page = self.client.get(f"/regions/?as_of=2025-04-01{mode}").content.decode()
            assert f'href="/regions/{code}/{kept}"' in page, name
            region = self.client.get(f"/regions/{code}/?as_of=2025-04-01{mode}")
            assert region.status_code == 200, name
            assert f"{kept}#event-" in region.content.decode(), name
