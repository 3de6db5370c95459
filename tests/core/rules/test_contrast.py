"""The ink painted on the grid's colours meets WCAG AA (4.5:1) on any background."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.contrast import AA, BLACK, DARK, WHITE, contrast, ink_for, luminance
from core.services.schools.defaults import LOCAL_REASONS


def test_the_contrast_ratio_is_the_wcag_one() -> None:
    assert contrast(WHITE, BLACK) == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast(WHITE, "#d9534f") == pytest.approx(3.96, abs=0.01)  # the example
    assert luminance("#FFFFFF") == pytest.approx(1)
    with pytest.raises(ValueError):
        luminance("red")


def test_dark_text_on_light_colours_white_on_dark_ones() -> None:
    assert ink_for("#d9534f") == BLACK  # neither white (3.96) nor the dark ink (3.92) reaches AA
    assert ink_for("#7f0000") == WHITE
    assert ink_for("#edc948") == DARK
    assert ink_for("not a colour") == DARK


def test_every_default_reason_colour_gets_a_readable_ink() -> None:
    for reason in LOCAL_REASONS:
        assert contrast(ink_for(reason.colour), reason.colour) >= AA, reason.code


@given(st.integers(min_value=0, max_value=0xFFFFFF))
def test_any_colour_gets_an_ink_of_at_least_aa(value: int) -> None:
    colour = f"#{value:06x}"
    assert contrast(ink_for(colour), colour) >= AA
