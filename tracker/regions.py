"""Regions: ISO 3166-2 codes for where a claim is placed and what a commitment covers.

One pure module, with no database: the regions of the countries concerned
(Ukraine's oblasts, cities and Crimea; Russia's subjects), each region's name
in English, Ukrainian and Russian, and the one rule every door applies to a
code (the models' validators, the admin's choices, the import, the write API).

The codes and the names are pycountry's, from the ISO 3166-2 standard as the
Debian iso-codes project keeps it; the translations are iso-codes' own gettext
catalogues (``pycountry.LOCALES_DIR``), read with ``gettext``. A name that a
catalogue does not translate (several Russian subjects in Russian, for one)
is given in English, the standard's romanised name.

For the regions on the map, ``COMMON_NAMES`` gives the names the press uses
("Sumy Oblast" rather than the standard's "Sumska oblast") and the Russian
names the catalogue lacks; the standard's own names stay known as aliases, so
free text in either form still finds its region.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import get_language

# The countries whose regions claims and commitments may name.
COUNTRIES = ("UA", "RU")
LANGUAGES = ("en", "uk", "ru")
CATALOGUE = "iso3166-2"

# code: {language: name}, over the standard's names where these read better.
COMMON_NAMES: dict[str, dict[str, str]] = {
    "RU-BEL": {"en": "Belgorod Oblast", "ru": "Белгородская область"},
    "RU-BRY": {"en": "Bryansk Oblast", "ru": "Брянская область"},
    "RU-KDA": {"en": "Krasnodar Krai", "ru": "Краснодарский край"},
    "RU-KRS": {"en": "Kursk Oblast", "ru": "Курская область"},
    "RU-LIP": {"en": "Lipetsk Oblast", "ru": "Липецкая область"},
    "RU-ROS": {"en": "Rostov Oblast", "ru": "Ростовская область"},
    "RU-SAR": {"en": "Saratov Oblast", "ru": "Саратовская область"},
    "RU-SMO": {"en": "Smolensk Oblast", "ru": "Смоленская область"},
    "RU-VOR": {"en": "Voronezh Oblast"},
    "UA-05": {"en": "Vinnytsia Oblast"},
    "UA-07": {"en": "Volyn Oblast"},
    "UA-09": {"en": "Luhansk Oblast"},
    "UA-12": {"en": "Dnipropetrovsk Oblast"},
    "UA-14": {"en": "Donetsk Oblast"},
    "UA-18": {"en": "Zhytomyr Oblast"},
    "UA-21": {"en": "Zakarpattia Oblast"},
    "UA-23": {"en": "Zaporizhzhia Oblast"},
    "UA-26": {"en": "Ivano-Frankivsk Oblast"},
    "UA-32": {"en": "Kyiv Oblast"},
    "UA-35": {"en": "Kirovohrad Oblast"},
    "UA-43": {"en": "Autonomous Republic of Crimea"},
    "UA-46": {"en": "Lviv Oblast"},
    "UA-48": {"en": "Mykolaiv Oblast", "ru": "Николаевская область"},
    "UA-51": {"en": "Odesa Oblast"},
    "UA-53": {"en": "Poltava Oblast"},
    "UA-56": {"en": "Rivne Oblast"},
    "UA-59": {"en": "Sumy Oblast"},
    "UA-61": {"en": "Ternopil Oblast"},
    "UA-63": {"en": "Kharkiv Oblast"},
    "UA-65": {"en": "Kherson Oblast"},
    "UA-68": {"en": "Khmelnytskyi Oblast"},
    "UA-71": {"en": "Cherkasy Oblast"},
    "UA-74": {"en": "Chernihiv Oblast"},
    "UA-77": {"en": "Chernivtsi Oblast"},
}


# Russia's other subjects as the English and Russian press name them; the standard gives
# GOST romanisations ("Amurskaya oblast'") and its Russian catalogue lacks many.
PRESS_NAMES_RU = {
    "RU-AD": ("Republic of Adygea", "Республика Адыгея"),
    "RU-AL": ("Altai Republic", "Республика Алтай"),
    "RU-ALT": ("Altai Krai", "Алтайский край"),
    "RU-AMU": ("Amur Oblast", "Амурская область"),
    "RU-ARK": ("Arkhangelsk Oblast", "Архангельская область"),
    "RU-AST": ("Astrakhan Oblast", "Астраханская область"),
    "RU-BA": ("Bashkortostan", "Республика Башкортостан"),
    "RU-BU": ("Buryatia", "Республика Бурятия"),
    "RU-CE": ("Chechnya", "Чеченская Республика"),
    "RU-CHE": ("Chelyabinsk Oblast", "Челябинская область"),
    "RU-CHU": ("Chukotka", "Чукотский автономный округ"),
    "RU-CU": ("Chuvashia", "Чувашская Республика"),
    "RU-DA": ("Dagestan", "Республика Дагестан"),
    "RU-IN": ("Ingushetia", "Республика Ингушетия"),
    "RU-IRK": ("Irkutsk Oblast", "Иркутская область"),
    "RU-IVA": ("Ivanovo Oblast", "Ивановская область"),
    "RU-KAM": ("Kamchatka Krai", "Камчатский край"),
    "RU-KB": ("Kabardino-Balkaria", "Кабардино-Балкарская Республика"),
    "RU-KC": ("Karachay-Cherkessia", "Карачаево-Черкесская Республика"),
    "RU-KEM": ("Kemerovo Oblast", "Кемеровская область"),
    "RU-KGD": ("Kaliningrad Oblast", "Калининградская область"),
    "RU-KGN": ("Kurgan Oblast", "Курганская область"),
    "RU-KHA": ("Khabarovsk Krai", "Хабаровский край"),
    "RU-KHM": ("Khanty-Mansi Autonomous Okrug", "Ханты-Мансийский автономный округ"),
    "RU-KIR": ("Kirov Oblast", "Кировская область"),
    "RU-KK": ("Khakassia", "Республика Хакасия"),
    "RU-KL": ("Kalmykia", "Республика Калмыкия"),
    "RU-KLU": ("Kaluga Oblast", "Калужская область"),
    "RU-KO": ("Komi Republic", "Республика Коми"),
    "RU-KOS": ("Kostroma Oblast", "Костромская область"),
    "RU-KR": ("Karelia", "Республика Карелия"),
    "RU-KYA": ("Krasnoyarsk Krai", "Красноярский край"),
    "RU-LEN": ("Leningrad Oblast", "Ленинградская область"),
    "RU-MAG": ("Magadan Oblast", "Магаданская область"),
    "RU-ME": ("Mari El", "Республика Марий Эл"),
    "RU-MO": ("Mordovia", "Республика Мордовия"),
    "RU-MOS": ("Moscow Oblast", "Московская область"),
    "RU-MOW": ("Moscow", "Москва"),
    "RU-MUR": ("Murmansk Oblast", "Мурманская область"),
    "RU-NEN": ("Nenets Autonomous Okrug", "Ненецкий автономный округ"),
    "RU-NGR": ("Novgorod Oblast", "Новгородская область"),
    "RU-NIZ": ("Nizhny Novgorod Oblast", "Нижегородская область"),
    "RU-NVS": ("Novosibirsk Oblast", "Новосибирская область"),
    "RU-OMS": ("Omsk Oblast", "Омская область"),
    "RU-ORE": ("Orenburg Oblast", "Оренбургская область"),
    "RU-ORL": ("Oryol Oblast", "Орловская область"),
    "RU-PER": ("Perm Krai", "Пермский край"),
    "RU-PNZ": ("Penza Oblast", "Пензенская область"),
    "RU-PRI": ("Primorsky Krai", "Приморский край"),
    "RU-PSK": ("Pskov Oblast", "Псковская область"),
    "RU-RYA": ("Ryazan Oblast", "Рязанская область"),
    "RU-SA": ("Yakutia", "Республика Саха (Якутия)"),
    "RU-SAK": ("Sakhalin Oblast", "Сахалинская область"),
    "RU-SAM": ("Samara Oblast", "Самарская область"),
    "RU-SE": ("North Ossetia", "Республика Северная Осетия — Алания"),
    "RU-SPE": ("Saint Petersburg", "Санкт-Петербург"),
    "RU-STA": ("Stavropol Krai", "Ставропольский край"),
    "RU-SVE": ("Sverdlovsk Oblast", "Свердловская область"),
    "RU-TA": ("Tatarstan", "Республика Татарстан"),
    "RU-TAM": ("Tambov Oblast", "Тамбовская область"),
    "RU-TOM": ("Tomsk Oblast", "Томская область"),
    "RU-TUL": ("Tula Oblast", "Тульская область"),
    "RU-TVE": ("Tver Oblast", "Тверская область"),
    "RU-TY": ("Tuva", "Республика Тыва"),
    "RU-TYU": ("Tyumen Oblast", "Тюменская область"),
    "RU-UD": ("Udmurtia", "Удмуртская Республика"),
    "RU-ULY": ("Ulyanovsk Oblast", "Ульяновская область"),
    "RU-VGG": ("Volgograd Oblast", "Волгоградская область"),
    "RU-VLA": ("Vladimir Oblast", "Владимирская область"),
    "RU-VLG": ("Vologda Oblast", "Вологодская область"),
    "RU-VOR": ("Voronezh Oblast", "Воронежская область"),
    "RU-YAN": ("Yamalo-Nenets Autonomous Okrug", "Ямало-Ненецкий автономный округ"),
    "RU-YAR": ("Yaroslavl Oblast", "Ярославская область"),
    "RU-YEV": ("Jewish Autonomous Oblast", "Еврейская автономная область"),
    "RU-ZAB": ("Zabaykalsky Krai", "Забайкальский край"),
}
# Where the Ukrainian catalogue names another region than the code's.
PRESS_NAMES_RU_UK = {"RU-KYA": "Красноярський край", "RU-SA": "Республіка Саха (Якутія)"}
for _code, (_english, _russian) in PRESS_NAMES_RU.items():
    COMMON_NAMES.setdefault(_code, {}).setdefault("en", _english)
    COMMON_NAMES[_code].setdefault("ru", _russian)
for _code, _ukrainian in PRESS_NAMES_RU_UK.items():
    COMMON_NAMES[_code]["uk"] = _ukrainian


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    names: dict[str, str]
    # Other names free text may give it: the standard's, where a common name replaced it.
    aliases: tuple[str, ...] = ()

    def name(self, language: str | None = None) -> str:
        """The region's name in ``language`` (the active one by default), or in English."""
        return self.names.get(_language(language)) or self.names["en"]


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0]


@functools.cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@functools.cache
def regions() -> dict[str, Region]:
    """Every region of the countries concerned, by code, in the order of their codes."""
    found = {}
    for country in COUNTRIES:
        for subdivision in sorted(
            pycountry.subdivisions.get(country_code=country), key=lambda s: s.code
        ):
            english = subdivision.name
            standard = {lang: _catalogue(CATALOGUE, lang).gettext(english) for lang in LANGUAGES}
            names = {**standard, **COMMON_NAMES.get(subdivision.code, {})}
            aliases = tuple(sorted(set(standard.values()) - set(names.values())))
            found[subdivision.code] = Region(subdivision.code, country, names, aliases)
    return found


def get(code: str) -> Region | None:
    return regions().get(code)


def name(code: str, language: str | None = None) -> str:
    """The name of the region ``code`` in ``language``; an unknown code is given as it is."""
    region = get(code)
    return region.name(language) if region else code


# The zone a region's clocks keep, for reading a time a source gives there (staff forms).
# Ukraine keeps Kyiv time and most of Russia Moscow time; these keep another.
ZONES = {"UA-40": "Europe/Simferopol", "UA-43": "Europe/Simferopol", "RU-KGD": "Europe/Kaliningrad"}
ZONES |= dict.fromkeys(["RU-SAM", "RU-UD"], "Europe/Samara")
ZONES |= {"RU-AST": "Europe/Astrakhan", "RU-SAR": "Europe/Saratov", "RU-ULY": "Europe/Ulyanovsk"}
ZONES |= {"RU-VGG": "Europe/Volgograd", "RU-OMS": "Asia/Omsk", "RU-NVS": "Asia/Novosibirsk"}
ZONES |= dict.fromkeys(
    ["RU-BA", "RU-CHE", "RU-KGN", "RU-ORE", "RU-PER", "RU-SVE", "RU-TYU", "RU-KHM", "RU-YAN"],
    "Asia/Yekaterinburg",
)
ZONES |= {"RU-TOM": "Asia/Tomsk", "RU-KEM": "Asia/Novokuznetsk"}
ZONES |= dict.fromkeys(["RU-ALT", "RU-AL"], "Asia/Barnaul")
ZONES |= dict.fromkeys(["RU-KYA", "RU-KK", "RU-TY"], "Asia/Krasnoyarsk")
ZONES |= dict.fromkeys(["RU-IRK", "RU-BU"], "Asia/Irkutsk")
ZONES |= dict.fromkeys(["RU-SA", "RU-AMU"], "Asia/Yakutsk")
ZONES |= dict.fromkeys(["RU-PRI", "RU-KHA", "RU-YEV"], "Asia/Vladivostok")
ZONES |= {"RU-ZAB": "Asia/Chita", "RU-SAK": "Asia/Sakhalin", "RU-MAG": "Asia/Magadan"}
ZONES |= dict.fromkeys(["RU-KAM", "RU-CHU"], "Asia/Kamchatka")
COUNTRY_ZONES = {"UA": "Europe/Kyiv", "RU": "Europe/Moscow"}


def time_zone(code: str) -> str | None:
    """The IANA zone of the region ``code``, or None for a code that is no region here."""
    region = get(code)
    if region is None:
        return None
    return ZONES.get(code) or COUNTRY_ZONES[region.country]


def is_known(code: str) -> bool:
    return code in regions()


def unknown_code_message(code: str) -> str:
    return (
        f"Unknown region code “{code}”: give an ISO 3166-2 code of a region of "
        f"{' or '.join(COUNTRIES)}, e.g. UA-59 (Sumy oblast) or RU-KRS (Kursk oblast)."
    )


def validate_region_code(value: str) -> None:
    """Refuse anything but the code of a known region, saying which code was wrong."""
    if value and not is_known(value):
        # The message is complete: no params, so a "%" in the value is never read as a format.
        raise ValidationError(unknown_code_message(value), code="unknown_region")


def validate_region_codes(values) -> None:
    """Refuse a list of codes unless it is a list of distinct known region codes."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError("Give the regions as a list of ISO 3166-2 codes.", code="invalid")
    unknown = [v for v in values if not is_known(v)]
    if unknown:
        raise ValidationError(unknown_code_message(unknown[0]), code="unknown_region")
    if len(set(values)) != len(values):
        raise ValidationError("Give each region once.", code="repeated_region")


def country_name(country: str, language: str | None = None) -> str:
    """A country's name (ISO 3166-1 alpha-2 code) in ``language``, or in English."""
    english = pycountry.countries.get(alpha_2=country).name
    return _catalogue("iso3166-1", _language(language)).gettext(english)


def choices(language: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The regions as grouped choices, by country, each by its name in ``language``."""
    grouped = []
    for country in COUNTRIES:
        members = [r for r in regions().values() if r.country == country]
        members.sort(key=lambda r: sort_key(r.name(language)))
        grouped.append(
            (
                country_name(country, language),
                [(r.code, f"{r.name(language)} ({r.code})") for r in members],
            )
        )
    return grouped


def sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold()


def parse_list(text: str, separator: str = ";") -> list[str]:
    """Codes written in one cell or field ("UA-59; RU-KRS"), trimmed, empties dropped."""
    return [part.strip() for part in text.split(separator) if part.strip()]


# Matching free text to a region -------------------------------------------------------

# Words that say what kind of region a name is, in the three languages, left out
# when a free text is compared with the names ("Kursk region", "Курська область").
GENERIC_WORDS = {
    "oblast",
    "oblast'",
    "region",
    "province",
    "kray",
    "krai",
    "область",
    "обл",
    "обл.",
    "край",
    "регіон",
    "регион",
}


def _words(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("ʼ", "'")
    words = re.split(r"[\s,]+", text.strip())
    return tuple(w for w in words if w and w not in GENERIC_WORDS)


@functools.cache
def _names_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    for region in regions().values():
        for text in {region.code.casefold(), *region.names.values(), *region.aliases}:
            index.setdefault(_words(text), region.code)
    index.pop((), None)
    return index


def match(text: str) -> str | None:
    """The code of the one region ``text`` names (a code, or a name in any language), or None.

    "UA-59", "Sumska oblast", "Сумська область" and "Сумская область" all give
    UA-59. A text naming several regions, or a place within one, gives None.
    """
    if not text or not text.strip():
        return None
    if is_known(text.strip().upper()):
        return text.strip().upper()
    return _names_index().get(_words(text))


def match_any(texts: Iterable[str]) -> str | None:
    """The region the first matching text names, trying each (one per language) in turn."""
    for text in texts:
        code = match(text or "")
        if code:
            return code
    return None
