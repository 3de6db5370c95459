"""The statistics page's chart geometry and number writing (core.rules.charts)."""

from __future__ import annotations

import pytest

from core.rules.charts import (
    SHADES,
    LineChart,
    horizontal_bars,
    lines,
    nice_top,
    number,
    percent,
    shade,
    ticks,
    vertical_bars,
)


@pytest.mark.parametrize(
    ("value", "top"),
    [
        (0, 1),
        (-3, 1),
        (0.3, 0.5),
        (1, 1),
        (1.2, 2),
        (2.1, 2.5),
        (3, 5),
        (7, 10),
        (13, 20),
        (260, 500),
    ],
)
def test_the_scale_ends_on_a_round_value_at_or_above_the_largest(value: float, top: float) -> None:
    assert nice_top(value) == pytest.approx(top)


def test_ticks_run_evenly_from_zero_to_the_top() -> None:
    assert ticks(20) == [0, 5, 10, 15, 20]
    assert ticks(0.05) == [0, 0.01, 0.02, 0.03, 0.04, 0.05]  # whole percents
    assert ticks(2.5) == [0, 0.5, 1, 1.5, 2, 2.5]
    assert ticks(1) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert ticks(10, 2) == [0, 5, 10]


def test_horizontal_bars_are_as_long_as_their_value_on_a_round_scale() -> None:
    chart = horizontal_bars([("5A", 13), ("6A", 1), ("4B", 0)], width=520)
    plot = 520 - 170 - 40  # the label's room on the left, a margin on the right
    assert [bar.width for bar in chart.bars] == [pytest.approx(plot * 13 / 20), plot / 20, 0]
    assert [bar.x for bar in chart.bars] == [170, 170, 170]
    assert chart.bars[0].y < chart.bars[1].y < chart.bars[2].y  # one a row, top down
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20]
    assert chart.ticks[-1].at == 170 + plot


def test_vertical_bars_stand_on_the_baseline_and_the_mean_crosses_them() -> None:
    chart = vertical_bars([("sept.", 0.0), ("oct.", 0.02), ("nov.", 0.04)], mean=0.02, height=220)
    base = 220 - 24
    assert all(bar.y + bar.height == pytest.approx(base) for bar in chart.bars)
    assert chart.bars[0].height == 0
    assert chart.bars[2].height == pytest.approx(2 * chart.bars[1].height)
    assert chart.mean == pytest.approx(chart.bars[1].y)
    assert chart.bars[0].x < chart.bars[1].x < chart.bars[2].x


def test_a_missing_value_breaks_a_line_and_both_lines_share_a_scale() -> None:
    chart = lines(["47", "48", "49"], [[2, 4, 1], [None, 8, 6]], width=520, height=220)
    now, before = chart.series
    assert [len(piece) for piece in now] == [3] and [len(piece) for piece in before] == [2]
    base, plot = 220 - 24, 220 - 26 - 24  # the legend above
    assert now[0][1].y == pytest.approx(base - plot * 4 / 10)
    assert before[0][0].x == now[0][1].x
    assert LineChart.path(before[0]).count(",") == 2
    assert lines(["47"], [[None]]).series == [[]]


def test_cells_darken_with_their_value() -> None:
    assert shade(None, 5) == shade(0, 5) == SHADES[0]
    assert shade(0.01, 5) == SHADES[1]
    assert shade(5, 5) == shade(9, 5) == SHADES[-1]


def test_numbers_are_written_the_readers_way() -> None:
    assert number(1.5) == "1,5" and number(1.5, "en") == "1.5"
    assert number(12.0) == "12" and number(None) == "—"
    assert number(12500) == "12\u202f500"
    assert number(0.25, digits=2) == "0,25" and number(2.04) == "2"
    assert percent(0.123) == "12,3\u202f%" and percent(0.123, "en") == "12.3%"
    assert percent(None) == "—"
