"""Chart geometry for the statistics page: values scaled into an SVG viewBox, round ticks, shades,
and numbers written the reader's way (« 1,5 », « 12,3 % »).

The panel draws its charts as SVG from a jinja macro (no script, no inline style: its CSP is
``default-src 'self'``); every coordinate is computed here, so the template only places them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PLOT_LEFT = 170  # room for a horizontal bar's label (24 characters)
PLOT_TOP = 10
PLOT_BOTTOM = 24  # room for the labels under vertical bars and lines
LEGEND_TOP = 26  # room for a line chart's legend above its plot


def nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (1 for none)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power: float = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def ticks(top: float, count: int | None = None) -> list[float]:
    """``count`` + 1 evenly spaced values from 0 to ``top`` (by default round steps for a
    :func:`nice_top`: 0, 5, 10, 15, 20 or 0, 1, 2, 3, 4, 5)."""
    if count is None:
        leading = top / 10 ** math.floor(math.log10(top)) if top > 0 else 1.0
        count = 4 if round(leading, 6) == 2 else 5
    return [round(top * i / count, 10) for i in range(count + 1)]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Tick:
    value: float
    at: float  # x for a horizontal chart, y for a vertical one


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    mean: float | None = None  # y (vertical) of the mean line
    left: int = 0
    baseline: float = 0.0


def horizontal_bars(
    items: Sequence[tuple[str, float]], *, width: int = 520, row: int = 22
) -> BarChart:
    """One bar a row, longest value the plot's full width (a round top)."""
    top = nice_top(max((v for _, v in items), default=0.0))
    plot = width - PLOT_LEFT - 40
    height = PLOT_TOP + row * len(items) + PLOT_BOTTOM
    bars = [
        Bar(label, value, PLOT_LEFT, PLOT_TOP + i * row + 3, plot * value / top, row - 6)
        for i, (label, value) in enumerate(items)
    ]
    marks = [Tick(v, PLOT_LEFT + plot * v / top) for v in ticks(top)]
    return BarChart(width, height, bars, marks, left=PLOT_LEFT, baseline=height - PLOT_BOTTOM)


def vertical_bars(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 520,
    height: int = 220,
    mean: float | None = None,
) -> BarChart:
    """One column a value from a baseline, the mean (when given) as a level across."""
    left = 48
    biggest = max([v for _, v in items] + ([mean] if mean is not None else []), default=0.0)
    top = nice_top(biggest)
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    base = height - PLOT_BOTTOM
    slot = (width - left - 10) / max(len(items), 1)
    bars = []
    for i, (label, value) in enumerate(items):
        tall = plot_height * value / top
        bars.append(Bar(label, value, left + i * slot + slot * 0.15, base - tall, slot * 0.7, tall))
    marks = [Tick(v, base - plot_height * v / top) for v in ticks(top)]
    level = None if mean is None else base - plot_height * mean / top
    return BarChart(width, height, bars, marks, level, left, base)


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    value: float
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    left: int
    baseline: float
    ticks: list[Tick]
    series: list[list[list[Point]]]  # per series, its pieces (broken where a value is missing)

    @staticmethod
    def path(points: list[Point]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


def lines(
    labels: Sequence[str],
    series: Sequence[Sequence[float | None]],
    *,
    width: int = 520,
    height: int = 220,
) -> LineChart:
    """Each series as points over the labels (a missing value ends a line, a new one starts
    after it), all on one scale."""
    left = 48
    values = [v for one in series for v in one if v is not None]
    top = nice_top(max(values, default=0.0))
    plot_height = height - LEGEND_TOP - PLOT_BOTTOM
    base = height - PLOT_BOTTOM
    step = (width - left - 20) / max(len(labels) - 1, 1)
    drawn: list[list[list[Point]]] = []
    for one in series:
        pieces: list[list[Point]] = [[]]
        for i, (label, value) in enumerate(zip(labels, one, strict=True)):
            if value is None:
                pieces.append([])
                continue
            pieces[-1].append(
                Point(label, value, left + i * step, base - plot_height * value / top)
            )
        drawn.append([piece for piece in pieces if piece])
    marks = [Tick(v, base - plot_height * v / top) for v in ticks(top)]
    return LineChart(width, height, left, base, marks, drawn)


SHADES = ("#f4f6fa", "#d6e2f3", "#a9c3e8", "#6f9bd6", "#3a6fb8", "#1f4f8f")


def shade(value: float | None, top: float) -> str:
    """The fill of a grid cell: lighter to darker as ``value`` goes from 0 to ``top``."""
    if value is None or top <= 0 or value <= 0:
        return SHADES[0]
    step = math.ceil(min(value / top, 1.0) * (len(SHADES) - 1))
    return SHADES[max(1, step)]


def number(value: float | None, language: str = "fr", digits: int = 1) -> str:
    """« 1,5 » in French, "1.5" in English; whole numbers without decimals; « — » for none."""
    if value is None:
        return "—"
    rounded = round(value, digits)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.{digits}f}"
    if language == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def percent(value: float | None, language: str = "fr", digits: int = 1) -> str:
    """A share (0.123) as « 12,3 % » (French, a narrow no-break space) or "12.3%"."""
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}"
    if language == "fr":
        return text.replace(".", ",") + "\u202f%"
    return text + "%"
