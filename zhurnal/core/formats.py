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
