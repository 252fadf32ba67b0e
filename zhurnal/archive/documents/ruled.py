"""Tables printed as ruled monospace text, for the archival PDFs.

WeasyPrint spends most of a class journal's time on its tables: about 0.7 ms for every
cell's CSS box, and a year's journal has some 40 000 cells. Text costs it per line, not
per cell. So a big table is printed here as one `<pre>` of fixed-width text lines in
DejaVu Sans Mono: cells padded to their column's width and parted by the box-drawing
`│`, whose strokes meet from one line to the next, so the vertical rules come with the
text. The horizontal rules (over the header, a heavier one under it, one under every
row but not between the lines of a row whose long name or topic wraps within its own
column) and the grey patches over the cells of a student who was not in the class that
day are the `<pre>`'s background: one SVG of filled rectangles, as large as the table.
The text stays text: `pdftotext` reads the names, marks and topics, `│` parting the
columns.

A table too long for one page is cut between rows into `TextTable`s of at most
`lines_per_page` lines, each with the header again; the caller knows how many lines and
characters a page holds (`PageFormat`) and lays each table on its own page, so no
`<pre>` ever breaks across pages or wraps a line.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

BAR = "│"
LEFT, CENTER, RIGHT = "left", "center", "right"
PT_PER_MM = 72 / 25.4

# DejaVu Sans Mono, in font units per em: every glyph's advance; the line (ascent plus
# descent), which the box-drawing strokes just overlap, so `│` joins up line to line;
# and the stroke of `│`, the thickness given to the horizontal rules.
_EM = 2048
_ADVANCE = 1233
_LINE = 1901 + 483
_STROKE = 160
# A wrapping column is never narrower than this (nor than its header's longest word).
WRAP_LEAST = 8


@dataclass(frozen=True)
class Mono:
    """DejaVu Sans Mono at `size` points: the metrics a ruled table is laid out with."""

    size: float

    @property
    def advance(self) -> float:
        return self.size * _ADVANCE / _EM

    @property
    def line(self) -> float:
        return self.size * _LINE / _EM

    @property
    def stroke(self) -> float:
        return self.size * _STROKE / _EM

    def chars_in(self, width_mm: float) -> int:
        """How many characters a line of `width_mm` holds."""
        return int(width_mm * PT_PER_MM / self.advance)

    def lines_in(self, height_mm: float) -> int:
        """How many lines a block of `height_mm` holds."""
        return int(height_mm * PT_PER_MM / self.line)


@dataclass(frozen=True)
class PageFormat:
    """A page ruled tables are printed on: its CSS `@page` size and margins, the font of
    its tables, and the room kept above and below a table for its heading and a note."""

    size: str  # as CSS writes it: "A4 landscape"
    width_mm: float
    height_mm: float
    margins_mm: tuple[float, float, float]  # top, left and right, bottom
    font: Mono
    kept_mm: float

    @property
    def margin_css(self) -> str:
        top, side, bottom = self.margins_mm
        return f"{top:g}mm {side:g}mm {bottom:g}mm"

    @property
    def chars(self) -> int:
        """Characters to a table line; one to spare, for the glyph positions' rounding."""
        return self.font.chars_in(self.width_mm - 2 * self.margins_mm[1]) - 1

    @property
    def lines(self) -> int:
        """Lines to a table, the heading's room kept."""
        top, _side, bottom = self.margins_mm
        return self.font.lines_in(self.height_mm - top - bottom - self.kept_mm)


@dataclass(frozen=True)
class Column:
    """A column of a ruled table: `width` characters of text (a left-aligned column has a
    space more before its text), between two `│`."""

    width: int
    align: str = CENTER

    @property
    def chars(self) -> int:
        return self.width + (1 if self.align == LEFT else 0)


def line_width(columns: Iterable[Column]) -> int:
    """The characters of a line of these columns, with their `│`s."""
    return 1 + sum(column.chars + 1 for column in columns)


@dataclass(frozen=True)
class Head:
    """A header cell over `span` columns; `text` None: the cell above it reaches down
    (rowspan), so no rule parts them."""

    text: str | None
    span: int = 1


@dataclass(frozen=True)
class Row:
    """A body row: one text per column (a text may hold line breaks), or one text across
    all of them; and the columns printed grey (the student was not in the class then)."""

    cells: Sequence[str]
    grey: frozenset[int] = frozenset()


def one_cell_each(text: str) -> str:
    """`text` with every character taking one character cell: composed (NFC, so «й» is
    one character, not «и» and a combining breve), a tab or other control character a
    space, an invisible format character (soft hyphen, joiner) left out; line breaks kept."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        return text
    return "".join(
        char if char == "\n" or char.isprintable() else " "
        for char in text.replace("\r\n", "\n")
        if unicodedata.category(char) != "Cf"
    )


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters: broken at spaces, a word longer than
    the width cut, a line break kept. An empty text is one empty line."""
    text = one_cell_each(text)
    if len(text) <= width and "\n" not in text:
        return [text]
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
    return lines


def longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def longest_line(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _pad(text: str, chars: int, align: str) -> str:
    if align == LEFT:
        return f" {text}".ljust(chars)
    if align == RIGHT:
        return text.rjust(chars)
    return text.center(chars)


def _text_width(chars: int, align: str) -> int:
    return chars - 1 if align == LEFT else chars


@dataclass(frozen=True)
class _Block:
    """Lines printed together: a header band or a row."""

    lines: list[str]
    grey: list[tuple[int, int]] = field(default_factory=list)  # (first bar, last bar)


@dataclass(frozen=True)
class TextTable:
    """One page's table as text lines, with where its rules and grey patches go."""

    lines: tuple[str, ...]
    # (line, first bar, last bar, weight): a rule over that line (its foot past the
    # last line) from one `│` to another, of one or two strokes
    rules: tuple[tuple[int, int, int, int], ...]
    # (first line, lines, first bar, last bar): grey between those `│`s
    grey: tuple[tuple[int, int, int, int], ...]
    font: Mono

    @property
    def width(self) -> int:
        return len(self.lines[0])

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def style(self) -> str:
        """The `<pre>`'s inline CSS: its font, its width, and a background image drawing
        its rules and grey patches as filled rectangles (an SVG as large as the table:
        WeasyPrint spills a gradient smaller than its box over the whole box, and a thin
        gradient band vanishes in a small view, where a filled path stays). `pre-wrap`,
        though no line is wider than the box (a point to spare for the glyph positions'
        rounding): for `pre`, WeasyPrint shapes all the text left for every line."""
        font = self.font
        advance, line, stroke = font.advance, font.line, font.stroke
        width, height = self.width * advance, len(self.lines) * line

        def x(bar: int) -> float:
            return bar * advance + advance / 2

        def box(left: float, top: float, right: float, bottom: float) -> str:
            top, bottom = max(top, 0), min(bottom, height)
            return f"M{left:.2f} {top:.2f}H{right:.2f}V{bottom:.2f}H{left:.2f}z"

        rules = "".join(
            box(
                x(first) - stroke / 2,
                at * line - weight * stroke / 2,
                x(last) + stroke / 2,
                at * line + weight * stroke / 2,
            )
            for at, first, last, weight in self.rules
        )
        grey = "".join(
            box(x(first), start * line, x(last), (start + count) * line)
            for start, count, first, last in self.grey
        )
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}pt" height="{height:.2f}pt"'
            f' viewBox="0 0 {width:.2f} {height:.2f}">'
            + (f'<path fill="#ddd" d="{grey}"/>' if grey else "")
            + f'<path d="{rules}"/></svg>'
        )
        return (
            f"font-size:{font.size:g}pt;line-height:{line:.3f}pt;white-space:pre-wrap;"
            f"width:{width + 1:.3f}pt;"
            f"background:url('data:image/svg+xml,{quote(svg)}') 0 0 / {width:.3f}pt {height:.3f}pt"
            " no-repeat"
        )


def pack(groups: Sequence[Sequence[int]], widths: Sequence[int], room: int) -> list[list[int]]:
    """Columns (indexes into `widths`, in groups kept together) onto pages of `room`
    characters, in order: a group that does not fit after the page's columns starts the
    next page; a group wider than a page is cut column by column."""
    pages: list[list[int]] = [[]]
    used = 0
    for group in groups:
        need = sum(widths[index] + 1 for index in group)
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0
        for index in group:
            if pages[-1] and used + widths[index] + 1 > room:
                pages.append([])
                used = 0
            pages[-1].append(index)
            used += widths[index] + 1
    return pages


def _bars(columns: Sequence[Column]) -> list[int]:
    """The character position of every `│`: before each column and after the last."""
    positions = [0]
    for column in columns:
        positions.append(positions[-1] + column.chars + 1)
    return positions


def _head_band(columns: Sequence[Column], band: Sequence[Head]) -> tuple[list[str], set[int]]:
    """A header band's lines, and the columns that continue from the band above."""
    cells: list[tuple[list[str], int, str]] = []  # (lines, characters, align)
    continued: set[int] = set()
    index = 0
    for head in band:
        spanned = columns[index : index + head.span]
        chars = sum(column.chars for column in spanned) + head.span - 1
        align = spanned[0].align if head.span == 1 and spanned[0].align == LEFT else CENTER
        if head.text is None:
            continued.update(range(index, index + head.span))
            cells.append(([], chars, align))
        else:
            cells.append((wrap(head.text, _text_width(chars, align)), chars, align))
        index += head.span
    return _lines(cells), continued


def _lines(cells: Sequence[tuple[list[str], int, str]]) -> list[str]:
    """Cells of wrapped text side by side, as lines parted by `│`."""
    height = max((len(lines) for lines, _chars, _align in cells), default=1)
    return [
        BAR
        + BAR.join(
            _pad(lines[number] if number < len(lines) else "", chars, align)
            for lines, chars, align in cells
        )
        + BAR
        for number in range(height)
    ]


def _row_block(columns: Sequence[Column], row: Row, bars: list[int]) -> _Block:
    if len(row.cells) == 1 and len(columns) > 1:
        chars = bars[-1] - 1
        return _Block(_lines([(wrap(row.cells[0], chars - 1), chars, LEFT)]))
    lines = _lines(
        [
            (wrap(text, column.width), column.chars, column.align)
            for text, column in zip(row.cells, columns, strict=True)
        ]
    )
    grey: list[tuple[int, int]] = []
    for index in sorted(row.grey):
        if grey and grey[-1][1] == bars[index]:
            grey[-1] = (grey[-1][0], bars[index + 1])
        else:
            grey.append((bars[index], bars[index + 1]))
    return _Block(lines, grey)


def text_tables(
    columns: Sequence[Column],
    head: Sequence[Sequence[Head]],
    rows: Iterable[Row],
    *,
    font: Mono,
    lines_per_page: int,
) -> list[TextTable]:
    """The table in pages of at most `lines_per_page` lines (a row is never cut), each
    with the header bands on top; an empty body gives the header alone."""
    bars = _bars(columns)
    full = (0, bars[-1])
    head_lines: list[str] = []
    head_rules: list[tuple[int, int, int, int]] = [(0, *full, 1)]
    for number, band in enumerate(head):
        lines, continued = _head_band(columns, band)
        if number:
            # the rule under the band above, but not over the cells reaching down
            start = None
            for index in range(len(columns) + 1):
                if index < len(columns) and index not in continued:
                    start = bars[index] if start is None else start
                elif start is not None:
                    head_rules.append((len(head_lines), start, bars[index], 1))
                    start = None
        head_lines += lines
    head_rules.append((len(head_lines), *full, 2))
    room = max(lines_per_page - len(head_lines), 1)

    tables: list[TextTable] = []
    body: list[str] = []
    rules: list[tuple[int, int, int, int]] = []
    grey: list[tuple[int, int, int, int]] = []

    def flush() -> None:
        tables.append(
            TextTable(
                lines=tuple(head_lines + body),
                rules=tuple(head_rules + rules),
                grey=tuple(grey),
                font=font,
            )
        )

    for row in rows:
        block = _row_block(columns, row, bars)
        if body and len(body) + len(block.lines) > room:
            flush()
            body, rules, grey = [], [], []
        start = len(head_lines) + len(body)
        grey += [(start, len(block.lines), first, end) for first, end in block.grey]
        body += block.lines
        rules.append((start + len(block.lines), *full, 1))
    if body or not tables:
        flush()
    return tables


@dataclass(frozen=True)
class Field:
    """A column of a simple ruled table: its header, how its text is aligned, and, for a
    column whose text wraps, its share of the width when the texts do not fit (`weight`;
    0: never narrower than its longest text)."""

    header: str
    align: str = CENTER
    weight: float = 0


def fit(
    naturals: Sequence[int], least: Sequence[int], weights: Sequence[float], room: int
) -> list[int]:
    """Column widths in `room` characters: each column's natural width if they all fit,
    else each cut down to a common level times its weight, never below its least."""
    if sum(naturals) <= room:
        return list(naturals)
    top = max(n / w for n, w in zip(naturals, weights, strict=True))
    widths = list(least)
    for level in range(int(top), 0, -1):
        widths = [
            max(low, min(n, int(level * w)))
            for n, low, w in zip(naturals, least, weights, strict=True)
        ]
        if sum(widths) <= room:
            break
    return widths


def ruled_pages(fields: Sequence[Field], rows: Sequence[Row], page: PageFormat) -> list[TextTable]:
    """A one-band table of `rows` on pages of `page`: every column as wide as its longest
    text line and its header, narrowed to fit the page down to its header's longest word
    and, unless its text wraps, its longest text."""
    cells = [row.cells for row in rows if len(row.cells) == len(fields)]
    content = [
        max((longest_line(texts[index]) for texts in cells), default=0)
        for index in range(len(fields))
    ]
    naturals = [
        max(len(field.header), longest, 1) for field, longest in zip(fields, content, strict=True)
    ]
    least = [
        max(longest_word(field.header), min(longest, WRAP_LEAST) if field.weight else longest, 1)
        for field, longest in zip(fields, content, strict=True)
    ]
    room = page.chars - line_width(Column(0, field.align) for field in fields)
    widths = fit(naturals, least, [field.weight or 1 for field in fields], room)
    return text_tables(
        [Column(width, field.align) for width, field in zip(widths, fields, strict=True)],
        [[Head(field.header) for field in fields]],
        rows,
        font=page.font,
        lines_per_page=page.lines,
    )
