"""The template sandbox refuses the arithmetic that would hold a worker: huge repetitions and
exponents (the rest of the sandbox is jinja2's, tested in test_render.py)."""

from __future__ import annotations

import pytest

from gateway.render import UnsafeTemplateError, render_message


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10001 }}",
        "{{ 10001 * 'x' }}",
        "{{ [0] * 20000 }}",
        "{{ 2 ** 65 }}",
        "{{ 9 ** n }}",
    ],
)
def test_huge_values_are_refused(source: str) -> None:
    with pytest.raises(UnsafeTemplateError):
        render_message(source, {"n": 999_999_999})


def test_ordinary_arithmetic_still_works() -> None:
    assert render_message("{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ n * 2 }}", {"n": 21}) == "ababab 1024 42"
