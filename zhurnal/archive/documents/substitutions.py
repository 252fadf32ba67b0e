"""The school's register of missed and substituted lessons (журнал обліку пропущених і
замінених уроків) of one academic year as an archival document: `register.pdf`
(PDF/A-3b), `register.json` (laid out by `register_data`, versioned by SCHEMA_VERSION)
and `register.csv`. It reads the same selector as the
register page; the bytes depend only on the data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from zhurnal.archive.documents.journal import PDF_VARIANT, _csv, _iso
from zhurnal.core.exports import pdf_from_template
from zhurnal.schools.models import AcademicYear
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.substitutions.selectors import Register, register_of

SCHEMA_VERSION = 1


@dataclass
class RegisterDocument:
    year: AcademicYear
    school_name: str
    register: Register

    @property
    def document_date(self) -> str:
        """The PDF's created and modified date: the school's closing, never the clock."""
        if self.year.closed_at is not None:
            return self.year.closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.year.ends_on.isoformat()}T00:00:00Z"


def substitution_register(year: AcademicYear) -> RegisterDocument:
    """The register of the whole year: one query for its lessons, whatever their number."""
    school = year.school
    return RegisterDocument(
        year=year,
        school_name=school.name,
        register=register_of(school=school, start=year.starts_on, end=year.ends_on),
    )


def _class_name(lesson: Lesson) -> str:
    subgroup = lesson.assignment.subgroup
    return (
        f"{lesson.assignment.class_group} ({subgroup.name})"
        if subgroup
        else str(lesson.assignment.class_group)
    )


def register_data(document: RegisterDocument) -> dict[str, Any]:
    """The register as the versioned JSON document (`schema_version` SCHEMA_VERSION)."""
    year = document.year
    return {
        "schema_version": SCHEMA_VERSION,
        "document": "substitution_register",
        "school": document.school_name,
        "year": {
            "name": year.name,
            "starts_on": _iso(year.starts_on),
            "ends_on": _iso(year.ends_on),
            "closed_at": year.closed_at.isoformat() if year.closed_at else None,
        },
        "lessons": [
            {
                "lesson_id": row.lesson.pk,
                "date": _iso(row.lesson.date),
                "period": row.lesson.period.number,
                "class": _class_name(row.lesson),
                "subject": row.lesson.assignment.subject.name,
                "teacher": row.lesson.assignment.teacher.full_name,
                "substitute": row.lesson.substitute.full_name if row.lesson.substitute else None,
                "not_held": row.not_held,
                "reason": row.reason,
            }
            for row in document.register.rows
        ],
        "totals": [
            {
                "teacher": total.teacher.full_name,
                "missed": total.missed,
                "substitutions_given": total.substituted_given,
            }
            for total in document.register.totals
        ],
    }


def register_csv(document: RegisterDocument) -> bytes:
    """One line per lesson not given by its own teacher."""

    def rows() -> Iterator[list[str]]:
        for row in document.register.rows:
            lesson = row.lesson
            yield [
                lesson.date.isoformat(),
                str(lesson.period.number),
                _class_name(lesson),
                lesson.assignment.subject.name,
                lesson.assignment.teacher.full_name,
                lesson.substitute.full_name if lesson.substitute else "",
                "yes" if row.not_held else "no",
                row.reason,
            ]

    header = ["date", "period", "class", "subject", "teacher", "substitute", "not_held", "reason"]
    return _csv(header, rows())


def register_pdf(document: RegisterDocument) -> bytes:
    """The register as PDF/A-3b, in the active language."""
    return pdf_from_template(
        "archive/register_pdf.html", {"document": document}, pdf_variant=PDF_VARIANT
    )


def substitution_register_files(year: AcademicYear) -> dict[str, bytes]:
    """The files of the register package, name → bytes; the same data, the same bytes."""
    document = substitution_register(year)
    data = json.dumps(register_data(document), ensure_ascii=False, indent=1, sort_keys=True)
    return {
        "register.pdf": register_pdf(document),
        "register.json": (data + "\n").encode(),
        "register.csv": register_csv(document),
    }
