"""Small charts drawn on the server as inline SVG: a line chart with axes, a bar chart
(histogram), a horizontal stacked bar and a sparkline. No JavaScript, so they print and go
into PDF documents as they are; each is an `<svg role="img">` with a `<title>` and a
`<desc>`, and every page that shows one also shows the figures as a table."""

from __future__ import annotations

import colorsys
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

AXIS = "#57606a"
GRID = "#d0d7de"
HIGHLIGHT = "#b42318"
PALETTE = ("#0b5cad", "#b7791f", "#1a7f37", "#8250df", "#b42318", "#57606a")
FONT = 'font-family="DejaVu Sans, sans-serif"'

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and one value (or a gap) per label."""

    name: str
    values: Sequence[float | None]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(*, title: str, desc: str, width: int, height: int, css_class: str) -> str:
    ident = f"chart{next(_ids)}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{css_class}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        # No style attribute (the CSP allows none): the page's style sheet scales the chart.
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>'
    )


def _nice_max(largest: float) -> float:
    """The top of the value axis: 1, 2, 2.5 or 5 times a power of ten above `largest`."""
    if largest <= 0:
        return 1.0
    magnitude = 10.0 ** len(str(int(largest)))
    for step in (0.1, 0.2, 0.25, 0.5, 1.0):
        if largest <= magnitude * step:
            return magnitude * step
    return magnitude


def _label_every(count: int, room: int) -> int:
    return max(1, -(-count // max(room, 1)))


def _frame(
    *, width: int, height: int, left: int, bottom: int, top: int, y_max: float, y_suffix: str
) -> list[str]:
    parts = []
    plot_height = height - top - bottom
    for step in range(5):
        value = y_max * step / 4
        y = top + plot_height - plot_height * step / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS}" {FONT}>{escape(_num(value) + y_suffix)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="{AXIS}"/>'
    )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" '
        f'stroke="{AXIS}"/>'
    )
    return parts


def _x_labels(
    labels: Sequence[str], xs: Sequence[float], *, baseline: float, room: int
) -> list[str]:
    every = _label_every(len(labels), room)
    parts = []
    for index, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if index % every and index != len(labels) - 1:
            continue
        parts.append(
            f'<text x="{x:.1f}" y="{baseline + 16:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{AXIS}" {FONT}>{escape(label)}</text>'
        )
    return parts


def line_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_max: float | None = 100,
    y_suffix: str = "",
    width: int = 640,
    height: int = 240,
    highlight: Sequence[int] = (),
) -> SafeString:
    """Lines over labelled points (weeks, days); a gap (None) breaks the line. Points
    whose index is in `highlight` are drawn larger in red."""
    left, bottom, top = 48, 28, 10
    known = [value for line in series for value in line.values if value is not None]
    top_value = y_max if y_max is not None else _nice_max(max(known, default=0))
    plot_width = width - left - 16
    plot_height = height - top - bottom
    count = max(len(labels), 1)
    step = plot_width / max(count - 1, 1)
    xs = [left + 4 + step * index for index in range(len(labels))]

    def y_of(value: float) -> float:
        return top + plot_height - plot_height * min(value, top_value) / top_value

    legend_height = 18 if len(series) > 1 else 0
    parts = [
        _open(title=title, desc=desc, width=width, height=height + legend_height, css_class="chart")
    ]
    parts += _frame(
        width=width,
        height=height,
        left=left,
        bottom=bottom,
        top=top,
        y_max=top_value,
        y_suffix=y_suffix,
    )
    parts += _x_labels(labels, xs, baseline=height - bottom, room=plot_width // 70)
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        run: list[str] = []
        runs: list[list[str]] = [run]
        for x, value in zip(xs, line.values, strict=False):
            if value is None:
                run = []
                runs.append(run)
                continue
            run.append(f"{x:.1f},{y_of(value):.1f}")
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points)}"/>'
                )
        for index, (x, value) in enumerate(zip(xs, line.values, strict=False)):
            if value is None:
                continue
            marked = index in highlight
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="{5 if marked else 2.5}" '
                f'fill="{HIGHLIGHT if marked else colour}"/>'
            )
    if legend_height:
        x = float(left)
        for number, line in enumerate(series):
            colour = PALETTE[number % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{height + 4}" width="12" height="10" fill="{colour}"/>'
                f'<text x="{x + 16:.1f}" y="{height + 13}" font-size="11" fill="{AXIS}" '
                f"{FONT}>{escape(line.name)}</text>"
            )
            x += 24 + 7 * len(line.name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def bar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    y_max: float | None = None,
    y_suffix: str = "",
    width: int = 640,
    height: int = 220,
    highlight: Sequence[int] = (),
) -> SafeString:
    """Vertical bars, one per label (a histogram of counts, or a figure per day); bars
    whose index is in `highlight` are red. A missing value leaves an empty slot."""
    left, bottom, top = 48, 28, 10
    known = [value for value in values if value is not None]
    top_value = y_max if y_max is not None else _nice_max(max(known, default=0))
    plot_width = width - left - 16
    plot_height = height - top - bottom
    slot = plot_width / max(len(labels), 1)
    bar = max(slot * 0.7, 1.0)
    xs = [left + 4 + slot * index + slot / 2 for index in range(len(labels))]
    parts = [_open(title=title, desc=desc, width=width, height=height, css_class="chart")]
    parts += _frame(
        width=width,
        height=height,
        left=left,
        bottom=bottom,
        top=top,
        y_max=top_value,
        y_suffix=y_suffix,
    )
    for index, (x, value) in enumerate(zip(xs, values, strict=False)):
        if value is None:
            continue
        bar_height = plot_height * min(value, top_value) / top_value
        colour = HIGHLIGHT if index in highlight else PALETTE[0]
        parts.append(
            f'<rect x="{x - bar / 2:.1f}" y="{top + plot_height - bar_height:.1f}" '
            f'width="{bar:.1f}" height="{bar_height:.1f}" fill="{colour}"/>'
        )
    parts += _x_labels(labels, xs, baseline=height - bottom, room=int(plot_width // 40))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def scale_colours(count: int) -> list[str]:
    """Colours from red (the lowest value) through amber to green (the highest)."""
    colours = []
    for index in range(count):
        hue = (120 * index / max(count - 1, 1)) / 360
        red, green, blue = colorsys.hls_to_rgb(hue, 0.42, 0.65)
        colours.append(f"#{int(red * 255):02x}{int(green * 255):02x}{int(blue * 255):02x}")
    return colours


def stacked_bar(
    *,
    title: str,
    desc: str,
    parts: Sequence[tuple[str, int]],
    width: int = 320,
    height: int = 22,
) -> SafeString:
    """One horizontal bar split into segments in proportion to the counts, in the order
    given (lowest value first), coloured from red to green."""
    total = sum(count for _label, count in parts)
    colours = scale_colours(len(parts))
    pieces = [_open(title=title, desc=desc, width=width, height=height, css_class="stacked")]
    pieces.append(
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff" stroke="{GRID}"/>'
    )
    x = 0.0
    for (label, count), colour in zip(parts, colours, strict=True):
        if total <= 0 or count <= 0:
            continue
        share = width * count / total
        pieces.append(
            f'<rect x="{x:.2f}" y="0" width="{share:.2f}" height="{height}" fill="{colour}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        x += share
    pieces.append("</svg>")
    return mark_safe("".join(pieces))  # noqa: S308 - every text in it is escaped above


def sparkline(
    *,
    title: str,
    values: Sequence[float | None],
    y_max: float = 100,
    width: int = 100,
    height: int = 24,
) -> SafeString:
    """A tiny line of the last weeks with the latest point marked; no axes."""
    desc = ", ".join("—" if value is None else _num(value) for value in values)
    parts = [_open(title=title, desc=desc, width=width, height=height, css_class="sparkline")]
    step = (width - 6) / max(len(values) - 1, 1)
    points = []
    last: tuple[float, float] | None = None
    for index, value in enumerate(values):
        if value is None:
            continue
        x = 3 + step * index
        y = height - 3 - (height - 6) * min(value, y_max) / y_max
        points.append(f"{x:.1f},{y:.1f}")
        last = (x, y)
    parts.append(f'<line x1="0" y1="{height - 3}" x2="{width}" y2="{height - 3}" stroke="{GRID}"/>')
    if len(points) > 1:
        parts.append(
            f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" '
            f'points="{" ".join(points)}"/>'
        )
    if last is not None:
        parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.5" fill="{PALETTE[0]}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
