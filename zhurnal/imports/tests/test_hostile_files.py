"""Spreadsheets made to hurt: damaged, with XML entities, decompression bombs, endless rows.

Each is refused with the usual plain-language preview error, never a 500, and reading it
keeps memory bounded.
"""

from __future__ import annotations

import functools
import io
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator

import pytest
from defusedxml import DefusedXmlException
from django.test import Client
from django.utils import translation

from tests.cast import Community
from zhurnal.imports.models import ImportBatch, ImportKind
from zhurnal.imports.parsing import MAX_ZIP_ENTRIES, ImportFileError, read_sheet

from .builders import STUDENT_HEADER, csv_bytes, student, upload, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
DAMAGED = "could not be opened as an Excel workbook"
MB = 1024 * 1024
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _good_workbook() -> bytes:
    return xlsx_bytes(
        STUDENT_HEADER,
        [student(surname="Бойко", given_name="Остап", birth_date="05.06.2015", sex="ч")],
    )


def _rezip(
    content: bytes, replace: dict[str, bytes], stream: tuple[str, Callable[..., None]] | None = None
) -> bytes:
    """The workbook with some parts replaced; `stream` writes one part in pieces, so that
    a gigabyte of XML never sits in the test's memory."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            if stream is not None and item.filename == stream[0]:
                with target.open(item.filename, "w", force_zip64=True) as part:
                    stream[1](part)
            else:
                target.writestr(item.filename, replace.get(item.filename, source.read(item)))
        for name, data in replace.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return buffer.getvalue()


def _part(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name)


@functools.cache
def _zip_bomb() -> bytes:
    """A real workbook whose sheet unpacks to 1 GiB of XML, in about 1 MB of zip."""
    head = _part(_good_workbook(), SHEET).split(b"<sheetData>")[0] + b"<sheetData>"
    blanks = b" " * MB

    def write(part: io.BufferedIOBase) -> None:
        part.write(head)
        for _ in range(1024):
            part.write(blanks)
        part.write(b"</sheetData></worksheet>")

    return _rezip(_good_workbook(), {}, stream=(SHEET, write))


def _xxe_workbook() -> bytes:
    sheet = _part(_good_workbook(), SHEET).decode()
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sheet = (
        XML_DECLARATION
        + doctype
        + sheet.replace(
            "</sheetData>",
            '<row r="40"><c r="A40" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>',
        )
    )
    return _rezip(_good_workbook(), {SHEET: sheet.encode()})


def _billion_laughs_workbook() -> bytes:
    sheet = _part(_good_workbook(), SHEET).decode()
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    sheet = (
        XML_DECLARATION
        + f"<!DOCTYPE worksheet [{entities}]>"
        + sheet.replace(
            "</sheetData>",
            '<row r="40"><c r="A40" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>',
        )
    )
    return _rezip(_good_workbook(), {SHEET: sheet.encode()})


def _row_gap_workbook() -> bytes:
    """A few hundred bytes that claim 16,384 columns and put a row at 1,048,576: read
    naively, every missing row becomes a list as wide as the sheet."""
    sheet = _part(_good_workbook(), SHEET).decode()
    head, rest = sheet.split("<sheetData>", 1)
    head = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', head)
    rest = rest.replace(
        "</sheetData>",
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Х</t></is></c></row></sheetData>',
    )
    return _rezip(_good_workbook(), {SHEET: (head + "<sheetData>" + rest).encode()})


def _caused_by_defusedxml(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _read(content: bytes, filename: str = "учні.xlsx") -> None:
    read_sheet(content=content, filename=filename, kind=ImportKind.STUDENTS)


def _peak_python_memory(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
    except ImportFileError:
        pass
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_the_good_workbook_the_hostile_ones_are_built_from_is_read() -> None:
    sheet = read_sheet(content=_good_workbook(), filename="a.xlsx", kind=ImportKind.STUDENTS)
    assert [row.values["surname"] for row in sheet.rows] == ["Бойко"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_good_workbook()[:2000], id="truncated"),
        pytest.param(_rezip(_good_workbook(), {SHEET: b"<worksheet><sheetData><row>"}), id="xml"),
        pytest.param(_rezip(_good_workbook(), {SHEET: b"\xff\xfe\x00garbage"}), id="binary"),
        pytest.param(_rezip(_good_workbook(), {"xl/workbook.xml": b"<workbook/>"}), id="no-sheets"),
        pytest.param(_rezip(_good_workbook(), {"[Content_Types].xml": b"<"}), id="types"),
        pytest.param(b"PK\x05\x06" + b"\x00" * 18, id="empty-zip"),
    ],
)
def test_malformed_workbook_is_a_plain_error(content: bytes) -> None:
    with pytest.raises(ImportFileError, match=DAMAGED):
        _read(content)


def test_workbook_declaring_an_external_entity_is_refused_without_reading_it() -> None:
    with pytest.raises(ImportFileError, match=DAMAGED) as refused:
        _read(_xxe_workbook())
    assert "root:" not in str(refused.value)
    # defusedxml, not a stray syntax error, is what refused it.
    assert _caused_by_defusedxml(refused.value)


def test_workbook_with_exponential_entities_is_refused() -> None:
    peak = _peak_python_memory(lambda: _read(_billion_laughs_workbook()))
    with pytest.raises(ImportFileError, match=DAMAGED) as refused:
        _read(_billion_laughs_workbook())
    assert _caused_by_defusedxml(refused.value)
    assert peak < 30 * MB


def test_zip_bomb_is_refused_before_parsing_with_bounded_memory_and_time() -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 2 * MB  # it passes the upload size limit
    started = time.monotonic()
    peak = _peak_python_memory(lambda: _read(bomb))
    assert time.monotonic() - started < 5  # milliseconds, in fact
    # Parsing the sheet would take minutes; what is allocated is the bytes of the file.
    assert peak < 10 * MB
    with pytest.raises(ImportFileError, match="unpacks to more than 25 MB"):
        _read(bomb)


def test_workbook_with_thousands_of_parts_is_refused() -> None:
    parts = {f"xl/media/image{n}.png": b"x" for n in range(MAX_ZIP_ENTRIES + 1)}
    with pytest.raises(ImportFileError, match="parts inside"):
        _read(_rezip(_good_workbook(), parts))


def test_sheet_claiming_a_million_rows_and_every_column_is_read_in_bounded_memory() -> None:
    # (about half a second: openpyxl hands over the missing rows one by one)
    peak = _peak_python_memory(lambda: _read(_row_gap_workbook()))
    assert peak < 20 * MB
    sheet = read_sheet(content=_row_gap_workbook(), filename="a.xlsx", kind=ImportKind.STUDENTS)
    assert [row.number for row in sheet.rows] == [2, 1048576]


@pytest.mark.parametrize("filename", ["a.csv", "a.xlsx"])
def test_file_with_more_rows_than_the_limit_is_refused(settings, filename: str) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_IMPORT_MAX_ROWS = 3
    rows = [student(surname=f"Прізвище{n}", given_name="Ім'я") for n in range(4)]
    build = csv_bytes if filename.endswith(".csv") else xlsx_bytes
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        _read(build(STUDENT_HEADER, rows), filename)
    _read(build(STUDENT_HEADER, rows[:3]), filename)


def test_csv_with_an_overlong_cell_is_refused() -> None:
    content = csv_bytes(STUDENT_HEADER, [student(surname="Я" * 5000, given_name="Б")])
    with pytest.raises(ImportFileError, match="Row 2 has a cell longer than 1000 characters"):
        _read(content, "a.csv")


def test_csv_of_blank_lines_is_read_in_bounded_memory() -> None:
    content = ",".join(STUDENT_HEADER).encode() + b"\r\n" * (MB // 2)
    peak = _peak_python_memory(lambda: _read(content, "a.csv"))
    with pytest.raises(ImportFileError, match="no rows of data"):
        _read(content, "a.csv")
    # The decoded text (1 MB); a list kept per blank line would take over 30 MB.
    assert peak < 10 * MB


def test_csv_with_a_nul_byte_past_the_start_is_refused() -> None:
    content = csv_bytes(STUDENT_HEADER, [student(surname="А", given_name="Б")] * 300) + b"\x00"
    with pytest.raises(ImportFileError, match="not a CSV text file"):
        _read(content, "a.csv")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: _good_workbook()[:3000], DAMAGED),
        (_xxe_workbook, DAMAGED),
        (_billion_laughs_workbook, DAMAGED),
        (_zip_bomb, "unpacks to more than"),
    ],
    ids=["malformed", "xxe", "billion-laughs", "zip-bomb"],
)
def test_hostile_upload_gets_the_preview_error_and_stores_nothing(
    school_admin_client: Client, community: Community, build: Callable[[], bytes], message: str
) -> None:
    response = upload(
        school_admin_client, community.school.pk, ImportKind.STUDENTS, "учні.xlsx", build()
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "root:" not in response.content.decode()
    assert not ImportBatch.objects.exists()
