"""The log's entries are RFC 8785 canonical JSON: one value, one text."""

from tracker.ledger import canonical


def test_keys_are_sorted_and_nothing_is_spaced():
    assert canonical.dumps({"b": [1, None, True], "a": "x"}) == b'{"a":"x","b":[1,null,true]}'


def test_text_in_any_script_is_written_as_utf8_not_escaped():
    assert canonical.dumps({"title": "Пауза «енергетика»"}) == (
        '{"title":"Пауза «енергетика»"}'.encode()
    )


def test_rfc_8785_sorts_keys_by_utf16_code_units():
    # The RFC's own example (3.2.3): keys in several scripts and an emoji.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(canonical.loads(canonical.dumps(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_control_characters_are_escaped_as_the_rfc_says():
    assert canonical.dumps("a\nb\u001f") == b'"a\\nb\\u001f"'
