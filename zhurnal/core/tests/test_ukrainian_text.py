"""Ukrainian text as Ukrainians write it: typographic apostrophes, the same placeholders as
the source, plural forms through ngettext, weekdays in lower case and the right case
mid-sentence."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

from zhurnal.core.dates import weekday_after_for, weekday_mid_sentence

ROOT = Path(__file__).resolve().parents[3]
PO = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("uk", "ru")}
# An ASCII apostrophe between two letters: Ім'я must be Ім’я (U+2019).
ASCII_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
CYRILLIC_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])'(?=[\u0400-\u04ff])")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
SOURCES = ("zhurnal", "templates", "config")


def _translations(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]


def test_ukrainian_translations_use_typographic_apostrophes() -> None:
    offenders = [
        f"{entry.msgid!r}: {text!r}"
        for entry in polib.pofile(str(PO["uk"]))
        for text in _translations(entry)
        if ASCII_APOSTROPHE.search(text)
    ]
    assert not offenders, "write ’ (U+2019), not ', in:\n" + "\n".join(offenders)


def test_ukrainian_source_text_uses_typographic_apostrophes() -> None:
    offenders = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt"} or "tests" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if CYRILLIC_APOSTROPHE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "write ’ (U+2019), not ', in:\n" + "\n".join(offenders)


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_translations_keep_the_placeholders_of_the_source(lang: str) -> None:
    problems = []
    for entry in polib.pofile(str(PO[lang])):
        if entry.fuzzy:  # a guess of makemessages; i18ncheck reports it as untranslated
            continue
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in _translations(entry):
            # A singular form may leave out the number ("одна зміна"), never add a name.
            found = set(PLACEHOLDER.findall(text))
            if text and (found - expected or (not entry.msgid_plural and found != expected)):
                problems.append(f"{entry.msgid!r}: {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_plural_forms_header_is_the_three_form_one(lang: str) -> None:
    header = polib.pofile(str(PO[lang])).metadata["Plural-Forms"].replace(" ", "")
    assert header.startswith("nplurals=3;")
    assert "n%10==1&&n%100!=11?0" in header
    assert "n%10>=2&&n%10<=4&&(n%100<10||n%100>=20)?1:2" in header


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "менше ніж 1 учень"),
        (2, "менше ніж 2 учні"),
        (5, "менше ніж 5 учнів"),
        (11, "менше ніж 11 учнів"),
        (21, "менше ніж 21 учень"),
    ],
)
def test_fewer_than_n_students_agrees_with_the_number(count: int, expected: str) -> None:
    with translation.override("uk"):
        text = ngettext("fewer than %(count)s student", "fewer than %(count)s students", count)
        assert text % {"count": count} == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Створено 1 урок."),
        (2, "Створено 2 уроки."),
        (5, "Створено 5 уроків."),
        (11, "Створено 11 уроків."),
        (21, "Створено 21 урок."),
    ],
)
def test_lessons_created_agrees_with_the_number(count: int, expected: str) -> None:
    with translation.override("uk"):
        text = ngettext("%(count)d lesson created.", "%(count)d lessons created.", count)
        assert text % {"count": count} == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 учень"), (2, "2 учні"), (5, "5 учнів"), (11, "11 учнів"), (21, "21 учень")],
)
def test_template_plural_agrees_with_the_number(count: int, expected: str) -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}fewer than {{ counter }} student"
        "{% plural %}fewer than {{ counter }} students{% endblocktranslate %}"
    )
    with translation.override("uk"):
        assert template.render(Context({"n": count})) == f"менше ніж {expected}"


FRIDAY = dt.date(2026, 12, 4)
THURSDAY = dt.date(2026, 12, 3)


def test_weekday_after_for_is_lowercase_accusative() -> None:
    with translation.override("uk"):
        assert weekday_after_for(FRIDAY) == "п’ятницю"
        assert weekday_after_for(dt.date(2026, 12, 2)) == "середу"
        assert weekday_mid_sentence(THURSDAY) == "четвер"
    with translation.override("ru"):
        assert weekday_after_for(FRIDAY) == "пятницу"
    with translation.override("en"):
        assert weekday_after_for(FRIDAY) == "Friday"


def test_homework_heading_names_the_day_in_the_accusative() -> None:
    template = Template(
        "{% load i18n weekdays %}{% blocktranslate with day=d|weekday_for date=d|date:'d.m' %}"
        "Homework for {{ day }}, {{ date }}{% endblocktranslate %}"
    )
    with translation.override("uk"):
        assert template.render(Context({"d": FRIDAY})) == "Домашнє завдання на п’ятницю, 04.12"


def test_standalone_weekday_stays_capitalised() -> None:
    with translation.override("uk"):
        assert Template("{{ d|date:'l' }}").render(Context({"d": FRIDAY})) == "П’ятниця"
