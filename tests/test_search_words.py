"""Reading a search and finding its words in a text (``tracker.search.words``): no database."""

import pytest

from tracker.search.words import (
    MAX_LENGTH,
    MAX_WORDS,
    QueryError,
    closeness,
    coverage,
    excerpt,
    found_in,
    highlight,
    match_quality,
    read,
)


def test_a_search_is_its_words_lowercased_once_each_in_the_order_given():
    query = read("  Energy PAUSE energy  Енергетичної ")

    assert query.words == ("energy", "pause", "енергетичної")
    assert query.text == "Energy PAUSE energy Енергетичної"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('"energy pause"', ("energy", "pause")),
        ("energ*", ("energ",)),
        ("NEAR(energy pause, 3)", ("near", "energy", "pause", "3")),
        ("energy AND pause OR NOT talks", ("energy", "and", "pause", "or", "not", "talks")),
        ("' OR 1=1 --", ("or", "1")),
        ("energy:* & pause | !talks", ("energy", "pause", "talks")),
        ("Kremlin's count", ("kremlin", "s", "count")),
        ("Black-Sea_navigation", ("black", "sea", "navigation")),
        ("об’єкт", ("об", "єкт")),
    ],
)
def test_nothing_a_reader_types_is_syntax_only_its_letters_and_digits_are_searched(raw, words):
    assert read(raw).words == words


@pytest.mark.parametrize("raw", ["", "   ", "!!!", '"*"', "&|!:*", "-- ;"])
def test_a_search_without_letters_or_digits_has_no_words(raw):
    assert not read(raw)


def test_control_characters_are_spaces():
    query = read("energy\x00pause\x1b[2J\ttalks\u200b")

    assert query.words == ("energy", "pause", "2j", "talks")
    assert "\x00" not in query.text and "\x1b" not in query.text


def test_compatibility_forms_are_read_as_plain_letters():
    assert read("ｅｎｅｒｇｙ ²").words == ("energy", "2")


def test_a_search_too_long_is_refused_before_it_is_read():
    with pytest.raises(QueryError, match=f"at most {MAX_LENGTH} characters long; this one has"):
        read("energy " * 2000)


def test_a_search_of_the_longest_length_is_read():
    assert read("e" * MAX_LENGTH).words == ("e" * MAX_LENGTH,)


def test_a_search_of_too_many_words_is_refused():
    with pytest.raises(QueryError, match=f"at most {MAX_WORDS} words"):
        read(" ".join(f"w{n}" for n in range(MAX_WORDS + 1)))

    assert len(read(" ".join(f"w{n}" for n in range(MAX_WORDS))).words) == MAX_WORDS


def test_a_word_matches_whole_or_as_the_beginning_of_a_word_and_closer_counts_more():
    assert match_quality("energy", "energy") == 1.0
    assert match_quality("energ", "energy") > match_quality("energ", "energetic") > 0.5
    assert match_quality("nergy", "energy") == 0.0
    assert match_quality("energy", "energ") == 0.0


def test_a_word_of_one_letter_matches_itself_only():
    assert match_quality("b", "b") == 1.0
    assert match_quality("b", "black") == 0.0
    assert highlight("Plan B for the Black Sea", ("b",)) == "Plan <mark>B</mark> for the Black Sea"


def test_words_are_found_at_the_beginning_of_a_word_in_any_script():
    assert found_in("Пауза в ударах по енергетичній інфраструктурі", ("енергет",))
    assert found_in("Удары по Энергетической инфраструктуре", ("энерг",))
    assert found_in("Pause on ENERGY strikes", ("energ",))
    assert not found_in("Pause on synergy", ("energ",))


def test_a_word_in_the_title_counts_more_than_in_the_rest():
    in_title = closeness(("energy",), ["Energy pause"], ["Neither side strikes."])
    in_terms = closeness(("energy",), ["Strike pause"], ["No strikes on energy sites."])

    assert in_title > in_terms > 0


def test_a_whole_word_counts_more_than_its_beginning_and_a_closer_beginning_more():
    whole = closeness(("energy",), ["Energy pause"], [])
    begun = closeness(("energ",), ["Energy pause"], [])
    further = closeness(("energ",), ["Energetic pause"], [])

    assert whole > begun > further > 0


def test_the_words_side_by_side_in_a_title_count_more_than_apart():
    together = closeness(("energy", "pause"), ["Energy pause in spring"], [])
    apart = closeness(("energy", "pause"), ["Pause in strikes on energy"], [])

    assert together > apart


def test_a_title_the_search_covers_more_of_comes_first_among_equals():
    whole = coverage(("sudzha",), ["Sudzha"])
    sixth = coverage(("sudzha",), ["Rockets hit the Sudzha gas station"])

    assert (whole, round(sixth, 3)) == (1.0, 0.167)
    assert coverage(("sudzha",), ["Black Sea", "Удар по Суджі", None]) == 0.0


def test_a_record_holding_none_of_the_words_is_not_close_at_all():
    assert closeness(("energy",), ["Black Sea"], ["Navigation", None]) == 0


def test_highlighting_escapes_the_text_and_marks_only_the_words_searched():
    html = highlight('Strike on <script>alert("x")</script> & energy sites', ("energ", "script"))

    assert html == (
        "Strike on &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; "
        "&amp; <mark>energy</mark> sites"
    )


def test_highlighting_marks_words_in_any_script_and_keeps_their_case():
    assert highlight("Удар по Енергетичній мережі", ("енергет",)) == (
        "Удар по <mark>Енергетичній</mark> мережі"
    )


def test_highlighting_marks_nothing_that_only_contains_a_word():
    assert highlight("synergy", ("energ",)) == "synergy"


def test_an_excerpt_is_the_part_of_a_long_text_around_the_first_word_found():
    text = (
        " ".join(f"word{n}" for n in range(100)) + " energy " + " ".join("x" * 5 for _ in range(50))
    )

    cut = excerpt(text, ("energ",), length=10)

    assert cut.startswith("… ") and cut.endswith(" …")
    assert "energy" in cut
    assert len(cut.split()) == 12


def test_a_short_text_is_its_own_excerpt():
    assert excerpt("Energy pause", ("energ",)) == "Energy pause"
