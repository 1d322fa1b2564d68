"""The regions rule: ISO 3166-2 codes of Ukraine and Russia, their names, and their checks."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import CommitmentFactory, ComplianceEventFactory
from tracker import regions
from tracker.site import region_grid


def test_regions_are_the_iso_codes_of_ukraine_and_russia_with_names_in_three_languages():
    sumy = regions.get("UA-59")

    assert (sumy.name("en"), sumy.name("uk"), sumy.name("ru")) == (
        "Sumy Oblast",
        "Сумська область",
        "Сумская область",
    )
    assert regions.get("RU-KRS").name("uk") == "Курська область"
    assert {region.country for region in regions.regions().values()} == {"UA", "RU"}


def test_every_region_is_named_as_the_press_names_it_not_by_its_romanisation():
    for region in regions.regions().values():
        english, russian = region.name("en"), region.name("ru")
        assert "'" not in english and ", Respublika" not in english, english
        assert not any("a" <= letter <= "z" for letter in russian.lower()), russian
    assert regions.get("RU-AMU").name("en") == "Amur Oblast"
    assert regions.get("RU-TVE").name("ru") == "Тверская область"
    assert regions.get("RU-KYA").name("uk") == "Красноярський край"


def test_the_standards_names_still_find_their_region():
    assert regions.match("Amurskaya oblast'") == "RU-AMU"


def test_a_regions_clocks_are_those_of_its_zone():
    assert regions.time_zone("UA-59") == "Europe/Kyiv"
    assert regions.time_zone("RU-KRS") == "Europe/Moscow"
    assert regions.time_zone("RU-KGD") == "Europe/Kaliningrad"
    assert regions.time_zone("UA-43") == "Europe/Simferopol"
    assert regions.time_zone("XX-1") is None


def test_the_regions_on_the_map_have_the_names_the_press_uses():
    kursk = regions.get("RU-KRS")

    assert (kursk.name("en"), kursk.name("uk"), kursk.name("ru")) == (
        "Kursk Oblast",
        "Курська область",
        "Курская область",
    )
    assert regions.get("UA-48").name("ru") == "Николаевская область"
    assert all(regions.get(code).name("ru").isascii() is False for code in region_grid.TILES)


def test_the_name_follows_the_active_language():
    from django.utils import translation

    with translation.override("uk"):
        assert regions.name("UA-65") == "Херсонська область"


def test_unknown_region_code_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        regions.validate_region_code("XX-99")

    assert refused.value.messages[0].startswith("Unknown region code “XX-99”")


def test_a_list_of_regions_must_hold_known_codes_each_once():
    regions.validate_region_codes(["UA-59", "RU-KRS"])
    for bad in (["UA-59", "XX-99"], ["UA-59", "UA-59"], "UA-59", [59]):
        with pytest.raises(ValidationError):
            regions.validate_region_codes(bad)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("UA-59", "UA-59"),
        ("ru-krs", "RU-KRS"),
        ("Sumska oblast", "UA-59"),
        ("Курська область", "RU-KRS"),
        ("Сумская обл.", "UA-59"),
        ("Kharkivska oblast", "UA-63"),
        ("Kharkiv Oblast", "UA-63"),
        ("Kurskaya oblast'", "RU-KRS"),
        ("Kursk region", "RU-KRS"),
        ("Donetsk and Sumy regions", None),
        ("15 regions", None),
        ("", None),
    ],
)
def test_free_text_matches_a_region_only_when_it_names_exactly_one(text, code):
    assert regions.match(text) == code


def test_every_tile_of_the_map_is_a_known_region_in_a_square_of_its_own():
    assert all(regions.is_known(code) for code in region_grid.TILES)
    assert len(set(region_grid.TILES.values())) == len(region_grid.TILES)
    ukraine = {code for code in regions.regions() if code.startswith("UA-")}
    assert ukraine <= set(region_grid.TILES)


def test_an_event_with_an_unknown_region_code_does_not_validate(db):
    event = ComplianceEventFactory.build(
        commitment=CommitmentFactory(), claimant=None, accused=None, region="XX-99"
    )

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert "Unknown region code “XX-99”" in refused.value.message_dict["region"][0]


def test_a_commitment_with_an_unknown_region_code_does_not_validate(db):
    commitment = CommitmentFactory.build(
        agreement=CommitmentFactory().agreement, slug="kherson", regions=["UA-65", "ZZ-1"]
    )

    with pytest.raises(ValidationError) as refused:
        commitment.full_clean()

    assert "Unknown region code “ZZ-1”" in refused.value.message_dict["regions"][0]


def test_a_commitments_regions_are_kept_in_its_history(db, reviewer):
    from tracker import services

    commitment = CommitmentFactory(regions=["UA-51"])
    commitment.regions = ["UA-51", "UA-48"]
    services.save_record(commitment, actor=reviewer, reason="Mykolaiv's ports too")

    latest = commitment.history.latest()
    assert (latest.regions, latest.history_change_reason) == (
        ["UA-51", "UA-48"],
        "Mykolaiv's ports too",
    )


def test_a_code_with_a_percent_sign_is_refused_like_any_other():
    with pytest.raises(ValidationError) as refused:
        regions.validate_region_code("UA-%!s")

    assert refused.value.messages[0].startswith("Unknown region code “UA-%!s”")
