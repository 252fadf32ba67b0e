"""Reading an uploaded XLSX or CSV file into rows keyed by column, and writing templates.

Nothing here knows about the database: it turns bytes into `Sheet` and back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhurnal.core.exports import workbook_bytes
from zhurnal.imports.models import ImportKind

Cell = str | int | float | dt.date | dt.datetime | None

ALLOWED_EXTENSIONS = (".xlsx", ".csv")


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, damaged, or without the needed columns."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    example: str
    width: int
    required: bool = False
    aliases: tuple[str, ...] = ()


def _guardian_columns(n: int, example: tuple[str, str, str, str]) -> list[Column]:
    prefix = f"Батьки {n}: "
    english = (f"guardian {n} ", f"guardian{n} ", f"parent {n} ")
    return [
        Column(
            f"guardian{n}_name",
            prefix + "ПІБ",
            example[0],
            32,
            aliases=tuple(e + s for e in english for s in ("name", "full name")),
        ),
        Column(
            f"guardian{n}_relation",
            prefix + "ким доводиться",
            example[1],
            16,
            aliases=tuple(e + "relation" for e in english),
        ),
        Column(
            f"guardian{n}_phone",
            prefix + "телефон",
            example[2],
            18,
            aliases=tuple(e + "phone" for e in english),
        ),
        Column(
            f"guardian{n}_email",
            prefix + "e-mail",
            example[3],
            26,
            aliases=tuple(e + s for e in english for s in ("email", "e-mail")),
        ),
    ]


_SURNAME = ("surname", "last name", "family name")
_GIVEN_NAME = ("given name", "first name", "name")
_PATRONYMIC = ("patronymic", "middle name")

STUDENT_COLUMNS: list[Column] = [
    Column("surname", "Прізвище", "Шевченко", 18, True, _SURNAME),
    Column("given_name", "Ім’я", "Тарас", 16, True, _GIVEN_NAME),
    Column("patronymic", "По батькові", "Григорович", 18, False, _PATRONYMIC),
    Column(
        "birth_date",
        "Дата народження",
        "09.03.2015",
        16,
        True,
        ("birth date", "date of birth", "birthday"),
    ),
    Column("sex", "Стать", "ч", 8, True, ("sex", "gender")),
    Column("class_name", "Клас", "5-А", 8, True, ("class", "grade", "class group")),
    Column(
        "personal_file_number",
        "№ особової справи",
        "Ш-15",
        16,
        False,
        ("особова справа", "номер особової справи", "personal file", "personal file number"),
    ),
    Column(
        "enrolled_on",
        "Дата зарахування",
        "",
        16,
        False,
        ("enrollment date", "enrolled on", "date of enrollment"),
    ),
    Column(
        "education_form",
        "Форма навчання",
        "денна",
        16,
        False,
        ("form of education", "education form"),
    ),
    Column("health_group", "Група здоров’я", "основна", 14, False, ("health group",)),
    Column(
        "pe_group",
        "Група з фізкультури",
        "основна",
        14,
        False,
        ("група з фізичної культури", "pe group", "physical education group"),
    ),
    *_guardian_columns(1, ("Шевченко Катерина Якимівна", "мати", "+380501234567", "")),
    *_guardian_columns(2, ("Шевченко Григорій Іванович", "батько", "", "")),
]

STAFF_COLUMNS: list[Column] = [
    Column("surname", "Прізвище", "Коваленко", 18, True, _SURNAME),
    Column("given_name", "Ім’я", "Ірина", 16, True, _GIVEN_NAME),
    Column("patronymic", "По батькові", "Петрівна", 18, False, _PATRONYMIC),
    Column("email", "E-mail", "kovalenko@example.com", 28, False, ("email", "пошта")),
    Column("phone", "Телефон", "+380671234567", 18, False, ("phone",)),
    Column("position", "Посада", "вчитель математики", 24, True, ("position", "job title")),
    Column(
        "qualification",
        "Кваліфікаційна категорія",
        "вища",
        20,
        False,
        ("категорія", "qualification", "qualification category"),
    ),
    Column("roles", "Ролі", "вчитель", 28, False, ("роль", "roles", "role")),
    Column(
        "class_teacher_of",
        "Класний керівник",
        "5-А",
        12,
        False,
        ("класний керівник класу", "class teacher", "class teacher of"),
    ),
]


def columns_for(kind: str) -> list[Column]:
    return STUDENT_COLUMNS if kind == ImportKind.STUDENTS else STAFF_COLUMNS


_APOSTROPHES = re.compile("[’ʼ`´‘'ꞌ]")


def header_key(text: object) -> str:
    """The comparable form of a header: case, spaces and apostrophe variants do not matter."""
    value = _APOSTROPHES.sub("'", str(text or "")).lower().replace("ё", "е")
    value = value.replace("\u00a0", " ").strip().rstrip("*:").strip()
    value = re.sub(r"\s*:\s*", ": ", value)
    value = re.sub(r"[_\s]+", " ", value)
    return value.replace("e-mail", "email").replace("е-mail", "email")


def _header_lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(header_key(name), column.key)
    return lookup


@dataclass
class SheetRow:
    number: int  # as the spreadsheet shows it; the header is row 1
    values: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Sheet:
    columns: list[Column]
    rows: list[SheetRow]


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: object) -> Cell:
    """A spreadsheet value as the importer reads it: rich text, times, formulas and the
    like become their text."""
    if value is None or isinstance(value, str | int | float | dt.date):
        return value
    return str(value)


# An Excel workbook holds a few dozen parts; thousands of them are not a list of people.
MAX_ZIP_ENTRIES = 500
# Columns read from each row (the templates have fewer than 30); cells further right are
# ignored, so that a sheet claiming 16,384 columns cannot make every row that wide.
MAX_COLUMNS = 100
# No name, phone or class needs more; a longer cell would only be echoed in error messages.
MAX_CELL_CHARS = 1000
_EXCEL_MAX_ROWS = 1_048_576

_DAMAGED = gettext_lazy(
    "The file could not be opened as an Excel workbook (.xlsx). It may be damaged."
)

Table = list[tuple[int, list[Cell]]]  # the rows that hold anything, with their numbers


class _TableBuilder:
    """Collects the non-empty rows of a sheet, refusing a file with too many rows or an
    overlong cell as soon as it is seen, so memory follows what the file really holds."""

    def __init__(self) -> None:
        self.rows: Table = []
        # The header plus the allowed number of rows of people.
        self.limit = int(settings.ZHURNAL_IMPORT_MAX_ROWS) + 1

    def add(self, number: int, values: Sequence[object]) -> None:
        if values.count(None) == len(values):  # the common empty row, at C speed
            return
        cells = [_cell(value) for value in values]
        if all(_is_blank(cell) for cell in cells):
            return
        for cell in cells:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise ImportFileError(
                    _(
                        "Row %(number)s has a cell longer than %(limit)s characters; "
                        "this is not a list of people."
                    )
                    % {"number": number, "limit": MAX_CELL_CHARS}
                )
        if len(self.rows) >= self.limit:
            raise ImportFileError(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": self.limit - 1}
            )
        self.rows.append((number, cells))


def _xlsx_archive_check(content: bytes) -> None:
    """Refuse a workbook whose parts would unpack to more than the limit, before any of
    it is decompressed: a few kilobytes of zip can hold gigabytes of XML. The sizes come
    from the zip's central directory; a part that lies about its size cannot unpack to
    more than it declares, because zipfile stops at the declared size and fails the
    checksum."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(str(_DAMAGED)) from exc
    if len(parts) > MAX_ZIP_ENTRIES:
        raise ImportFileError(
            ngettext(
                "The workbook has %(count)s part inside; a list of people has far fewer.",
                "The workbook has %(count)s parts inside; a list of people has far fewer.",
                len(parts),
            )
            % {"count": len(parts)}
        )
    limit = int(settings.ZHURNAL_IMPORT_MAX_UNPACKED_BYTES)
    if sum(part.file_size for part in parts) > limit:
        raise ImportFileError(
            _(
                "The workbook unpacks to more than %(limit)s MB; a list of people is far "
                "smaller. Save only the sheet with the list, or save it as CSV."
            )
            % {"limit": limit // (1024 * 1024)}
        )


def _read_xlsx(content: bytes) -> Table:
    _xlsx_archive_check(content)
    table = _TableBuilder()
    try:
        # openpyxl parses the sheets with defusedxml (installed), so a file that declares
        # entities (XXE, "billion laughs") is refused rather than expanded.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(
                min_row=1, max_row=_EXCEL_MAX_ROWS, max_col=MAX_COLUMNS, values_only=True
            )
            for number, values in enumerate(rows, start=1):
                table.add(number, values)
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:
        # A damaged or hostile workbook makes openpyxl, zipfile, zlib or the XML parser
        # fail in many ways (ValueError, KeyError, SyntaxError, TypeError, zlib.error…);
        # for the person uploading it each means the same thing.
        raise ImportFileError(str(_DAMAGED)) from exc
    return table.rows


def _decode_csv(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            _("The file is not a CSV text file. Save the table as CSV (UTF-8) or as .xlsx.")
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Ukrainian Windows saves "CSV" in Windows-1251.
        try:
            return content.decode("cp1251")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _("The CSV file is neither UTF-8 nor Windows-1251 text. Save it as CSV (UTF-8).")
            ) from exc


def _read_csv(content: bytes) -> Table:
    text = _decode_csv(content)
    if "\x00" in text:
        raise ImportFileError(
            _("The file is not a CSV text file. Save the table as CSV (UTF-8) or as .xlsx.")
        )
    first_line = text[: text.find("\n")] if "\n" in text else text
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in ";,\t"}
        delimiter = max(counts, key=lambda d: counts[d])
    table = _TableBuilder()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, row in enumerate(reader, start=1):
            table.add(number, row[:MAX_COLUMNS])
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read: %(problem)s") % {"problem": exc}
        ) from exc
    return table.rows


def read_sheet(*, content: bytes, filename: str, kind: str) -> Sheet:
    """Rows of the first sheet, keyed by column; raises ImportFileError with a message for people.

    Headers are matched tolerantly; unknown columns are ignored; empty rows are skipped.
    A workbook is checked against the unpacked-size and part-count limits before it is
    parsed; rows beyond ZHURNAL_IMPORT_MAX_ROWS, columns beyond MAX_COLUMNS and cells
    longer than MAX_CELL_CHARS are refused or ignored while reading.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise ImportFileError(str(_DAMAGED))
        table = _read_xlsx(content)
    elif name.endswith(".csv"):
        if content.startswith(b"PK"):
            raise ImportFileError(
                _("This file is an Excel workbook: give it the .xlsx extension, or save it as CSV.")
            )
        table = _read_csv(content)
    else:
        raise ImportFileError(
            _("Only .xlsx and .csv files can be imported; %(name)s is neither.")
            % {"name": filename}
        )

    columns = columns_for(kind)
    if not table:
        raise ImportFileError(_("The file is empty."))
    lookup = _header_lookup(columns)
    positions: dict[str, int] = {}
    for position, header in enumerate(table[0][1]):
        if _is_blank(header):
            continue
        key = lookup.get(header_key(header))
        if key is None:
            continue
        if key in positions:
            raise ImportFileError(
                _("The column “%(header)s” appears twice in the header row.") % {"header": header}
            )
        positions[key] = position
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(
            _(
                "The header row lacks the columns: %(columns)s. "
                "Download the template to see the expected columns."
            )
            % {"columns": ", ".join(f"“{m}”" for m in missing)}
        )

    rows: list[SheetRow] = []
    for number, raw in table[1:]:
        values: dict[str, Cell] = {}
        for key, position in positions.items():
            value = raw[position] if position < len(raw) else None
            values[key] = value.strip() if isinstance(value, str) else value
        if all(_is_blank(v) for v in values.values()):
            continue
        rows.append(SheetRow(number=number, values=values))
    if not rows:
        raise ImportFileError(_("The file has a header row but no rows of data."))
    return Sheet(columns=columns, rows=rows)


def is_template_example(kind: str, values: dict[str, Cell]) -> bool:
    """The sample row of the downloaded template, left in by mistake."""
    examples = {c.key: c.example for c in columns_for(kind) if c.example}
    return all(
        str(values.get(key) or "").strip() == example for key, example in examples.items()
    ) and not _is_blank(values.get("surname"))


def _instructions(kind: str) -> list[str]:
    common = [
        "Як заповнити файл",
        "",
        "• Один рядок — одна особа. Перший рядок із назвами стовпців не змінюйте.",
        "• Другий рядок — зразок: видаліть його перед завантаженням.",
        "• Порядок стовпців не важливий; зайві стовпці пропускаються.",
        "• Файл можна зберегти як .xlsx або як CSV (UTF-8, роздільник кома або крапка з комою).",
        "• Спершу Журнал перевіряє всі рядки й показує помилки; нічого не записується,"
        " доки ви не підтвердите імпорт. Якщо хоч один рядок має помилку, не імпортується нічого.",
        "",
    ]
    if kind == ImportKind.STUDENTS:
        return [
            *common,
            "Обов’язкові стовпці: Прізвище, Ім’я, Дата народження, Стать, Клас.",
            "Дата народження і дата зарахування: ДД.ММ.РРРР (наприклад 09.03.2015) або дата Excel.",
            "Стать: ч або ж (також чол/жін, m/f).",
            "Клас: як 5-А; клас має бути створений у поточному навчальному році.",
            "Дата зарахування: якщо порожня — початок навчального року"
            " (або сьогодні, якщо рік уже триває).",
            "Форма навчання: денна, індивідуальна, сімейна або дистанційна (порожня — денна).",
            "Група здоров’я: основна, підготовча або спеціальна (порожня — основна).",
            "Група з фізкультури: основна, підготовча, спеціальна або звільнений"
            " (порожня — основна).",
            "Батьки 1 і Батьки 2: ПІБ (прізвище, ім’я, по батькові), ким доводиться"
            " (мати, батько, баба, дід, опікун, інше), телефон, e-mail.",
            "Щоб брати й сестри мали спільних батьків, вкажіть однаковий e-mail"
            " або однакові ПІБ і телефон.",
        ]
    return [
        *common,
        "Обов’язкові стовпці: Прізвище, Ім’я, Посада.",
        "E-mail: кожна адреса належить одній особі; якщо працівник уже має вхід"
        " у Журнал в іншому закладі громади, його вхід буде використано.",
        "Ролі через кому: вчитель, заступник директора, директор, адміністратор,"
        " медичний працівник (порожньо — вчитель).",
        "Класний керівник: клас, як 5-А (необов’язково).",
    ]


def template_xlsx(kind: str) -> bytes:
    """The template to fill in: a header, one example row, and an instructions sheet."""
    columns = columns_for(kind)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Учні" if kind == ImportKind.STUDENTS else "Працівники"
    sheet.append([c.header for c in columns])
    sheet.append([c.example for c in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        # Text cells, so that Excel keeps leading zeros and "+" of phones and dates as typed.
        for row in range(2, 502):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Інструкція")
    for line in _instructions(kind):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 110
    help_sheet["A1"].font = bold
    return workbook_bytes(workbook)


def template_csv(kind: str) -> bytes:
    """The template as CSV: UTF-8 with a byte-order mark, so that Excel reads Cyrillic right."""
    columns = columns_for(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    writer.writerow([c.example for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_csv(rows: Iterable[Sequence[str]], delimiter: str = ",") -> bytes:
    """Rows as UTF-8 CSV with a byte-order mark (used by tests and for exports)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
