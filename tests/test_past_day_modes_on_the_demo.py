"""The demo's past in both modes: as published then, and as known now (``?known=now``)."""

from django.urls import reverse

from tests.test_demo_past import LoadedOnAFreshInstall, text_of
from tracker.models import Commitment

PAUSE = "Pause on strikes against energy infrastructure"
MODES = {"as published then": "", "as known now": "known=now"}


class TestTheDemosPastInBothModes(LoadedOnAFreshInstall):
    def board(self, day: str, mode: str):
        return self.client.get(f"{reverse('as_of_board', args=[day])}?{mode}")

    def page(self, slug: str, day: str, mode: str):
        return self.client.get(f"/commitments/{slug}/?as_of={day}&{mode}")

    def test_the_energy_pause_is_in_force_on_1_april_2025_with_its_countdown(self):
        for name, mode in MODES.items():
            response = self.board("2025-04-01", mode)
            assert response.status_code == 200, name
            card = text_of(response).split(PAUSE, 1)[1][:600]
            assert "Status: in force" in card, name
            assert "ends in 14 days 21 h" in card, name

    def test_its_page_on_1_april_2025_counts_down_in_both_modes(self):
        for name, mode in MODES.items():
            response = self.page("energy-strike-pause", "2025-04-01", mode)
            assert response.status_code == 200, name
            page = text_of(response)
            assert "Status: in force" in page.split("Readings of the terms")[0], name
            assert "Period ends in 14 days 21 h" in page, name

    def test_an_exchange_is_absent_the_day_before_it_and_fulfilled_on_its_day(self):
        title = Commitment.objects.get(slug="exchange-2025-05-06").title
        for name, mode in MODES.items():
            before = self.page("exchange-2025-05-06", "2025-05-05", mode)
            on_the_day = self.page("exchange-2025-05-06", "2025-05-06", mode)
            assert before.status_code == 404, name
            assert on_the_day.status_code == 200, name
            assert "Status: fulfilled" in text_of(on_the_day), name
            assert title not in text_of(self.board("2025-05-05", mode)), name
            assert title in text_of(self.board("2025-05-06", mode)), name

    def test_the_page_as_known_now_shows_the_timeline_and_the_deliveries_then(self):
        page = self.page("exchange-2025-05-06", "2025-05-06", "known=now").content.decode()

        assert 'id="deliveries"' in page
        assert "Timeline of the readings" in text_of(
            self.page("energy-strike-pause", "2025-04-01", "")
        )

    def test_each_mode_names_itself_and_leads_to_the_other(self):
        published = text_of(self.board("2025-04-01", ""))
        known = text_of(self.board("2025-04-01", "known=now"))

        assert "As published then:" in published
        assert "See it as known now, with today's record" in published
        assert "As known now:" in known
        assert "See it as published then" in known
