"""Ruled text tables: every line as wide as the table with its `│`s where the columns
part, long texts wrapped inside their own column, rules under rows and never between a
row's lines, pages cut between rows with the header again, and widths that fit."""

from __future__ import annotations

import re
from urllib.parse import unquote

from zhurnal.archive.documents.ruled import (
    BAR,
    LEFT,
    RIGHT,
    Column,
    Field,
    Head,
    Mono,
    PageFormat,
    Row,
    fit,
    line_width,
    pack,
    ruled_pages,
    text_tables,
    wrap,
)

FONT = Mono(8)
COLUMNS = [Column(2, RIGHT), Column(10, LEFT), Column(5), Column(5)]
HEAD = [[Head("№"), Head("Учень"), Head("01.09"), Head("Тема 1")]]


def bars(line: str) -> list[int]:
    return [index for index, char in enumerate(line) if char == BAR]


def test_every_line_is_as_wide_as_the_table_with_its_bars_at_the_column_bounds() -> None:
    rows = [Row(["1", "Гнатюк Андрій", "10п", "н"]), Row(["2", "Савчук Олена", "", "7"])]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)

    assert table.width == line_width(COLUMNS) == 1 + 3 + 12 + 6 + 6
    assert {len(line) for line in table.lines} == {table.width}
    assert {tuple(bars(line)) for line in table.lines} == {(0, 3, 15, 21, 27)}
    assert table.lines[0] == "│№ │ Учень     │01.09│ Тема│"
    assert table.lines[1] == "│  │           │     │  1  │"  # a header wraps at its spaces
    assert "│ 1│ Гнатюк    │ 10п │  н  │" in table.lines
    assert "│  │ Андрій    │     │     │" in table.lines  # the name wraps in its column


def test_rules_fall_under_the_header_and_every_row_never_inside_a_row() -> None:
    rows = [Row(["1", "Гнатюк Андрій", "", ""]), Row(["2", "Савчук", "", ""])]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)

    assert len(table.lines) == 2 + 2 + 1
    full = (0, table.width - 1)
    assert [(line, (first, last), weight) for line, first, last, weight in table.rules] == [
        (0, full, 1),  # over the header
        (2, full, 2),  # under the header, heavier
        (4, full, 1),  # under the two lines of Гнатюк Андрій
        (5, full, 1),  # under the last row: the foot of the table
    ]


def test_a_second_header_band_is_not_ruled_off_from_the_cells_reaching_down() -> None:
    head = [
        [Head("№"), Head("Учень"), Head("Математика", span=2)],
        [Head(None), Head(None), Head("І сем."), Head("Річна")],
    ]
    (table,) = text_tables(COLUMNS, head, [], font=FONT, lines_per_page=40)

    assert table.lines[0] == "│№ │ Учень     │ Математика│"
    assert table.lines[1] == "│  │           │  І  │Річна│"
    assert table.lines[2] == "│  │           │ сем.│     │"
    assert bars(table.lines[0]) == [0, 3, 15, 27]
    assert (1, 15, 27, 1) in table.rules  # under the subject, over its columns only
    assert not any(line == 1 and first < 15 for line, first, _last, _weight in table.rules)
    assert not any(line == 2 for line, *_rest in table.rules)  # inside the wrapped «І сем.»


def test_a_long_table_is_cut_between_rows_with_the_header_on_every_page() -> None:
    rows = [Row([str(number), "Прізвище Ім'я", "", ""]) for number in range(1, 8)]
    tables = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=2 + 5)

    assert [len(table.lines) for table in tables] == [2 + 4, 2 + 4, 2 + 4, 2 + 2]
    for table in tables:
        assert table.lines[:2] == tables[0].lines[:2]
        assert len(table.lines) <= 7
    numbers = [line[1:3].strip() for table in tables for line in table.lines[2:]]
    assert [number for number in numbers if number] == [str(n) for n in range(1, 8)]


def test_grey_cells_next_to_each_other_are_one_patch_over_the_row() -> None:
    rows = [Row(["1", "Новенька", "", ""], grey=frozenset({2, 3}))]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)

    assert table.grey == ((2, 1, 15, 27),)
    svg = unquote(table.style())
    assert 'fill="#ddd"' in svg


def test_the_style_draws_one_rectangle_per_rule_and_sets_the_font() -> None:
    rows = [Row(["1", "Гнатюк", "", ""])]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)

    style = unquote(table.style())
    assert style.startswith("font-size:8pt;line-height:9.312pt;white-space:pre-wrap;")
    (path,) = re.findall(r'<path d="([^"]*)"', style)
    assert path.count("M") == len(table.rules) == 3  # over and under the header, under the row


def test_an_empty_table_prints_its_header_and_a_line_across_all_columns() -> None:
    rows = [Row(["Зауважень немає."])]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)

    assert table.lines[-1] == "│ Зауважень немає.         │"
    assert bars(table.lines[-1]) == [0, table.width - 1]


def test_wrap_breaks_at_spaces_cuts_long_words_and_keeps_line_breaks() -> None:
    assert wrap("Дроби та дії з ними", 10) == ["Дроби та", "дії з ними"]
    assert wrap("Скоригована", 5) == ["Скори", "гован", "а"]
    assert wrap("§ 12\nвправа 4", 20) == ["§ 12", "вправа 4"]
    assert wrap("", 5) == [""]


def test_every_character_takes_one_cell_so_the_bars_stay_in_line() -> None:
    assert wrap("Тема\tуроку", 20) == ["Тема уроку"]
    assert wrap("Повторити\r\nконспект", 20) == ["Повторити", "конспект"]
    assert wrap("Стри\u0438\u0306", 20) == ["Стрий"]  # «й» composed: one cell
    assert wrap("пере\u00adнос", 20) == ["перенос"]  # a soft hyphen takes none
    rows = [Row(["1", "Зая\u0306ць\tІ.", "", ""])]
    (table,) = text_tables(COLUMNS, HEAD, rows, font=FONT, lines_per_page=40)
    assert {tuple(bars(line)) for line in table.lines} == {(0, 3, 15, 21, 27)}


def test_fit_keeps_natural_widths_that_fit_and_else_narrows_the_widest_by_weight() -> None:
    assert fit([10, 40, 20], [10, 8, 8], [1, 2, 1], 100) == [10, 40, 20]
    widths = fit([10, 60, 40], [10, 8, 8], [1, 2, 1], 60)
    assert widths[0] == 10
    assert sum(widths) <= 60
    assert widths[1] > widths[2] >= 8


def test_pack_keeps_a_group_of_columns_on_one_page() -> None:
    widths = [5] * 6
    assert pack([[0], [1], [2], [3, 4, 5]], widths, room=6 * 4) == [[0, 1, 2], [3, 4, 5]]
    assert pack([[0, 1, 2, 3, 4, 5]], widths, room=6 * 4) == [[0, 1, 2, 3], [4, 5]]


def test_ruled_pages_fit_the_page_and_put_headers_on_one_line_when_there_is_room() -> None:
    page = PageFormat("A4 portrait", 210, 297, (14, 12, 16), FONT, kept_mm=18)
    topic = " ".join(["Відновлення незалежності. Акт проголошення 24 серпня 1991 року"] * 3)
    tables = ruled_pages(
        [Field("Дата"), Field("Тема уроку", LEFT, weight=2), Field("Пропущено уроків")],
        [Row(["01.09.2026", topic, "3"])] * 40,
        page,
    )

    assert len(tables) > 1
    assert all(table.width <= page.chars for table in tables)
    assert all(len(table.lines) <= page.lines for table in tables)
    assert tables[0].lines[0].startswith("│   Дата   │ Тема уроку ")
    assert tables[0].lines[0].endswith("│Пропущено уроків│")
    first, second = bars(tables[0].lines[0])[1:3]
    topic_lines = wrap(topic, second - first - 2)  # less the space before a left text
    assert len(topic_lines) > 1
    assert sum(len(table.lines) - 1 for table in tables) == 40 * len(topic_lines)
    assert [line[first + 2 : second].rstrip() for line in tables[0].lines[1:]][
        : len(topic_lines)
    ] == topic_lines
