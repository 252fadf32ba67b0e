from __future__ import annotations

import datetime as dt

import pytest

from zhurnal.imports.models import ImportKind
from zhurnal.imports.parsing import header_key, read_sheet
from zhurnal.imports.validation import normalize_phone, parse_class_name, parse_date

from .builders import STUDENT_HEADER, csv_bytes, student


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Ім'я", "ім'я"),
        ("Ім’я", "ім'я"),
        ("Імʼя", "ім'я"),
        ("  ІМ`Я* ", "ім'я"),
        ("Батьки 1:ПІБ", "батьки 1: піб"),
        ("Батьки  1 :  e-mail", "батьки 1: email"),
        ("E-mail", "email"),
    ],
)
def test_headers_compare_without_case_spaces_or_apostrophe_variants(
    written: str, expected: str
) -> None:
    assert header_key(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5-А", (5, "А")),
        ("5А", (5, "А")),
        ("5 а", (5, "А")),
        ("5-A", (5, "А")),  # Latin A
        ("10-B", (10, "В")),  # Latin B looks like Cyrillic В
        ("11–Б", (11, "Б")),
        ("«7-Г»", (7, "Г")),
        (7.0, None),
        ("5-Q", None),
        ("А-5", None),
        ("", None),
    ],
)
def test_class_names_are_normalized_to_cyrillic(written: object, expected: object) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            parse_class_name(written)  # type: ignore[arg-type]
    else:
        assert parse_class_name(written) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("09.03.2015", dt.date(2015, 3, 9)),
        ("9.3.2015", dt.date(2015, 3, 9)),
        ("09/03/2015", dt.date(2015, 3, 9)),
        ("2015-03-09", dt.date(2015, 3, 9)),
        (dt.datetime(2015, 3, 9), dt.date(2015, 3, 9)),  # noqa: DTZ001 - spreadsheets hold naive dates
        (dt.date(2015, 3, 9), dt.date(2015, 3, 9)),
        (42072, dt.date(2015, 3, 9)),  # an Excel serial date
        ("42072", dt.date(2015, 3, 9)),
    ],
)
def test_dates_are_read_as_schools_write_them(written: object, expected: dt.date) -> None:
    assert parse_date(written) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("written", ["31.02.2014", "2015", "завтра", "03.09.15", 12])
def test_impossible_dates_are_refused(written: object) -> None:
    with pytest.raises(ValueError):
        parse_date(written)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("050 123 45 67", "+380501234567"),
        ("+38 (050) 123-45-67", "+380501234567"),
        ("380501234567", "+380501234567"),
        (380501234567, "+380501234567"),
        (380501234567.0, "+380501234567"),
        ("+48 601 234 567", "+48601234567"),
    ],
)
def test_phones_are_stored_in_one_form(written: object, expected: str) -> None:
    assert normalize_phone(written) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("written", ["дзвоніть увечері", "123", "050-123-45-67 або 067"])
def test_text_that_is_not_a_phone_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        normalize_phone(written)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_sniffed(delimiter: str) -> None:
    content = csv_bytes(
        STUDENT_HEADER,
        [student(surname="Ткач", given_name="Ліна, молодша", birth_date="01.01.2015")],
        delimiter=delimiter,
    )
    sheet = read_sheet(content=content, filename="a.csv", kind=ImportKind.STUDENTS)
    assert sheet.rows[0].number == 2
    assert sheet.rows[0].values["given_name"] == "Ліна, молодша"
    assert sheet.rows[0].values["birth_date"] == "01.01.2015"


def test_english_header_aliases_and_blank_rows() -> None:
    content = (
        "Surname,Given name,Date of birth,Sex,Class,Guardian 1 email\r\n"
        "Ткач,Ліна,01.01.2015,f,5-А,lina.mama@family.test\r\n"
        ",,,,,\r\n"
        "Ткач,Олег,01.01.2013,m,7-Б,\r\n"
    ).encode()
    sheet = read_sheet(content=content, filename="A.CSV", kind=ImportKind.STUDENTS)
    assert [row.number for row in sheet.rows] == [2, 4]
    assert sheet.rows[0].values["guardian1_email"] == "lina.mama@family.test"
