"""Geometry for the dashboards' light charts: server-drawn SVG, no script, with the same numbers always shown
in a table beside them (templates/dashboards/_charts.html draws them).

``columns`` is a vertical bar chart of a series (sales per month); ``rows`` a horizontal bar chart of
categories, optionally stacked in two parts (active / inactive cooperatives per regency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEIGHT = 100.0
STEP = 10.0


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Columns:
    bars: list[Column]
    width: float  # of the viewBox; the height is HEIGHT
    top: int  # the largest value (the chart's scale)


def columns(points: Sequence[tuple[str, int]]) -> Columns:
    top = max((v for _, v in points), default=0)
    scale = top or 1
    bars = []
    for i, (label, value) in enumerate(points):
        height = round(HEIGHT * max(value, 0) / scale, 2)
        bars.append(Column(label, value, i * STEP + 1, round(HEIGHT - height, 2), STEP - 2, height))
    return Columns(bars=bars, width=len(points) * STEP, top=top)


@dataclass(frozen=True)
class Row:
    label: str
    first: int  # e.g. active
    second: int  # e.g. inactive (0 for a single series)
    first_width: float  # percent of the chart's width
    second_width: float

    @property
    def total(self) -> int:
        return self.first + self.second


def rows(points: Sequence[tuple[str, int, int]]) -> list[Row]:
    """Horizontal bars scaled to the largest total (widths in percent, for a fluid 360 px layout)."""
    top = max((a + b for _, a, b in points), default=0) or 1
    return [
        Row(label, a, b, round(100 * max(a, 0) / top, 2), round(100 * max(b, 0) / top, 2))
        for label, a, b in points
    ]
