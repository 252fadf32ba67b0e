"""Dates and names as Ukrainians write them."""

from __future__ import annotations

import datetime as dt


def date_ua(day: dt.date | None) -> str:
    """21.11.2026"""
    return day.strftime("%d.%m.%Y") if day else ""


def short_name(surname: str, given_name: str, patronymic: str = "") -> str:
    """Шевченко Т. Г."""
    initials = " ".join(f"{part[0]}." for part in (given_name, patronymic) if part)
    return f"{surname} {initials}".strip()


def full_name(surname: str, given_name: str, patronymic: str = "") -> str:
    """Шевченко Тарас Григорович"""
    return " ".join(part for part in (surname, given_name, patronymic) if part)


# The national Ukrainian romanisation (Cabinet of Ministers resolution 55 of 2010),
# simplified: є, ї, й, ю, я are written the same in every position. Russian letters too,
# for the Russian profile.
_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "h",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ж": "zh",
        "з": "z",
        "и": "y",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ь": "",
        "ю": "iu",
        "я": "ia",
        "ы": "y",
        "э": "e",
        "ё": "e",
        "ъ": "",
        "'": "",
        "’": "",
        "ʼ": "",
    }
)


def transliterate(text: str) -> str:
    """Latin letters for logins and e-mail addresses: Гнатюк → hnatiuk."""
    return text.lower().translate(_TRANSLIT)
