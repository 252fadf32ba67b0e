"""Real import files, built in memory the way a school's spreadsheet would be."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from zhurnal.imports.models import ImportKind
from zhurnal.imports.parsing import STAFF_COLUMNS, STUDENT_COLUMNS, rows_to_csv

STUDENT_HEADER = [c.header for c in STUDENT_COLUMNS]
STAFF_HEADER = [c.header for c in STAFF_COLUMNS]


def student(**values: Any) -> list[Any]:
    keys = [c.key for c in STUDENT_COLUMNS]
    assert set(values) <= set(keys), set(values) - set(keys)
    return [values.get(key, "") for key in keys]


def staff(**values: Any) -> list[Any]:
    keys = [c.key for c in STAFF_COLUMNS]
    assert set(values) <= set(keys), set(values) - set(keys)
    return [values.get(key, "") for key in keys]


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([value if value != "" else None for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    return rows_to_csv([header, *[[str(v) for v in row] for row in rows]], delimiter=delimiter)


def upload(client: Client, school_id: int, kind: str, filename: str, content: bytes) -> Any:
    name = "imports:students" if kind == ImportKind.STUDENTS else "imports:staff"
    return client.post(
        reverse(name, args=[school_id]),
        {"file": SimpleUploadedFile(filename, content)},
    )
