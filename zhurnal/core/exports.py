"""Spreadsheets and PDF documents made from the same figures a page shows."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def titled_sheet(
    sheet: Worksheet,
    *,
    title: str,
    subtitle: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]] = (),
) -> None:
    """Fill a sheet the way every Zhurnal spreadsheet looks: a bold title, a subtitle,
    an empty line, bold wrapped headers with widths, frozen panes, then the rows. Dates
    are shown as Ukrainians write them (dd.mm.yyyy)."""
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append([])
    sheet.append([header for header, _width in headers])
    sheet["A1"].font = Font(bold=True, size=14)
    last_column = get_column_letter(max(len(headers), 1))
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.merge_cells(f"A2:{last_column}2")
    for index, (_header, width) in enumerate(headers, 1):
        cell = sheet.cell(row=4, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A5"
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "DD.MM.YYYY"


def new_workbook(first_sheet_title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = first_sheet_title[:31]
    return workbook, sheet


# Text that a spreadsheet program would take as a formula when the cell is written or
# edited (OWASP "CSV injection"): "=HYPERLINK(…)" typed as a pupil's remark, a reason or a
# name must stay that text in every export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formulas_neutralise(workbook: Workbook) -> int:
    """Make every text cell that begins like a formula plain text; returns how many.

    The standard defence is a leading apostrophe; in an XLSX file the apostrophe is the
    cell's `quotePrefix` style, which Excel and LibreOffice set themselves when a person
    types '=…, so the cell shows exactly the text and stays text when it is edited. The
    cell is also typed as a string, because openpyxl would otherwise write a value that
    begins with "=" as a formula. Numbers and dates are left as they are."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed


def workbook_bytes(workbook: Workbook) -> bytes:
    """The file of a workbook to send; every export goes through here, so that no
    user-supplied text in it can act as a formula."""
    formulas_neutralise(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_from_template(
    template_name: str, context: dict[str, Any], *, pdf_variant: str | None = None
) -> bytes:
    """Render an HTML template (in the active language) and lay it out as PDF with
    WeasyPrint; fonts come from the system (DejaVu covers Cyrillic). `pdf_variant`
    ("pdf/a-3b" for archival documents) adds the PDF/A identification and output intent;
    such a template fixes its dates with `<meta name="dcterms.created">` and
    `dcterms.modified`, so the same data gives the same bytes."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return bytes(document.write_pdf(pdf_variant=pdf_variant))


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """An attachment response; the file name is ASCII so every browser keeps it."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
