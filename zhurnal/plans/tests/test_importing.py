"""Reading plans from text, pastes and realistic КТП workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from zhurnal.plans.importing import parse_text, parse_xlsx, plan_text


def workbook_bytes(rows: list[list[object]], merges: Sequence[str] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "ktp.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_ukrainian_ktp_with_the_header_on_row_3_and_merged_theme_rows() -> None:
    content = workbook_bytes(
        [
            ["Календарно-тематичне планування з математики, 5 клас"],
            ["І семестр"],
            ["№ з/п", "Дата", "Тема уроку (Зміст навчального матеріалу)", "К-сть год.", "Примітка"],
            ["Тема 1. Натуральні числа (20 год)", None, None, None, None],
            [1, "02.09", "Натуральні числа. Ряд натуральних чисел", 1, ""],
            [2, "03.09", "Порівняння натуральних чисел", "2", ""],
            ["Розділ ІІ. Звичайні дроби", None, None, 12, None],
            [3, None, "Поняття дробу", 1.0, "повторення"],
        ],
        merges=["A1:E1", "A4:E4", "A7:C7"],
    )

    parsed = parse_xlsx(upload(content))

    assert not parsed.errors
    assert [(t.name, t.hours) for t in parsed.themes] == [
        ("Натуральні числа", 20),
        ("Звичайні дроби", 12),
    ]
    assert [(p.title, p.hours) for p in parsed.themes[0].topics] == [
        ("Натуральні числа. Ряд натуральних чисел", 1),
        ("Порівняння натуральних чисел", 2),
    ]
    assert [p.title for p in parsed.themes[1].topics] == ["Поняття дробу"]


def test_a_russian_ktp_with_kol_vo_chasov() -> None:
    content = workbook_bytes(
        [
            ["№ п/п", "Содержание учебного материала", "Кол-во часов", "Дата"],
            [None, "Тема 1. Числа", None, None],
            [1, "Сложение", 2, None],
            [2, "Вычитание", 1, None],
        ]
    )

    parsed = parse_xlsx(upload(content))

    assert [t.name for t in parsed.themes] == ["Числа"]
    assert [(p.title, p.hours) for p in parsed.themes[0].topics] == [
        ("Сложение", 2),
        ("Вычитание", 1),
    ]


def test_a_bad_hours_cell_names_its_row() -> None:
    content = workbook_bytes(
        [["№", "Тема уроку", "К-сть год."], [1, "Дроби", "багато"], [2, "Частини", 1]]
    )

    with translation.override("en"):
        parsed = parse_xlsx(upload(content))

    assert parsed.errors == ["Row 2: «багато» is not a number of hours."]


def test_a_workbook_without_a_header_or_not_a_workbook_is_refused() -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="header"):
        parse_xlsx(upload(workbook_bytes([["a", "b"], ["c", "d"]])))
    with translation.override("en"), pytest.raises(ValidationError, match="not an Excel"):
        parse_xlsx(upload(b"MZ\x90\x00 a program"))
    with translation.override("en"), pytest.raises(ValidationError, match=r"\.xlsx"):
        parse_xlsx(upload(b"text", name="plan.docx"))


def test_a_paste_from_a_document() -> None:
    text = (
        "Тема 1. Дроби (5 год)\n"
        "1. Поняття дробу\n"
        "2\t04.09\tПорівняння дробів\t2\n"
        "3 | Додавання дробів | 1 | \n"
        "\n"
        "# Повторення\n"
        "Розв’язування задач (2 год)\n"
    )

    parsed = parse_text(text)

    assert not parsed.errors
    assert [(t.name, t.hours) for t in parsed.themes] == [("Дроби", 5), ("Повторення", None)]
    assert [(p.title, p.hours) for t in parsed.themes for p in t.topics] == [
        ("Поняття дробу", 1),
        ("Порівняння дробів", 2),
        ("Додавання дробів", 1),
        ("Розв’язування задач", 2),
    ]
    again = parse_text(plan_text(parsed.themes)).themes
    assert [(t.name, t.total_hours, t.topics) for t in again] == [
        (t.name, t.total_hours, t.topics) for t in parsed.themes
    ]


def test_topics_before_a_theme_and_wrong_hours() -> None:
    parsed = parse_text("Вступ\nЗадачі | 99\n")

    assert parsed.themes[0].name == "" and len(parsed.themes[0].topics) == 1
    with translation.override("en"):
        assert parse_text("Вступ\nЗадачі | 0\n").errors == [
            "Row 2: hours must be a whole number from 1 to 40."
        ]
    assert parsed.errors  # 99 hours is refused too
    with translation.override("en"):
        assert parse_text("\n\n").errors == ["No lesson topics were found."]
