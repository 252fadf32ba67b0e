"""The achievement summary sheet (зведена відомість обліку навчальних досягнень) of one
class and year as its own archival document: it is kept 25 years while the journal is kept
5, so it is signed and filed apart. `summary.pdf` (PDF/A-3b, the same table the journal
prints), `summary.json` (laid out by `summary_data`, versioned by SCHEMA_VERSION) and
`summary.csv`. Like the journal, the bytes depend only on the data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from zhurnal.archive.documents.journal import (
    PDF_VARIANT,
    WIDE,
    _csv,
    _iso,
    class_closed_at,
    summary_pages,
)
from zhurnal.archive.documents.ruled import TextTable
from zhurnal.core.exports import pdf_from_template
from zhurnal.journal.classteacher.selectors import SummarySheet, class_terms, summary_sheet
from zhurnal.schools.models import ClassGroup

SCHEMA_VERSION = 1
# The journal's landscape page, with room on the first for the title, school and teacher.
PAGE = replace(WIDE, kept_mm=32)


@dataclass
class SummaryDocument:
    class_group: ClassGroup
    school_name: str
    year_name: str
    class_teacher: str
    closed_at: dt.datetime | None
    sheet: SummarySheet

    @property
    def document_date(self) -> str:
        """The PDF's created and modified date: the closing instant, never the clock."""
        if self.closed_at is not None:
            return self.closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.class_group.year.ends_on.isoformat()}T00:00:00Z"

    @cached_property
    def pages(self) -> list[TextTable]:
        """The sheet as the journal prints it, across as many pages as its subjects need."""
        return summary_pages(self.sheet, PAGE)


def summary_document(class_group: ClassGroup) -> SummaryDocument:
    """The year's summary sheet of `class_group`: four queries whatever the class's size."""
    year = class_group.year
    teacher = class_group.class_teacher
    return SummaryDocument(
        class_group=class_group,
        school_name=year.school.name,
        year_name=year.name,
        class_teacher=teacher.full_name if teacher else "",
        closed_at=class_closed_at(class_group),
        sheet=summary_sheet(class_group=class_group, terms=class_terms(class_group), term=None),
    )


def summary_data(document: SummaryDocument) -> dict[str, Any]:
    """The sheet as the versioned JSON document (`schema_version` SCHEMA_VERSION)."""
    sheet, year = document.sheet, document.class_group.year
    names = {item.subject.pk: item.subject.name for item in sheet.subjects}
    return {
        "schema_version": SCHEMA_VERSION,
        "document": "summary_sheet",
        "school": document.school_name,
        "class": str(document.class_group),
        "grade": document.class_group.grade,
        "year": {
            "name": year.name,
            "starts_on": _iso(year.starts_on),
            "ends_on": _iso(year.ends_on),
            "closed_at": document.closed_at.isoformat() if document.closed_at else None,
        },
        "class_teacher": document.class_teacher,
        "terms": [
            {"id": term.pk, "number": term.number, "name": term.name} for term in sheet.terms
        ],
        "columns": [
            {
                "subject_id": column.subject_id,
                "subject": names[column.subject_id],
                "column": column.key,
                "header": column.header,
            }
            for column in sheet.columns
        ],
        "students": [
            {
                "number": row.number,
                "id": row.student.pk,
                "full_name": row.student.full_name,
                "left_on": _iso(row.left_on),
                "marks": [
                    {
                        "subject_id": column.subject_id,
                        "column": column.key,
                        "value": cell.value,
                        "corrected": cell.corrected,
                    }
                    for column, cell in zip(sheet.columns, row.cells, strict=True)
                    if cell.value or cell.corrected
                ],
            }
            for row in sheet.rows
        ],
    }


def summary_csv(document: SummaryDocument) -> bytes:
    """One line per filled cell: who, which subject and column, the mark and its correction."""
    sheet = document.sheet
    names = {item.subject.pk: item.subject.name for item in sheet.subjects}

    def rows() -> Iterator[list[str]]:
        for row in sheet.rows:
            for column, cell in zip(sheet.columns, row.cells, strict=True):
                if cell.value or cell.corrected:
                    yield [
                        str(row.student.pk),
                        row.student.full_name,
                        names[column.subject_id],
                        column.header,
                        cell.value,
                        cell.corrected,
                    ]

    header = ["student_id", "student", "subject", "column", "value", "corrected"]
    return _csv(header, rows())


def summary_pdf(document: SummaryDocument) -> bytes:
    """The sheet as PDF/A-3b, in the active language."""
    return pdf_from_template(
        "archive/summary_pdf.html", {"document": document, "page": PAGE}, pdf_variant=PDF_VARIANT
    )


def summary_sheet_files(class_group: ClassGroup) -> dict[str, bytes]:
    """The files of the summary sheet package, name → bytes; the same data, the same bytes."""
    document = summary_document(class_group)
    data = json.dumps(summary_data(document), ensure_ascii=False, indent=1, sort_keys=True)
    return {
        "summary.pdf": summary_pdf(document),
        "summary.json": (data + "\n").encode(),
        "summary.csv": summary_csv(document),
    }
