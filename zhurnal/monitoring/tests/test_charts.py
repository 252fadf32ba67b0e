"""The server-drawn SVG charts: well-formed, accessible, escaped, gaps kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from zhurnal.monitoring.charts import Series, bar_chart, line_chart, sparkline, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted data
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.find(SVG + "title") is not None
    assert root.find(SVG + "desc") is not None
    return root


def test_line_chart_has_axes_labels_and_breaks_at_gaps():
    root = parse(
        line_chart(
            title="Рівень <заповнення>",
            desc="опис",
            labels=["01.09", "08.09", "15.09", "22.09"],
            series=[Series("Рівень", [50.0, None, 70.0, 80.0])],
            y_suffix="%",
            highlight=[3],
        )
    )
    assert root.find(SVG + "title").text == "Рівень <заповнення>"
    texts = [node.text for node in root.iter(SVG + "text")]
    assert "0%" in texts and "100%" in texts and "01.09" in texts and "22.09" in texts
    # the gap splits the line: only 70 → 80 is drawn, and three points
    assert len(list(root.iter(SVG + "polyline"))) == 1
    circles = list(root.iter(SVG + "circle"))
    assert len(circles) == 3 and circles[-1].get("r") == "5"


def test_two_series_get_a_legend():
    root = parse(
        line_chart(
            title="t",
            desc="d",
            labels=["a", "b"],
            series=[Series("перша", [1, 2]), Series("друга", [2, 1])],
            y_max=None,
        )
    )
    texts = [node.text for node in root.iter(SVG + "text")]
    assert "перша" in texts and "друга" in texts


def test_bar_chart_scales_to_a_round_maximum_and_highlights():
    root = parse(
        bar_chart(title="t", desc="d", labels=["1", "2", "3"], values=[3, 37, None], highlight=[1])
    )
    bars = [rect for rect in root.iter(SVG + "rect")]
    assert len(bars) == 2
    assert bars[1].get("fill") == "#b42318"
    assert "50" in [node.text for node in root.iter(SVG + "text")]


def test_stacked_bar_splits_in_proportion():
    root = parse(stacked_bar(title="t", desc="d", parts=[("1", 1), ("2", 0), ("3", 3)], width=400))
    widths = [float(rect.get("width")) for rect in root.iter(SVG + "rect")][1:]
    assert widths == [100.0, 300.0]


def test_sparkline_and_empty_data_do_not_fail():
    parse(sparkline(title="t", values=[None, None]))
    parse(sparkline(title="t", values=[10, 20, None, 40]))
    parse(bar_chart(title="t", desc="d", labels=[], values=[]))
    parse(line_chart(title="t", desc="d", labels=[], series=[Series("x", [])]))
