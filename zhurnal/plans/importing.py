"""Reading a plan from text (the page's «one line per topic», or a paste from Word or
Google Docs) and from an XLSX table as schools keep their КТП.

Both give `ParsedPlan`: themes, each with its topics and hours, or errors that name the row.
The text format, line by line:

    Тема 1. Натуральні числа (20 год)     a theme: «Тема», «Розділ», «Раздел», «Модуль» or «#»
    1. Додавання натуральних чисел        a topic (the number in front is dropped)
    Розв’язування задач | 2                a topic of 2 hours («|» or a tab between cells)

Topics before the first theme go to a theme without a name.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhurnal.core.filetypes import content_matches, is_executable, upload_head

MAX_TOPICS = 400
MAX_TOPIC_HOURS = 40
MAX_TITLE = 500
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_ROWS = 2000
MAX_COLUMNS = 30
HEADER_SEARCH_ROWS = 10

_THEME = re.compile(
    r"^\s*(?:#+\s*|(?:тема|розділ|раздел|модуль|блок)\b\s*(?:[0-9IVXLІХ]+\b)?[.:)]?\s*)(?P<name>.*)$",
    re.IGNORECASE,
)
_THEME_WORD = re.compile(r"^\s*(?:#|(?:тема|розділ|раздел|модуль|блок)\b)", re.IGNORECASE)
_HOURS_IN_TEXT = re.compile(
    r"\s*[(\[]\s*(?P<hours>\d{1,3})\s*(?:год(?:ин[аи]?)?|час(?:ов|а)?|ч|г|h)\.?\s*[)\]]\s*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\s*\d{1,3}\s*[.)]\s*(?=\S)")
_NUMBER_CELL = re.compile(r"^\s*\d{1,3}\s*[.)]?\s*$")
_DATE_CELL = re.compile(r"^\s*\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\s*$")
_HOURS_CELL = re.compile(r"^\s*(?P<hours>\d{1,2})(?:[.,]0+)?\s*(?:год\.?|ч\.?)?\s*$", re.IGNORECASE)


@dataclass
class ParsedTopic:
    title: str
    hours: int = 1


@dataclass
class ParsedTheme:
    name: str
    hours: int | None = None
    topics: list[ParsedTopic] = field(default_factory=list)

    @property
    def total_hours(self) -> int:
        return self.hours if self.hours is not None else sum(t.hours for t in self.topics)


@dataclass
class ParsedPlan:
    themes: list[ParsedTheme] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def topic_count(self) -> int:
        return sum(len(theme.topics) for theme in self.themes)

    @property
    def hours(self) -> int:
        return sum(topic.hours for theme in self.themes for topic in theme.topics)

    def error(self, row: int, message: str) -> None:
        self.errors.append(_("Row %(row)s: %(message)s") % {"row": row, "message": message})

    def theme(self, name: str, hours: int | None) -> None:
        self.themes.append(ParsedTheme(name=name, hours=hours))

    def topic(self, row: int, title: str, hours: int) -> None:
        if not self.themes:
            self.themes.append(ParsedTheme(name=""))
        if len(title) > MAX_TITLE:
            self.error(
                row, _("the topic is longer than %(limit)s characters.") % {"limit": MAX_TITLE}
            )
            return
        if not 1 <= hours <= MAX_TOPIC_HOURS:
            self.error(
                row,
                _("hours must be a whole number from 1 to %(limit)s.") % {"limit": MAX_TOPIC_HOURS},
            )
            return
        if self.topic_count >= MAX_TOPICS:
            self.error(row, _("a plan holds at most %(limit)s topics.") % {"limit": MAX_TOPICS})
            return
        self.themes[-1].topics.append(ParsedTopic(title=title, hours=hours))

    def finish(self) -> ParsedPlan:
        """Drop themes without topics at the end only if nothing else was found."""
        if not self.errors and self.topic_count == 0:
            self.errors.append(_("No lesson topics were found."))
        return self


def _split_theme(text: str) -> tuple[str, int | None]:
    """A theme's name and the hours written after it: «Натуральні числа (20 год)»."""
    hours = None
    found = _HOURS_IN_TEXT.search(text)
    if found:
        hours = int(found.group("hours"))
        text = text[: found.start()]
    match = _THEME.match(text)
    name = match.group("name") if match else text
    return name.strip(" .:-–—\t"), hours


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_text(text: str) -> ParsedPlan:
    """The plan in the line format above (also what a copy from a document gives)."""
    plan = ParsedPlan()
    for row, raw in enumerate(text.splitlines(), start=1):
        cells = [_clean(cell) for cell in re.split(r"\t|\|", raw)]
        cells = [cell for cell in cells if cell]
        if not cells:
            continue
        # A leading number (№ з/п) and dates are dropped; the first text cell is the title.
        while cells and (_NUMBER_CELL.match(cells[0]) or _DATE_CELL.match(cells[0])):
            cells.pop(0)
        if not cells:
            continue
        title, rest = cells[0], cells[1:]
        if _THEME_WORD.match(title):
            name, hours = _split_theme(title)
            if hours is None:
                for cell in rest:
                    if found := _HOURS_CELL.match(cell):
                        hours = int(found.group("hours"))
                        break
            plan.theme(name, hours)
            continue
        title = _NUMBERED.sub("", title)
        hours = 1
        found_in_title = _HOURS_IN_TEXT.search(title)
        if found_in_title:
            hours = int(found_in_title.group("hours"))
            title = title[: found_in_title.start()].strip()
        else:
            for cell in rest:
                if _DATE_CELL.match(cell):
                    continue
                if found := _HOURS_CELL.match(cell):
                    hours = int(found.group("hours"))
                break
        if title:
            plan.topic(row, title, hours)
    return plan.finish()


def plan_text(themes: list[ParsedTheme]) -> str:
    """The plan written back in the line format, for the page's text field and templates."""
    lines: list[str] = []
    for number, theme in enumerate(themes, start=1):
        hours = f" ({theme.total_hours} год)" if theme.total_hours else ""
        lines.append(f"Тема {number}. {theme.name}{hours}".rstrip())
        for topic in theme.topics:
            lines.append(topic.title if topic.hours == 1 else f"{topic.title} | {topic.hours}")
    return "\n".join(lines)


# --- XLSX -----------------------------------------------------------------------------------

_TOPIC_HEADER = re.compile(r"тема|зміст|содержание|назва|название", re.IGNORECASE)
_HOURS_HEADER = re.compile(r"год|час|к-сть|кол-во|кількість", re.IGNORECASE)
_NUMBER_HEADER = re.compile(r"№|з/п|п/п", re.IGNORECASE)
_DATE_HEADER = re.compile(r"дата", re.IGNORECASE)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    return _clean(str(value))


def _check_upload(upload: UploadedFile[Any]) -> bytes:
    name = (upload.name or "").lower()
    if not name.endswith(".xlsx"):
        raise ValidationError(_("Choose an Excel workbook (.xlsx)."))
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // 1048576}
        )
    head = upload_head(upload)
    if is_executable(head) or not content_matches(".xlsx", head):
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))
    content = upload.read()
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from exc
    if len(parts) > MAX_ZIP_ENTRIES or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise ValidationError(_("The workbook is too large for a calendar plan."))
    return bytes(content)


def _header(rows: list[tuple[int, list[str]]]) -> tuple[int, int, int | None] | None:
    """The header row's index in `rows` and the columns of the topic and the hours."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        topic_col = hours_col = None
        others = 0
        for col, cell in enumerate(cells):
            if not cell:
                continue
            if topic_col is None and _TOPIC_HEADER.search(cell) and not _DATE_HEADER.search(cell):
                topic_col = col
            elif hours_col is None and _HOURS_HEADER.search(cell):
                hours_col = col
            elif _NUMBER_HEADER.search(cell) or _DATE_HEADER.search(cell):
                others += 1
        # A title above the table («Календарно-тематичне планування…») is one cell alone.
        if topic_col is not None and (hours_col is not None or others):
            return index, topic_col, hours_col
    return None


def parse_xlsx(upload: UploadedFile[Any]) -> ParsedPlan:
    """The plan from the first sheet of a КТП workbook: the header row is found by its
    words (Тема / Зміст, год / Кол-во часов) among the first rows; a row whose only text
    stands outside the topic column (a merged row) or begins with «Тема»/«Розділ» is a
    theme."""
    content = _check_upload(upload)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from exc
    rows: list[tuple[int, list[str]]] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(
            sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            cells = [_text(value)[: MAX_TITLE + 1] for value in values]
            if any(cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    found = _header(rows)
    if found is None:
        raise ValidationError(
            _(
                "No header row was found: the table needs a column named «Тема уроку» "
                "(or «Зміст», «Тема») and, if any, «К-сть год.»."
            )
        )
    index, topic_col, hours_col = found
    plan = ParsedPlan()
    for number, cells in rows[index + 1 :]:
        topic = cells[topic_col] if topic_col < len(cells) else ""
        hours_text = cells[hours_col] if hours_col is not None and hours_col < len(cells) else ""
        others = [c for i, c in enumerate(cells) if c and i not in (topic_col, hours_col)]
        if not topic:
            texts = [c for c in others if not _NUMBER_CELL.match(c) and not _DATE_CELL.match(c)]
            if not texts:
                continue
            name, hours = _split_theme(texts[0])
            if hours is None and (found_hours := _HOURS_CELL.match(hours_text)):
                hours = int(found_hours.group("hours"))
            plan.theme(name, hours)
            continue
        if _THEME_WORD.match(topic):
            name, hours = _split_theme(topic)
            if hours is None and (found_hours := _HOURS_CELL.match(hours_text)):
                hours = int(found_hours.group("hours"))
            plan.theme(name, hours)
            continue
        hours = 1
        if hours_text:
            found_hours = _HOURS_CELL.match(hours_text)
            if not found_hours:
                plan.error(
                    number, _("«%(value)s» is not a number of hours.") % {"value": hours_text}
                )
                continue
            hours = int(found_hours.group("hours"))
        plan.topic(number, _NUMBERED.sub("", topic), hours)
    return plan.finish()
