"""The message table and number formatting (analyzer/i18n)."""

import pytest

from analyzer import i18n


def test_dutch_numbers_use_a_decimal_comma_and_a_thousands_point():
    assert i18n.pct(0.033) == "3,3%"
    assert i18n.pct(0.033, "en") == "3.3%"
    assert i18n.number(1234.5, "nl") == "1.234,5"
    assert i18n.number(1234.5, "en") == "1,234.5"


def test_percentage_points_carry_a_sign_and_zero_has_none():
    assert i18n.pp(-0.016) == "−1,6 pp"
    assert i18n.pp(0.043, "en") == "+4.3 pp"
    assert i18n.pp(0.0001) == "±0,0 pp"
    assert i18n.pct(float("nan")) == "–"


def test_every_message_has_dutch_and_formats_in_both_languages():
    for key, texts in i18n.catalogue().items():
        assert "nl" in texts, key
        for lang in i18n.LANGUAGES:
            text = texts.get(lang, texts["nl"])
            assert text.strip(), (key, lang)


def test_unknown_language_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="nl, en"):
        i18n.check_language("de")
